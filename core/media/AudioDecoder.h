// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

struct AudioInfo {
    int sampleRate = 0;
    int channels = 0;
    std::int64_t frames = 0;
    std::string format; // "wav", "flac", "ogg", ...
    double durationSeconds() const { return sampleRate > 0 ? double(frames) / sampleRate : 0.0; }
};

// Reads the header only (libsndfile). False with `error` set when the file is unreadable.
bool probeAudio(const std::string &path, AudioInfo *info, Message *error);

// Decodes the whole file (WAV 8/16/24/32-bit PCM or float, FLAC, OGG…), mixes the channels
// down to mono and resamples to `targetRate` (0 keeps the file's rate; see resampleMono).
// False with `error` set on a broken header, no samples, or a decode error.
bool decodeAudioMono(const std::string &path, int targetRate, std::vector<float> *samples, AudioInfo *info,
                     Message *error);

// Resamples mono audio: windowed-sinc polyphase for rate pairs with a small common
// factor structure (all the usual ones), libsamplerate for the rest. Exposed for tests.
std::vector<float> resampleMono(const std::vector<float> &in, int fromRate, int toRate);

// Crops (from the start) or zero-pads to exactly `length` samples.
void fitLength(std::vector<float> &samples, std::size_t length);

} // namespace fuselab
