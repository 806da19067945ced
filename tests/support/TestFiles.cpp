// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/TestFiles.h"

#include <QProcess>
#include <QStringList>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fuselab::test {

void writeFile(const std::string &path, const std::string &bytes)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f)
        throw std::runtime_error("cannot write " + path);
}

std::string readAll(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void makeDirs(const std::string &path)
{
    std::filesystem::create_directories(path);
}

std::string encodeImage(const std::string &ext, int width, int height, int channels, int depth, int seed)
{
    const int type = CV_MAKETYPE(depth == 16 ? CV_16U : CV_8U, channels);
    cv::Mat m(height, width, type);
    const double maxv = depth == 16 ? 65535.0 : 255.0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c) {
                const double v = std::fmod((x * (c + 1) * 7 + y * 3 + seed * 31 + c * 50) / 255.0, 1.0) * maxv;
                if (depth == 16)
                    m.ptr<std::uint16_t>(y)[x * channels + c] = static_cast<std::uint16_t>(v);
                else
                    m.ptr<std::uint8_t>(y)[x * channels + c] = static_cast<std::uint8_t>(v);
            }
    std::vector<std::uint8_t> buf;
    if (!cv::imencode(ext, m, buf))
        throw std::runtime_error("cannot encode " + ext);
    return {buf.begin(), buf.end()};
}

namespace {
std::string be32(std::uint32_t v)
{
    std::string s(4, '\0');
    for (int k = 0; k < 4; ++k)
        s[static_cast<std::size_t>(k)] = static_cast<char>((v >> (24 - 8 * k)) & 0xFF);
    return s;
}
} // namespace

std::string pngHeaderOnly(std::uint32_t width, std::uint32_t height)
{
    std::string png = "\x89PNG\r\n\x1a\n";
    png += be32(13) + "IHDR" + be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
    png += be32(0) + "IEND" + be32(0xAE426082);
    return png;
}

void writeImage(const std::string &path, int width, int height, int channels, int depth, int seed)
{
    const auto dot = path.find_last_of('.');
    writeFile(path, encodeImage(path.substr(dot), width, height, channels, depth, seed));
}

std::vector<float> sine(double freq, int rate, double seconds, int channels, float amplitude)
{
    const auto n = static_cast<std::size_t>(rate * seconds);
    std::vector<float> out(n * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c)
            out[i * channels + c] = amplitude * static_cast<float>(std::sin(2 * M_PI * freq * double(i) / rate));
    return out;
}

void writeAudio(const std::string &path, const std::vector<float> &interleaved, int rate, int channels, int format)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE *f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f)
        throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
    sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
    sf_close(f);
}

void writeWav(const std::string &path, double freq, int rate, double seconds, int channels)
{
    writeAudio(path, sine(freq, rate, seconds, channels), rate, channels, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

int runCli(const std::vector<std::string> &args, std::string *out, std::string *err, int timeoutMs)
{
    QProcess p;
    QStringList list;
    for (auto &a : args)
        list << QString::fromStdString(a);
    p.start(QStringLiteral(FUSELAB_CLI_PATH), list);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput().toStdString();
    if (err)
        *err = p.readAllStandardError().toStdString();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

void writeFuzzParts(const std::string &input, const std::string &dir, const std::vector<std::string> &names)
{
    std::size_t from = 0;
    for (std::size_t k = 0; k < names.size(); ++k) {
        const std::size_t at = k + 1 < names.size() ? input.find("\n----\n", from) : std::string::npos;
        writeFile(dir + "/" + names[k], from >= input.size() ? std::string() : input.substr(from, at == std::string::npos ? std::string::npos : at - from));
        from = at == std::string::npos ? input.size() : at + 6;
    }
}

std::string writePhotoCaptionDataset(const std::string &root)
{
    std::mt19937 rng(3);
    const char *classes[] = {"dark", "mid", "bright"};
    const char *words[] = {"red", "blue", "tall", "small", "old", "new", "round", "flat"};
    std::string manifest = "photo,caption,label,split\n";
    for (int i = 0; i < 180; ++i) {
        const int c = i % 3;
        std::string pgm = "P5\n8 8\n255\n";
        for (int p = 0; p < 64; ++p)
            pgm += static_cast<char>(std::clamp(40 + 80 * c + static_cast<int>(rng() % 41) - 20, 0, 255));
        const std::string file = "p" + std::to_string(i) + ".pgm";
        writeFile(root + "/" + file, pgm);
        std::string caption;
        for (int w = 0; w < 4; ++w)
            caption += std::string(w ? " " : "") + words[rng() % 8];
        manifest += file + "," + caption + "," + classes[c] + "," + (i < 120 ? "train" : i < 150 ? "val" : "test") + "\n";
    }
    writeFile(root + "/manifest.csv", manifest);
    return root + "/manifest.csv";
}

void writeBrightnessClasses(const std::string &root)
{
    const char *names[] = {"dark", "mid", "bright"};
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 30; ++i) {
            std::string pgm = "P5\n8 8\n255\n";
            for (int p = 0; p < 64; ++p)
                pgm += static_cast<char>(std::clamp(40 + 80 * c + ((p * 37 + i * 11) % 41) - 20, 0, 255));
            writeFile(root + "/" + names[c] + "/" + std::to_string(i) + ".pgm", pgm);
        }
}

} // namespace fuselab::test
