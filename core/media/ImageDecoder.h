// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/media/ImageProbe.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace fuselab {

enum class ResizeMode { Stretch, Pad };

struct ImageSettings {
    int width = 64, height = 64;
    int channels = 0;                           // 1 (grey) or 3 (RGB); 0 = decided from the data
    ResizeMode resize = ResizeMode::Stretch;    // Pad keeps the aspect ratio, centred on black
    std::int64_t maxPixels = INT64_C(1) << 26;  // larger images are refused before decoding
};

// Decodes an encoded image (any format OpenCV reads), converts it to `channels` (1 grey
// or 3 RGB; alpha is dropped) and `bitDepth` (8 or 16), resizes it as the settings say
// and writes channels×height×width values (uint8 or uint16) in CHW order to `out`.
// Returns false with `error` set on any failure; never throws, never aborts.
bool decodeImage(std::string_view bytes, const ImageSettings &settings, int channels, int bitDepth, void *out,
                 Message *error, ImageHeader *header = nullptr);

// JPEGs can be decoded directly at 1/2, 1/4 or 1/8 of their size (libjpeg's scaled
// inverse DCT, a low-pass of the full image), which skips most of the decoding work. This
// is the largest such factor that still leaves at least the target width and height, so
// the final resize only shrinks; 1 when none does (or the header gives no size).
int jpegReduction(const ImageHeader &header, const ImageSettings &settings);

// Fully decodes to check the file is readable; fills `header` with the real size/channels.
bool validateImage(std::string_view bytes, std::int64_t maxPixels, ImageHeader *header, Message *error);

// Same conversion for raw 8-bit grey pixels already in memory (IDX images).
void resizeGrey8(const std::uint8_t *pixels, int rows, int cols, const ImageSettings &settings, int channels,
                 int bitDepth, void *out);

// OpenCV's own thread pool would fight FuseLab's: decode workers call this once.
void useSingleThreadedOpenCv();

} // namespace fuselab
