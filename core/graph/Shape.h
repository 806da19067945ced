// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

// What flows along an edge of the model graph, per sample (the batch dimension is implicit).
enum class PortKind {
    Vector,   // [d]
    Sequence, // [t, d]
    Image,    // [c, h, w]
    Tokens,   // [t] integer ids below `vocab`
};
const char *portKindName(PortKind k);

struct TensorShape {
    PortKind kind = PortKind::Vector;
    std::vector<std::int64_t> dims;
    std::int64_t vocab = 0; // Tokens only

    static TensorShape vector(std::int64_t d) { return {PortKind::Vector, {d}, 0}; }
    static TensorShape sequence(std::int64_t t, std::int64_t d) { return {PortKind::Sequence, {t, d}, 0}; }
    static TensorShape image(std::int64_t c, std::int64_t h, std::int64_t w) { return {PortKind::Image, {c, h, w}, 0}; }
    static TensorShape tokens(std::int64_t t, std::int64_t vocab) { return {PortKind::Tokens, {t}, vocab}; }

    std::int64_t numel() const;
    std::int64_t last() const { return dims.empty() ? 0 : dims.back(); } // feature size
    std::string toString() const; // "vector[128]", "sequence[64, 32]", "image[3, 64, 64]", "tokens[64] < 20000"
    bool operator==(const TensorShape &o) const { return kind == o.kind && dims == o.dims && vocab == o.vocab; }
    bool operator!=(const TensorShape &o) const { return !(*this == o); }
};

} // namespace fuselab
