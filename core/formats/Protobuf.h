// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Protocol buffer wire encoding (https://protobuf.dev/programming-guides/encoding/), just
// what FuseLab's writers need: TensorBoard's Event/Summary records and ONNX's ModelProto.
// Fields are appended to a string; a nested message is its encoded bytes as a bytes field.
#include <cstdint>
#include <cstring>
#include <string>

namespace fuselab::pb {

inline void varint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}
inline void key(std::string &out, int field, int wire) { varint(out, (static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire)); }
inline void bytesField(std::string &out, int field, const std::string &bytes)
{
    key(out, field, 2);
    varint(out, bytes.size());
    out += bytes;
}
// little-endian hosts (as everything FuseLab runs on)
inline void doubleField(std::string &out, int field, double v)
{
    key(out, field, 1);
    char b[8];
    std::memcpy(b, &v, 8);
    out.append(b, 8);
}
inline void floatField(std::string &out, int field, float v)
{
    key(out, field, 5);
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
}
// int32/int64/enum/bool: negative values as 10-byte two's complement, as protobuf does
inline void intField(std::string &out, int field, std::int64_t v)
{
    key(out, field, 0);
    varint(out, static_cast<std::uint64_t>(v));
}

} // namespace fuselab::pb
