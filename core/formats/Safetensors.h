// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
// JSON ({"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin,
// end]}}, offsets relative to the data), then the tensors' bytes, little-endian, C order,
// covering the data with no holes and no overlaps.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fuselab {

struct SafetensorsFile {
    std::vector<std::pair<std::string, at::Tensor>> tensors; // in the file's data order
    std::map<std::string, std::string> metadata;
};

// "F32", "BF16", "I64", "BOOL", ...; Error for a type the format has no name for.
std::string safetensorsDType(at::ScalarType type);

// Writes the tensors (any device, any layout; copied to contiguous CPU) in the given order,
// atomically. Error when two share a name or a dtype is not representable.
void writeSafetensors(const std::string &path, const std::vector<std::pair<std::string, at::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

// Reads and checks a whole file: Error naming the file and what is wrong (a header longer
// than the file, bad JSON, an unknown dtype, offsets that do not match the shape or leave
// holes, ...).
SafetensorsFile readSafetensors(const std::string &path);

} // namespace fuselab
