// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/AudioDecoder.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
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

SNDFILE *openChecked(const std::string &path, SF_INFO &sfinfo, Message *error)
{
    sfinfo = SF_INFO{};
    SNDFILE *f = sf_open(path.c_str(), SFM_READ, &sfinfo);
    if (!f) {
        if (error) *error = Message(FL_TR("Media", "not a readable audio file: %1"), sf_strerror(nullptr));
        return nullptr;
    }
    // Real recordings run from telephone rates to 768 kHz; a header outside that (or with more
    // channels than any format carries) is damaged, and would size buffers from garbage.
    if (sfinfo.channels <= 0 || sfinfo.channels > 1024 || sfinfo.samplerate < 100 || sfinfo.samplerate > 768000) {
        if (error) *error = Message(FL_TR("Media", "audio header gives %1 channels at %2 Hz"), std::to_string(sfinfo.channels),
                                    std::to_string(sfinfo.samplerate));
        sf_close(f);
        return nullptr;
    }
    if (sfinfo.frames <= 0) {
        if (error) *error = Message(FL_TR("Media", "the audio file holds no samples"));
        sf_close(f);
        return nullptr;
    }
    return f;
}

} // namespace

bool probeAudio(const std::string &path, AudioInfo *info, Message *error)
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

namespace {

// Band-limited interpolation with a Hann-windowed sinc, evaluated directly in polyphase
// form: for a rational ratio up/down (after dividing by the gcd) there are `up` distinct
// fractional offsets, each with its own short kernel, precomputed once per rate pair.
// Six zero crossings of the low-pass filter on each side and a cut-off 1% below the lower
// Nyquist rate: the same filter family as torchaudio's default resampler, so pipelines
// agree with Python's, at a cost of ~2 x 6 / cutoff taps per output sample.
class PolyphaseResampler {
public:
    PolyphaseResampler(int from, int to)
    {
        const int g = std::gcd(from, to);
        m_down = from / g;
        m_up = to / g;
        const double cutoff = std::min(1.0, double(m_up) / m_down) * kRolloff; // in input-sample units
        const double reach = kZeroCrossings / cutoff;                          // kernel half-width, input samples
        m_taps = 2 * static_cast<int>(std::ceil(reach)) + 1;
        m_first = -(m_taps / 2);
        m_kernel.resize(static_cast<std::size_t>(m_up) * m_taps);
        for (int p = 0; p < m_up; ++p) {
            const double frac = double(p) / m_up; // output sits this far past input n0
            for (int t = 0; t < m_taps; ++t) {
                const double x = (m_first + t) - frac;
                double w = 0.0;
                if (std::abs(x) < reach) {
                    const double u = M_PI * cutoff * x;
                    const double sinc = u == 0.0 ? 1.0 : std::sin(u) / u;
                    const double hann = std::cos(M_PI * x / reach / 2.0);
                    w = cutoff * sinc * hann * hann;
                }
                m_kernel[static_cast<std::size_t>(p) * m_taps + t] = static_cast<float>(w);
            }
        }
    }

    // Few phases, and a kernel table of bounded size (downsampling by a large factor widens
    // every kernel).
    static bool suitable(int from, int to)
    {
        const std::int64_t up = to / std::gcd(from, to), down = from / std::gcd(from, to);
        const double cutoff = std::min(1.0, double(up) / double(down)) * kRolloff;
        return up <= 4096 && double(up) * (2.0 * std::ceil(kZeroCrossings / cutoff) + 1.0) <= double(1 << 22);
    }

