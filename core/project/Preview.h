// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small views of a dataset's samples for a browser: an image thumbnail, the text, the audio.
#ifdef FUSELAB_WITH_INGEST
#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

struct FieldPreview {
    Modality kind = Modality::Image;
    bool present = false;
    Message error;                      // why it could not be read (empty when it could)
    // Image: an RGB thumbnail (aspect kept, padded), row-major width x height x 3.
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;
    // Text: the start of it (at most 400 characters, whole UTF-8 sequences).
    std::string text;
    // Audio: mono samples at `sampleRate` (the first 10 seconds) and the clip's length.
    std::vector<float> samples;
    int sampleRate = 0;
    double seconds = 0;
    // Audio, when asked for: the log-mel spectrogram of those samples, [melBins][melFrames]
    // row-major (40 mel bands, 10 ms hops), and the path to play.
    std::vector<float> logMel;
    int melBins = 0, melFrames = 0;
    std::string path;
};

// Decodes one field of one sample for display; never throws for a bad file (error says why).
// Thread-safe: a browser calls it from a pool of threads.
FieldPreview previewField(const Dataset &dataset, std::size_t sample, std::size_t column, int thumbnailSize = 96,
                          bool spectrogram = false);

} // namespace fuselab
#endif
