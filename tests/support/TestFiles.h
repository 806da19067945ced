// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers that generate test inputs on the fly: images, audio, text, folder trees.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab::test {

void writeFile(const std::string &path, const std::string &bytes);
std::string readAll(const std::string &path);
void makeDirs(const std::string &path);

// An encoded image with a deterministic pattern. ext: ".png", ".jpg", ".bmp", ".webp", ".tif".
// channels 1, 3 or 4; depth 8 or 16 (PNG/TIFF only).
std::string encodeImage(const std::string &ext, int width, int height, int channels = 3, int depth = 8,
                        int seed = 0);
// A PNG whose header claims width × height pixels but holds no image data: a decompression
// bomb's calling card, which must be refused before anything is allocated.
std::string pngHeaderOnly(std::uint32_t width, std::uint32_t height);
void writeImage(const std::string &path, int width, int height, int channels = 3, int depth = 8, int seed = 0);

// A sine tone, written with libsndfile. format: SF_FORMAT_* major|subtype.
std::vector<float> sine(double freq, int rate, double seconds, int channels = 1, float amplitude = 0.5f);
void writeAudio(const std::string &path, const std::vector<float> &interleaved, int rate, int channels, int format);
void writeWav(const std::string &path, double freq, int rate, double seconds, int channels = 1);

// Three classes of 8x8 grey PGM images under root/{dark,mid,bright}/, 30 each, told apart by
// brightness with some noise: a dataset any model learns in a few epochs.
void writeBrightnessClasses(const std::string &root);

// root/manifest.csv: 180 samples (120 train, 30 val, 30 test) of an 8x8 grey photo whose
// brightness decides the class (dark, mid, bright) and a caption of four words drawn
// independently of the class (noise). Returns the manifest's path.
std::string writePhotoCaptionDataset(const std::string &root);

// Writes a fuzzer's input that stands for several files (parts separated by "\n----\n", as
// tests/fuzz/FuzzSupport.h splits them) into `dir`, one file per name; missing parts are empty.
void writeFuzzParts(const std::string &input, const std::string &dir, const std::vector<std::string> &names);

// Runs fuselab-cli with arguments; returns the exit code and captures stdout/stderr.
int runCli(const std::vector<std::string> &args, std::string *out = nullptr, std::string *err = nullptr,
           int timeoutMs = 120000);

} // namespace fuselab::test
