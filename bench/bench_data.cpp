// SPDX-License-Identifier: GPL-3.0-or-later
// Data-layer benchmarks. Usage:
//   bench_data images DIR [N] [threads]   PNG decode + resize: FuseLab's pool vs OpenCV in one thread
//   bench_data audio DIR [N] [threads]    WAV decode + resample + log-mel (seconds of audio per second)
//   bench_data fashion [threads]          tensor cache build for Fashion-MNIST (IDX)
// DIR is filled with generated inputs on first use. Results print as "name value unit" lines.
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/media/AudioDecoder.h"
#include "core/media/ImageDecoder.h"
#include "core/media/MelSpectrogram.h"
#include "core/util/FileIO.h"
#include "core/util/ParallelFor.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sndfile.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace fuselab;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<std::string> makeImages(const std::string &dir, int n)
{
    fs::create_directories(dir);
    std::vector<std::string> paths;
    std::mt19937 rng(1);
    for (int i = 0; i < n; ++i) {
        const std::string p = dir + "/img" + std::to_string(i) + ".png";
        paths.push_back(p);
        if (fs::exists(p))
            continue;
        // Photo-like content: smooth gradients plus noise, 256x192 RGB.
        cv::Mat m(192, 256, CV_8UC3);
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x + i) % 256), static_cast<uchar>((y * 2 + i) % 256),
                                                  static_cast<uchar>(rng() % 64 + 96));
        cv::imwrite(p, m);
    }
    return paths;
}

std::vector<std::string> makeAudio(const std::string &dir, int n, double seconds)
{
    fs::create_directories(dir);
    std::vector<std::string> paths;
    for (int i = 0; i < n; ++i) {
        const std::string p = dir + "/clip" + std::to_string(i) + ".wav";
        paths.push_back(p);
        if (fs::exists(p))
            continue;
        const int rate = 44100, ch = 2;
        std::vector<float> x(static_cast<std::size_t>(rate * seconds) * ch);
        std::mt19937 rng(static_cast<unsigned>(i));
        std::normal_distribution<float> noise(0.f, 0.05f);
        for (std::size_t k = 0; k < x.size() / ch; ++k)
            for (int c = 0; c < ch; ++c)
                x[k * ch + c] = 0.4f * std::sin(2 * M_PI * (220.0 + 20 * i) * k / rate) + noise(rng);
        SF_INFO info{};
        info.samplerate = rate;
        info.channels = ch;
        info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        SNDFILE *f = sf_open(p.c_str(), SFM_WRITE, &info);
        sf_writef_float(f, x.data(), static_cast<sf_count_t>(x.size() / ch));
        sf_close(f);
    }
    return paths;
}

int images(const std::string &dir, int n, int threads)
{
    const auto paths = makeImages(dir, n);
    ImageSettings s;
    s.width = 64;
    s.height = 64;
    useSingleThreadedOpenCv();
    // Warm the page cache so both sides read from memory.
    for (auto &p : paths)
        readFile(p);

    // Reference: the same decode + resize written plainly with OpenCV, one thread.
    auto t0 = Clock::now();
    std::uint64_t check = 0;
    for (auto &p : paths) {
        cv::Mat m = cv::imread(p, cv::IMREAD_COLOR), r, rgb;
        cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
        cv::resize(rgb, r, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
        check += r.data[0];
    }
    const double ref = since(t0);

    // FuseLab: read + header probe + decode + resize + CHW, on the worker pool.
    std::vector<std::uint8_t> out(paths.size() * 3 * 64 * 64);
    t0 = Clock::now();
    parallelFor(static_cast<std::int64_t>(paths.size()), threads, [&](std::int64_t i) {
        const std::string bytes = readFile(paths[static_cast<std::size_t>(i)]);
        decodeImage(bytes, s, 3, 8, out.data() + i * 3 * 64 * 64, nullptr);
    });
    const double ours = since(t0);
    std::printf("images_files %d\n", n);
    std::printf("images_opencv_1thread %.1f images/s\n", n / ref);
    std::printf("images_fuselab_%dthreads %.1f images/s\n", resolveThreadCount(threads), n / ours);
    std::printf("images_ratio %.2f x\n", ref / ours);
    return check == 0xFFFFFFFF; // keep the reference loop from being optimised away
}

int audio(const std::string &dir, int n, int threads)
{
    const double seconds = 2.0;
    const auto paths = makeAudio(dir, n, seconds);
    for (auto &p : paths)
        readFile(p);
    MelOptions mo; // 16 kHz, n_fft 400, hop 200, 64 mels, log
    const MelSpectrogram mel(mo);
    const std::size_t length = static_cast<std::size_t>(seconds * mo.sampleRate);
    auto run = [&](int workers) {
        const int saved = at::get_num_threads();
        at::set_num_threads(1);
        const auto t0 = Clock::now();
        parallelFor(static_cast<std::int64_t>(paths.size()), workers, [&](std::int64_t i) {
            std::vector<float> wave;
            decodeAudioMono(paths[static_cast<std::size_t>(i)], mo.sampleRate, &wave, nullptr, nullptr);
            fitLength(wave, length);
            const at::Tensor spec = mel(at::from_blob(wave.data(), {static_cast<std::int64_t>(wave.size())}, at::kFloat));
            (void)spec;
        });
        const double t = since(t0);
        at::set_num_threads(saved);
        return t;
    };
    const double one = run(1);
    const double all = run(threads);
    std::printf("audio_files %d of %.1f s, 44.1 kHz stereo -> 16 kHz mono log-mel\n", n, seconds);
    std::printf("audio_fuselab_1thread %.1f audio-s/s\n", n * seconds / one);
    std::printf("audio_fuselab_%dthreads %.1f audio-s/s\n", resolveThreadCount(threads), n * seconds / all);
    return 0;
}

int fashion(int threads)
{
    const std::string d = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(d)) {
        std::fprintf(stderr, "dataset-fashion-mnist is not installed\n");
        return 2;
    }
    const fs::path tmp = fs::temp_directory_path() / "fuselab-bench-cache";
    fs::remove_all(tmp);
    const auto t0 = Clock::now();
    const Dataset ds = loadDataset(d);
    const double load = since(t0);
    PreprocessSettings s;
    s.image.width = 28;
    s.image.height = 28;
    CacheBuildOptions o;
    o.cacheRoot = tmp.string();
    o.threads = threads;
    const auto t1 = Clock::now();
    buildTensorCache(ds, s, o);
    const double build = since(t1);
    const auto t2 = Clock::now();
    const auto again = buildTensorCache(ds, s, o);
    const double reuse = since(t2);
    fs::remove_all(tmp);
    std::printf("fashion_samples %zu\n", ds.samples.size());
    std::printf("fashion_read_idx %.3f s\n", load);
    std::printf("fashion_cache_build %.3f s\n", build);
    std::printf("fashion_total %.3f s\n", load + build);
    std::printf("fashion_cache_reuse %.3f s (reused=%d)\n", reuse, again.reused ? 1 : 0);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "images" && argc >= 3)
        return images(argv[2], argc > 3 ? std::atoi(argv[3]) : 1000, argc > 4 ? std::atoi(argv[4]) : 0);
    if (cmd == "audio" && argc >= 3)
        return audio(argv[2], argc > 3 ? std::atoi(argv[3]) : 100, argc > 4 ? std::atoi(argv[4]) : 0);
    if (cmd == "fashion")
        return fashion(argc > 2 ? std::atoi(argv[2]) : 0);
    std::fprintf(stderr, "usage: bench_data images DIR [N] [threads] | audio DIR [N] [threads] | fashion [threads]\n");
    return 2;
}
