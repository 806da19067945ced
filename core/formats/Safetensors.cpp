// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/Safetensors.h"

#include "core/util/Error.h"
#include "core/util/FileIO.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

namespace fuselab {

namespace {

struct DType {
    const char *name;
    at::ScalarType type;
};
constexpr DType dtypes[] = {
    {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf}, {"BF16", at::kBFloat16}, {"I64", at::kLong},
    {"I32", at::kInt},    {"I16", at::kShort}, {"I8", at::kChar},  {"U8", at::kByte},       {"BOOL", at::kBool},
};

bool littleEndian()
{
    const std::uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

[[noreturn]] void bad(const std::string &path, const std::string &why)
{
    throw Error(Message(FL_TR("Safetensors", "%1: not a valid safetensors file: %2"), path, why));
}

} // namespace

std::string safetensorsDType(at::ScalarType type)
{
    for (const DType &d : dtypes)
        if (d.type == type)
            return d.name;
    throw Error(Message(FL_TR("Safetensors", "the safetensors format has no type for %1 tensors"), std::string(c10::toString(type))));
}

void writeSafetensors(const std::string &path, const std::vector<std::pair<std::string, at::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata)
{
    if (!littleEndian())
        throw Error(Message::plain("safetensors: writing on a big-endian machine is not supported"));
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<at::Tensor> data;
    std::uint64_t offset = 0;
    for (const auto &[name, t] : tensors) {
        if (name == "__metadata__" || header.contains(name))
            throw Error(Message(FL_TR("Safetensors", "%1: the tensor name \"%2\" is used twice"), path, name));
        at::Tensor c = t.detach().to(at::kCPU).contiguous();
        const std::uint64_t bytes = static_cast<std::uint64_t>(c.numel()) * c.element_size();
        header[name] = {{"dtype", safetensorsDType(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(std::move(c));
    }
    std::string json = header.dump();
    json.append((8 - json.size() % 8) % 8, ' '); // the data starts 8-byte aligned
    std::string out(8, '\0');
    const std::uint64_t n = json.size();
    for (int i = 0; i < 8; ++i)
        out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    out += json;
    out.reserve(out.size() + offset);
    for (const at::Tensor &c : data)
        out.append(static_cast<const char *>(c.data_ptr()), static_cast<std::size_t>(c.numel()) * c.element_size());
    writeFileAtomically(path, out);
}

SafetensorsFile readSafetensors(const std::string &path)
{
    if (!littleEndian())
        throw Error(Message::plain("safetensors: reading on a big-endian machine is not supported"));
    const std::string bytes = readFile(path, std::uint64_t(1) << 40);
    if (bytes.size() < 8)
        bad(path, "shorter than its 8-byte header length");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    if (n > bytes.size() - 8)
        bad(path, "the header length (" + std::to_string(n) + " bytes) runs past the end of the file");
    if (n > (std::uint64_t(100) << 20))
        bad(path, "the header is longer than 100 MB");
    const nlohmann::json header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n), nullptr, false);
    if (header.is_discarded() || !header.is_object())
        bad(path, "the header is not a JSON object");
    const std::uint64_t dataSize = bytes.size() - 8 - n;
    const char *data = bytes.data() + 8 + n;
    SafetensorsFile file;
    struct Span {
        std::uint64_t begin, end;
        std::string name;
        at::Tensor tensor;
    };
    std::vector<Span> spans;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string &name = it.key();
        const nlohmann::json &v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object())
                bad(path, "__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    bad(path, "__metadata__ value \"" + m.key() + "\" is not a string");
                file.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!v.is_object() || !v.contains("dtype") || !v["dtype"].is_string() || !v.contains("shape") || !v["shape"].is_array() ||
            !v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
            bad(path, "tensor \"" + name + "\" needs dtype, shape and data_offsets [begin, end]");
        const std::string dtype = v["dtype"].get<std::string>();
        const DType *d = std::find_if(std::begin(dtypes), std::end(dtypes), [&](const DType &x) { return dtype == x.name; });
        if (d == std::end(dtypes))
            bad(path, "tensor \"" + name + "\" has dtype \"" + dtype + "\", which FuseLab does not read");
        std::vector<std::int64_t> shape;
        std::uint64_t count = 1;
        const std::uint64_t limit = (std::uint64_t(1) << 62) / c10::elementSize(d->type); // so that bytes = count * size cannot wrap
        for (const auto &s : v["shape"]) {
            if (!s.is_number_unsigned() && !(s.is_number_integer() && s.get<std::int64_t>() >= 0))
                bad(path, "tensor \"" + name + "\" has a shape that is not a list of non-negative integers");
            const auto dim = s.get<std::uint64_t>();
            if (dim > static_cast<std::uint64_t>(INT64_MAX) || (dim > 0 && count > 0 && count > limit / dim))
                bad(path, "tensor \"" + name + "\" is impossibly large");
            count *= dim;
            shape.push_back(static_cast<std::int64_t>(dim));
        }
        const auto &o = v["data_offsets"];
        if (!o[0].is_number_unsigned() || !o[1].is_number_unsigned())
            bad(path, "tensor \"" + name + "\" has data_offsets that are not non-negative integers");
        const std::uint64_t begin = o[0].get<std::uint64_t>(), end = o[1].get<std::uint64_t>();
        const std::uint64_t element = c10::elementSize(d->type);
        if (begin > end || end > dataSize)
            bad(path, "tensor \"" + name + "\": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                          "] are outside the " + std::to_string(dataSize) + " data bytes");
        if (end - begin != count * element)
            bad(path, "tensor \"" + name + "\": " + std::to_string(end - begin) + " data bytes for a " + dtype + " tensor of " +
                          std::to_string(count) + " elements");
        at::Tensor t = at::empty(shape, at::TensorOptions().dtype(d->type));
        if (end > begin)
            std::memcpy(t.data_ptr(), data + begin, static_cast<std::size_t>(end - begin));
        spans.push_back({begin, end, name, std::move(t)});
    }
    std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
    std::uint64_t at = 0;
    for (const Span &s : spans) {
        if (s.begin != at)
            bad(path, s.begin > at ? "the data has a hole before tensor \"" + s.name + "\"" : "tensor \"" + s.name + "\" overlaps another");
        at = s.end;
    }
    if (at != dataSize)
        bad(path, std::to_string(dataSize - at) + " data bytes at the end belong to no tensor");
    for (Span &s : spans)
        file.tensors.emplace_back(std::move(s.name), std::move(s.tensor));
    return file;
}

} // namespace fuselab
