// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>

namespace fuselab {

// Train-split-only augmentation of log-mel spectrograms, in the style of SpecAugment (Park
// et al. 2019): masks hide random bands of mel bins and runs of frames, so the model cannot
// lean on any one of them; a time shift moves the clip in time (circularly), so it cannot
// lean on where in the clip the sound starts. Seeded, so runs are reproducible.
struct AudioAugmentSettings {
    int freqMask = 0;      // widest frequency mask, in mel bins (0 = none)
    int timeMask = 0;      // widest time mask, in frames (0 = none)
    int masks = 2;         // masks of each kind per clip
    double timeShift = 0;  // largest shift as a fraction of the clip's frames, in [0, 0.5]

    bool any() const { return (masks > 0 && (freqMask > 0 || timeMask > 0)) || timeShift > 0; }
    // Adds "spec_freq_mask", "spec_time_mask", "spec_masks" and "time_shift" to an
    // augmentation object.
    void addTo(nlohmann::json &j) const;
    static AudioAugmentSettings fromJson(const nlohmann::json &j);
};

// spectrograms: [B, n_mels, frames], already normalised (so a masked value, 0, is the mean).
// Each clip with `present` set gets its own masks and shift; others are left as they are.
at::Tensor augmentSpectrograms(const at::Tensor &spectrograms, const at::Tensor &present, const AudioAugmentSettings &settings,
                               std::uint64_t seed);

} // namespace fuselab
