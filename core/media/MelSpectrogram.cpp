// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/MelSpectrogram.h"

#include "core/util/Error.h"

#include <ATen/ATen.h>

#include <cmath>

namespace fuselab {

namespace {
double hzToMel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
} // namespace

MelSpectrogram::MelSpectrogram(const MelOptions &o) : m_options(o)
{
    if (o.sampleRate <= 0 || o.nFft <= 0 || o.nMels <= 0 || o.effectiveWin() > o.nFft || o.effectiveHop() <= 0)
        throw Error(Message(FL_TR("Media", "invalid log-mel settings: need sample_rate, n_fft, n_mels > 0 and win_length <= n_fft")));
    if (o.fMin < 0 || o.effectiveFMax() <= o.fMin || o.effectiveFMax() > o.sampleRate / 2.0 + 1e-9)
        throw Error(Message(FL_TR("Media", "invalid log-mel settings: need 0 <= f_min < f_max <= sample_rate / 2")));
    const int nFreqs = o.nFft / 2 + 1;
    // Triangular filters between mel-spaced points, computed as torchaudio does
    // (torchaudio.functional.melscale_fbanks), in double then stored as float.
    const auto dbl = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor allFreqs = at::linspace(0, o.sampleRate / 2, nFreqs, dbl);
    const at::Tensor mPts = at::linspace(hzToMel(o.fMin), hzToMel(o.effectiveFMax()), o.nMels + 2, dbl);
    const at::Tensor fPts = 700.0 * (at::pow(10.0, mPts / 2595.0) - 1.0);
    const at::Tensor fDiff = fPts.slice(0, 1) - fPts.slice(0, 0, -1);
    const at::Tensor slopes = fPts.unsqueeze(0) - allFreqs.unsqueeze(1);
    const at::Tensor down = -slopes.slice(1, 0, -2) / fDiff.slice(0, 0, -1);
    const at::Tensor up = slopes.slice(1, 2) / fDiff.slice(0, 1);
    m_fb = at::clamp_min(at::minimum(down, up), 0.0).to(at::kFloat).contiguous();
    m_window = at::hann_window(o.effectiveWin(), /*periodic=*/true, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor MelSpectrogram::power(const at::Tensor &waveform) const
{
    const MelOptions &o = m_options;
    at::Tensor x = waveform.to(at::kFloat);
    const bool single = x.dim() == 1;
    if (single)
        x = x.unsqueeze(0);
    // Centre the frames: reflect-pad n_fft/2 on both sides (torch.stft(center=True)).
    const int pad = o.nFft / 2;
    if (x.size(-1) <= pad) // reflect padding needs more samples than the pad; zero-extend
        x = at::constant_pad_nd(x, {0, pad + 1 - x.size(-1)}, 0.0);
    x = at::reflection_pad1d(x.unsqueeze(1), {pad, pad}).squeeze(1);
    const at::Tensor spec = at::stft(x, o.nFft, o.effectiveHop(), o.effectiveWin(), m_window.to(x.device()),
                                     /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);
    const at::Tensor powerSpec = spec.abs().pow(2.0); // |X|^2 as torchaudio computes it, [B, freq, frames]
    at::Tensor mel = at::matmul(powerSpec.transpose(1, 2), m_fb.to(x.device())).transpose(1, 2);
    return single ? mel.squeeze(0) : mel;
}

at::Tensor MelSpectrogram::operator()(const at::Tensor &waveform) const
{
    at::Tensor mel = power(waveform);
    return m_options.log ? at::log(mel + m_options.logEps) : mel;
}

} // namespace fuselab
