// SPDX-License-Identifier: GPL-3.0-or-later
// Images (PNG, JPEG, PNM, BMP, TIFF, WebP, ...): the header probe, the validation with the
// pixel limit, then the decoder into a 32x32 tensor record, as the cache builder does.
#include "core/media/ImageDecoder.h"
#include "core/media/ImageProbe.h"
#include "tests/fuzz/FuzzSupport.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const bool once = [] {
        fuselab::useSingleThreadedOpenCv();
        return true;
    }();
    (void)once;
    const std::string_view bytes = fuzz::asText(data, size);
    (void)fuselab::probeImage(bytes, true);
    (void)fuselab::probeImage(bytes, false);
    fuselab::ImageHeader header;
    fuselab::Message error;
    if (!fuselab::validateImage(bytes, INT64_C(1) << 22, &header, &error))
        return 0;
    fuselab::ImageSettings settings;
    settings.width = settings.height = 32;
    settings.maxPixels = INT64_C(1) << 22;
    std::vector<std::uint16_t> out(3 * 32 * 32);
    (void)fuselab::decodeImage(bytes, settings, 3, 8, out.data(), &error);
    settings.resize = fuselab::ResizeMode::Pad;
    (void)fuselab::decodeImage(bytes, settings, 1, 16, out.data(), &error);
    return 0;
}