    std::vector<float> operator()(const std::vector<float> &in) const
    {
        const auto n = static_cast<std::int64_t>(in.size());
        const std::int64_t outLen = (n * m_up + m_down - 1) / m_down;
        std::vector<float> out(static_cast<std::size_t>(outLen));
        for (std::int64_t j = 0; j < outLen; ++j) {
            const std::int64_t pos = j * m_down;
            const std::int64_t n0 = pos / m_up;
            const int phase = static_cast<int>(pos % m_up);
            const float *k = m_kernel.data() + static_cast<std::size_t>(phase) * m_taps;
            const std::int64_t start = n0 + m_first;
            float acc = 0.0f;
            if (start >= 0 && start + m_taps <= n) {
                const float *x = in.data() + start;
                for (int t = 0; t < m_taps; ++t)
                    acc += k[t] * x[t];
            } else {
                for (int t = 0; t < m_taps; ++t) {
                    const std::int64_t i = start + t;
                    if (i >= 0 && i < n)
                        acc += k[t] * in[static_cast<std::size_t>(i)];
                }
            }
            out[static_cast<std::size_t>(j)] = acc;
        }
        return out;
    }

private:
    static constexpr double kZeroCrossings = 6.0;
    static constexpr double kRolloff = 0.99;
    int m_up = 1, m_down = 1, m_taps = 1, m_first = 0;
    std::vector<float> m_kernel;
};

const PolyphaseResampler &resamplerFor(int from, int to)
{
    // A handful of rate pairs occur in a dataset; build each kernel table once.
    static std::mutex mutex;
    static std::map<std::pair<int, int>, std::unique_ptr<PolyphaseResampler>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto &slot = cache[{from, to}];
    if (!slot)
        slot = std::make_unique<PolyphaseResampler>(from, to);
    return *slot;
}

} // namespace

std::vector<float> resampleMono(const std::vector<float> &in, int fromRate, int toRate)
{
    if (fromRate == toRate || in.empty())
        return in;
    if (PolyphaseResampler::suitable(fromRate, toRate))
        return resamplerFor(fromRate, toRate)(in);
    // Awkward ratios (e.g. 44100 -> 16001) would need thousands of phases: libsamplerate's
    // continuously variable sinc converter handles those.
    const double ratio = double(toRate) / fromRate;
    std::vector<float> out(static_cast<std::size_t>(std::ceil(in.size() * ratio)) + 16);
    SRC_DATA d{};
    d.data_in = in.data();
    d.input_frames = static_cast<long>(in.size());
    d.data_out = out.data();
    d.output_frames = static_cast<long>(out.size());
    d.src_ratio = ratio;
    if (src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1) != 0)
        return {};
    out.resize(static_cast<std::size_t>(d.output_frames_gen));
    return out;
}

bool decodeAudioMono(const std::string &path, int targetRate, std::vector<float> *samples, AudioInfo *info,
                     Message *error)
{
    SF_INFO sfinfo;
    SNDFILE *f = openChecked(path, sfinfo, error);
    if (!f)
        return false;
    if (sfinfo.frames > (INT64_C(1) << 31) / sfinfo.channels) {
        if (error) *error = Message(FL_TR("Media", "audio file too long (%1 frames); refused"), std::to_string(sfinfo.frames));
        sf_close(f);
        return false;
    }
    const int ch = sfinfo.channels;
    std::vector<float> mono;
    // The header's frame count is a claim, not a fact: reserve at most 16 M samples from it and
    // let what is really decoded grow the buffer (found by fuzz_audio: a header claiming 2^31
    // frames made this reserve 6.5 GB).
    mono.reserve(static_cast<std::size_t>(std::min<sf_count_t>(sfinfo.frames, sf_count_t(1) << 24)));
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
        if (error) *error = Message(FL_TR("Media", "audio decode error: %1"), why);
        return false;
    }
    if (mono.empty()) {
        if (error) *error = Message(FL_TR("Media", "the audio file holds no samples"));
        return false;
    }
    for (float v : mono)
        if (!std::isfinite(v)) {
            if (error) *error = Message(FL_TR("Media", "the audio holds NaN or infinite samples"));
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
            if (error) *error = Message(FL_TR("Media", "resampling failed"));
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
