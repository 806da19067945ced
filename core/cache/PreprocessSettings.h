// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/TargetVocabulary.h"
#include "core/media/ImageDecoder.h"
#include "core/media/MelSpectrogram.h"
#include "core/media/Text.h"

#include <nlohmann/json_fwd.hpp>

namespace fuselab {

struct AudioSettings {
    double durationSeconds = 1.0; // every clip is cropped or zero-padded to this length
    MelOptions mel;               // mel.sampleRate is the target rate
    std::int64_t samples() const { return static_cast<std::int64_t>(durationSeconds * mel.sampleRate + 0.5); }
};

// How raw samples become tensors. Part of the tensor cache key: change any field and the
// cache is rebuilt. Augmentation is not here: it happens when batches are drawn.
struct PreprocessSettings {
    ImageSettings image;
    AudioSettings audio;
    TextSettings text;
    TargetSettings target; // sequence datasets: how their target texts become tokens

    nlohmann::json toJson() const;
    // Missing fields keep their defaults; a wrong type or value throws Error naming the field.
    static PreprocessSettings fromJson(const nlohmann::json &j);
};

} // namespace fuselab
