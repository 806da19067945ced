// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/Shape.h"

namespace fuselab {

const char *portKindName(PortKind k)
{
    switch (k) {
    case PortKind::Vector: return "vector";
    case PortKind::Sequence: return "sequence";
    case PortKind::Image: return "image";
    case PortKind::Tokens: return "tokens";
    }
    return "?";
}

std::int64_t TensorShape::numel() const
{
    std::int64_t n = 1;
    for (auto d : dims)
        n *= d;
    return n;
}

std::string TensorShape::toString() const
{
    std::string s = std::string(portKindName(kind)) + "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    s += "]";
    if (kind == PortKind::Tokens)
        s += " < " + std::to_string(vocab);
    return s;
}

} // namespace fuselab
