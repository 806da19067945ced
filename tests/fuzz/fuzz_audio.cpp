// SPDX-License-Identifier: GPL-3.0-or-later
// Audio files through FuseLab's decoder (libsndfile: WAV, FLAC, OGG/Vorbis, ...): probe, then
// decode to mono and resample, as the cache builder does.
#include "core/media/AudioDecoder.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string path = fuzz::writeScratch("input.wav", fuzz::asText(data, size));
    fuselab::AudioInfo info;
    fuselab::Message error;
    if (!fuselab::probeAudio(path, &info, &error))
        return 0;
    std::vector<float> samples;
    (void)fuselab::decodeAudioMono(path, 16000, &samples, &info, &error);
    return 0;
}
