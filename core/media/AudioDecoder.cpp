// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/AudioDecoder.h"

#include <cmath>
#include <samplerate.h>
#include <sndfile.h>

namespace fuselab {

namespace {

std::string formatName(int format)
{
    switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: case SF_FORMAT_WAVEX: return "wav";
    case SF_FORMAT_FLAC: return "flac";
    case SF_FORMAT_OGG: return "ogg";
    case SF_FORMAT_AIFF: return "aiff";
    default: return "other";
    }
}

SNDFILE *openChecked(const std::string &path, SF_INFO &sfinfo, std::string *error)
{
    sfinfo = SF_INFO{};
    SNDFILE *f = sf_open(path.c_str(), SFM_READ, &sfinfo);
    if (!f) {
        if (error) *error = std::string("not a readable audio file: ") + sf_strerror(nullptr);
        return nullptr;
    }
    if (sfinfo.channels <= 0 || sfinfo.samplerate <= 0) {
        if (error) *error = "audio header gives " + std::to_string(sfinfo.channels) + " channels at "
                          + std::to_string(sfinfo.samplerate) + " Hz";
        sf_close(f);
        return nullptr;
    }
    if (sfinfo.frames <= 0) {
        if (error) *error = "the audio file holds no samples";
        sf_close(f);
        return nullptr;
    }
    return f;
}

} // namespace

bool probeAudio(const std::string &path, AudioInfo *info, std::string *error)
{
    SF_INFO sfinfo;
    SNDFILE *f = openChecked(path, sfinfo, error);
    if (!f)
        return false;
    if (info) {
        info->sampleRate = sfinfo.samplerate;
        info->channels = sfinfo.channels;
        info->frames = sfinfo.frames;
        info->format = formatName(sfinfo.format);
    }
    sf_close(f);
    return true;
}

std::vector<float> resampleMono(const std::vector<float> &in, int fromRate, int toRate)
{
    if (fromRate == toRate || in.empty())
        return in;
    const double ratio = double(toRate) / fromRate;
    std::vector<float> out(static_cast<std::size_t>(std::ceil(in.size() * ratio)) + 16);
    SRC_DATA d{};
    d.data_in = in.data();
    d.input_frames = static_cast<long>(in.size());
    d.data_out = out.data();
    d.output_frames = static_cast<long>(out.size());
    d.src_ratio = ratio;
    // Medium-quality sinc: 97 dB SNR, well past what a log-mel front end resolves.
    if (src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1) != 0)
        return {};
    out.resize(static_cast<std::size_t>(d.output_frames_gen));
    return out;
}

bool decodeAudioMono(const std::string &path, int targetRate, std::vector<float> *samples, AudioInfo *info,
                     std::string *error)
{
    SF_INFO sfinfo;
    SNDFILE *f = openChecked(path, sfinfo, error);
    if (!f)
        return false;
    if (sfinfo.frames > (INT64_C(1) << 31) / sfinfo.channels) {
        if (error) *error = "audio file too long (" + std::to_string(sfinfo.frames) + " frames); refused";
        sf_close(f);
        return false;
    }
    const int ch = sfinfo.channels;
    std::vector<float> mono;
    mono.reserve(static_cast<std::size_t>(sfinfo.frames));
    std::vector<float> buf(4096 * static_cast<std::size_t>(ch));
    sf_count_t got;
    while ((got = sf_readf_float(f, buf.data(), 4096)) > 0) {
        for (sf_count_t i = 0; i < got; ++i) {
            float s = 0;
            for (int c = 0; c < ch; ++c)
                s += buf[static_cast<std::size_t>(i * ch + c)];
            mono.push_back(s / ch);
        }
    }
    const int err = sf_error(f);
    const std::string why = err ? sf_strerror(f) : "";
    sf_close(f);
    if (err) {
        if (error) *error = "audio decode error: " + why;
        return false;
    }
    if (mono.empty()) {
        if (error) *error = "the audio file holds no samples";
        return false;
    }
    for (float v : mono)
        if (!std::isfinite(v)) {
            if (error) *error = "the audio holds NaN or infinite samples";
            return false;
        }
    if (info) {
        info->sampleRate = sfinfo.samplerate;
        info->channels = ch;
        info->frames = static_cast<std::int64_t>(mono.size());
        info->format = formatName(sfinfo.format);
    }
    if (targetRate > 0 && targetRate != sfinfo.samplerate) {
        mono = resampleMono(mono, sfinfo.samplerate, targetRate);
        if (mono.empty()) {
            if (error) *error = "resampling failed";
            return false;
        }
    }
    if (samples)
        *samples = std::move(mono);
    return true;
}

void fitLength(std::vector<float> &samples, std::size_t length)
{
    samples.resize(length, 0.0f);
}

} // namespace fuselab
