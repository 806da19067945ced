// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/AudioAugment.h"

#include "core/util/Error.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace fuselab {

void AudioAugmentSettings::addTo(nlohmann::json &j) const
{
    j["spec_freq_mask"] = freqMask;
    j["spec_time_mask"] = timeMask;
    j["spec_masks"] = masks;
    j["time_shift"] = timeShift;
}

AudioAugmentSettings AudioAugmentSettings::fromJson(const nlohmann::json &j)
{
    AudioAugmentSettings a;
    try {
        a.freqMask = j.value("spec_freq_mask", 0);
        a.timeMask = j.value("spec_time_mask", 0);
        a.masks = j.value("spec_masks", 2);
        a.timeShift = j.value("time_shift", 0.0);
    } catch (const nlohmann::json::exception &e) {
        throw Error(Message(FL_TR("Cache", "augmentation settings: %1"), e.what()));
    }
    if (a.freqMask < 0 || a.freqMask > 1024)
        throw Error(Message(FL_TR("Cache", "augmentation \"%1\" must be %2 to %3"), "spec_freq_mask", "0", "1024"));
    if (a.timeMask < 0 || a.timeMask > 100000)
        throw Error(Message(FL_TR("Cache", "augmentation \"%1\" must be %2 to %3"), "spec_time_mask", "0", "100000"));
    if (a.masks < 0 || a.masks > 16)
        throw Error(Message(FL_TR("Cache", "augmentation \"%1\" must be %2 to %3"), "spec_masks", "0", "16"));
    if (!(a.timeShift >= 0 && a.timeShift <= 0.5))
        throw Error(Message(FL_TR("Cache", "augmentation \"%1\" must be %2 to %3"), "time_shift", "0", "0.5"));
    return a;
}

at::Tensor augmentSpectrograms(const at::Tensor &spectrograms, const at::Tensor &present, const AudioAugmentSettings &s, std::uint64_t seed)
{
    if (!s.any() || spectrograms.size(0) == 0)
        return spectrograms;
    TORCH_CHECK(spectrograms.dim() == 3, "augmentSpectrograms expects [B, n_mels, frames]");
    const std::int64_t B = spectrograms.size(0), F = spectrograms.size(1), T = spectrograms.size(2);
    const at::Tensor has = present.to(at::kCPU).to(at::kBool).contiguous();
    std::mt19937_64 rng(seed);
    auto below = [&](std::int64_t n) { return n <= 1 ? std::int64_t(0) : static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n)); };
    at::Tensor x = spectrograms.clone();
    for (std::int64_t b = 0; b < B; ++b) {
        if (!has[b].item<bool>())
            continue;
        at::Tensor clip = x[b];
        if (s.timeShift > 0) {
            const std::int64_t most = static_cast<std::int64_t>(s.timeShift * double(T));
            const std::int64_t shift = below(2 * most + 1) - most;
            if (shift != 0)
                clip.copy_(at::roll(clip, {shift}, {1}));
        }
        for (int k = 0; k < s.masks; ++k) {
            if (s.freqMask > 0) {
                const std::int64_t width = below(std::min<std::int64_t>(s.freqMask, F) + 1); // 0 .. freqMask
                const std::int64_t start = below(F - width + 1);
                if (width > 0)
                    clip.slice(0, start, start + width).zero_();
            }
            if (s.timeMask > 0) {
                const std::int64_t width = below(std::min<std::int64_t>(s.timeMask, T) + 1);
                const std::int64_t start = below(T - width + 1);
                if (width > 0)
                    clip.slice(1, start, start + width).zero_();
            }
        }
    }
    return x;
}

} // namespace fuselab
