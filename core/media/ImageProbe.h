// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace fuselab {

// What an image file's header says, read without decoding: the format from its magic
// bytes (not its extension), the size, channels and bit depth. Lets FuseLab refuse a
// bomb (a header claiming 100000×100000 pixels) before anything is allocated, and name
// truncated files precisely.
struct ImageHeader {
    std::string format; // "png", "jpeg", "bmp", "webp", "tiff", "pnm"; empty = unknown
    std::int64_t width = 0, height = 0;
    int channels = 0;   // 0 when the header does not say
    int bitDepth = 8;   // per channel
    Message error;      // non-empty: the file is not a readable image, and why
};

// `bytes` is the whole file, or (wholeFile = false) only its start: then the checks that
// need the end of the file (PNG's IEND, JPEG's end-of-image marker) are skipped.
ImageHeader probeImage(std::string_view bytes, bool wholeFile = true);

} // namespace fuselab
