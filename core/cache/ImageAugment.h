// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/cache/AudioAugment.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>

namespace fuselab {

// Train-split-only augmentation (the experiment's "augmentation" section), applied to
// batches drawn from the tensor cache: images here, spectrograms in `audio`. Every random
// choice comes from a seed, so a run is reproducible.
struct AugmentSettings {
    int cropPadding = 0;          // pad by this many pixels (zeros), then crop back at a random offset
    double flipProbability = 0;   // horizontal flip
    double rotationDegrees = 0;   // uniform in [-r, r]
    double brightness = 0;        // add uniform [-b, b] (images are in [0, 1] here)
    double contrast = 0;          // scale around the image mean by uniform [1-c, 1+c]

    AudioAugmentSettings audio;   // SpecAugment-style masks and time shift

    bool anyImage() const { return cropPadding > 0 || flipProbability > 0 || rotationDegrees > 0 || brightness > 0 || contrast > 0; }
    bool any() const { return anyImage() || audio.any(); }
    nlohmann::json toJson() const;
    static AugmentSettings fromJson(const nlohmann::json &j);
};

// images: [B, C, H, W] float in [0, 1]; returns the augmented batch (same shape, clamped to [0, 1]).
at::Tensor augmentImages(const at::Tensor &images, const AugmentSettings &settings, std::uint64_t seed);

} // namespace fuselab
