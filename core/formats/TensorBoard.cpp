// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/TensorBoard.h"

#include "core/formats/Protobuf.h"

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace fuselab {

namespace {

std::array<std::uint32_t, 256> makeTable()
{
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1; // Castagnoli, reflected
        t[i] = c;
    }
    return t;
}

using pb::bytesField;
using pb::doubleField;
using pb::floatField;
using pb::intField;
using pb::key;
using pb::varint;

double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string event(std::int64_t step, const std::string &summary)
{
    std::string e;
    doubleField(e, 1, now());
    intField(e, 2, step);
    bytesField(e, 5, summary);
    return e;
}

std::string protobufValue(const nlohmann::json &v)
{
    std::string out;
    if (v.is_boolean()) {
        key(out, 4, 0);
        varint(out, v.get<bool>() ? 1 : 0);
    } else if (v.is_number()) {
        doubleField(out, 2, v.get<double>());
    } else {
        bytesField(out, 3, v.is_string() ? v.get<std::string>() : v.dump());
    }
    return out;
}

} // namespace

std::uint32_t crc32c(const void *data, std::size_t size)
{
    static const std::array<std::uint32_t, 256> table = makeTable();
    std::uint32_t c = 0xFFFFFFFFu;
    const auto *p = static_cast<const unsigned char *>(data);
    for (std::size_t i = 0; i < size; ++i)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::uint32_t maskedCrc32c(const void *data, std::size_t size)
{
    const std::uint32_t c = crc32c(data, size);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string tfRecord(const std::string &data)
{
    std::string out;
    char len[8];
    const std::uint64_t n = data.size();
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    auto le32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xff);
    };
    out.append(len, 8);
    le32(maskedCrc32c(len, 8));
    out += data;
    le32(maskedCrc32c(data.data(), data.size()));
    return out;
}

EventFileWriter::EventFileWriter(const std::string &dir)
{
    char host[256] = "host";
    ::gethostname(host, sizeof host - 1);
    const auto seconds = static_cast<long long>(now());
    m_path = (std::filesystem::path(dir) / ("events.out.tfevents." + std::to_string(seconds) + "." + host + "." +
                                            std::to_string(::getpid()) + ".fuselab"))
                 .string();
    m_out.open(m_path, std::ios::binary | std::ios::app);
    if (!m_out)
        throw Error(Message(FL_TR("TensorBoard", "cannot write %1"), m_path));
    std::string e;
    doubleField(e, 1, now());
    bytesField(e, 3, "brain.Event:2");
    write(e);
    flush();
}

void EventFileWriter::write(const std::string &eventBytes)
{
    const std::string r = tfRecord(eventBytes);
    m_out.write(r.data(), static_cast<std::streamsize>(r.size()));
}

void EventFileWriter::scalar(const std::string &tag, double value, std::int64_t step)
{
    std::string v;
    bytesField(v, 1, tag);
    floatField(v, 2, static_cast<float>(value));
    std::string summary;
    bytesField(summary, 1, v);
    write(event(step, summary));
}

void EventFileWriter::image(const std::string &tag, const std::string &png, int height, int width, std::int64_t step, int colorspace)
{
    std::string img;
    intField(img, 1, height);
    intField(img, 2, width);
    intField(img, 3, colorspace);
    bytesField(img, 4, png);
    std::string v;
    bytesField(v, 1, tag);
    bytesField(v, 4, img);
    std::string summary;
    bytesField(summary, 1, v);
    write(event(step, summary));
}

void EventFileWriter::hparams(const nlohmann::json &values)
{
    std::string start;
    for (auto it = values.begin(); it != values.end(); ++it) {
        std::string entry;
        bytesField(entry, 1, it.key());
        bytesField(entry, 2, protobufValue(it.value()));
        bytesField(start, 1, entry);
    }
    std::string plugin;
    intField(plugin, 1, 0);       // version
    bytesField(plugin, 3, start); // session_start_info
    std::string pluginData;
    bytesField(pluginData, 1, "hparams");
    bytesField(pluginData, 2, plugin);
    std::string metadata;
    bytesField(metadata, 1, pluginData);
    std::string v;
    bytesField(v, 1, "_hparams_/session_start_info");
    bytesField(v, 9, metadata);
    std::string summary;
    bytesField(summary, 1, v);
    write(event(0, summary));
}

void EventFileWriter::flush() { m_out.flush(); }

} // namespace fuselab
