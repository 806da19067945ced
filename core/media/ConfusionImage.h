// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

struct PngImage {
    std::string bytes; // an RGB PNG
    int width = 0, height = 0;
};

// A confusion matrix drawn as an image ([true][predicted] counts): each cell shaded by its
// share of the true class's row (viridis), its count written in it, rows the true classes,
// columns the predicted ones, labelled with the class names (ASCII; other names by index).
PngImage confusionMatrixPng(const std::vector<std::vector<std::int64_t>> &confusion, const std::vector<std::string> &classes);

} // namespace fuselab
