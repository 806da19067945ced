// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace fuselab {

// Options with torchaudio.transforms.MelSpectrogram's meaning and defaults where they
// exist (HTK mel scale, no filter normalisation, power 2, centred reflect-padded frames,
// periodic Hann window).
struct MelOptions {
    int sampleRate = 16000;
    int nFft = 400;
    int winLength = 0;   // 0 = nFft
    int hopLength = 0;   // 0 = winLength / 2
    double fMin = 0.0;
    double fMax = 0.0;   // 0 = sampleRate / 2
    int nMels = 64;
    bool log = true;     // natural log of (mel + logEps)
    double logEps = 1e-6;

    int effectiveWin() const { return winLength > 0 ? winLength : nFft; }
    int effectiveHop() const { return hopLength > 0 ? hopLength : effectiveWin() / 2; }
    double effectiveFMax() const { return fMax > 0 ? fMax : sampleRate / 2.0; }
    std::int64_t frames(std::int64_t samples) const { return 1 + samples / effectiveHop(); }
};

class MelSpectrogram {
public:
    explicit MelSpectrogram(const MelOptions &options);
    // waveform [T] or [B, T] float → [n_mels, frames] or [B, n_mels, frames].
    at::Tensor operator()(const at::Tensor &waveform) const;
    // The mel power spectrogram before the log, whatever options.log says.
    at::Tensor power(const at::Tensor &waveform) const;
    const at::Tensor &filterbank() const { return m_fb; } // [n_freqs, n_mels]
    const MelOptions &options() const { return m_options; }

private:
    MelOptions m_options;
    at::Tensor m_fb;
    at::Tensor m_window;
};

} // namespace fuselab
