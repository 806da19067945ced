// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/ImageProbe.h"

#include <cctype>
#include <cstring>

namespace fuselab {

namespace {

std::uint32_t be32(const unsigned char *p) { return (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }
std::uint16_t be16(const unsigned char *p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t le32(const unsigned char *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24); }
std::uint16_t le16(const unsigned char *p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

void probePng(const unsigned char *u, std::size_t n, ImageHeader &h, bool wholeFile)
{
    h.format = "png";
    if (n < 33 || std::memcmp(u + 12, "IHDR", 4) != 0) {
        h.error = Message(FL_TR("Media", "truncated PNG (no complete IHDR header)"));
        return;
    }
    h.width = be32(u + 16);
    h.height = be32(u + 20);
    h.bitDepth = u[24];
    switch (u[25]) {
    case 0: h.channels = 1; break;
    case 2: h.channels = 3; break;
    case 3: h.channels = 3; h.bitDepth = 8; break; // palette
    case 4: h.channels = 2; break;
    case 6: h.channels = 4; break;
    default: h.error = Message(FL_TR("Media", "PNG with invalid colour type %1"), std::to_string(u[25])); return;
    }
    // Every complete PNG ends with an IEND chunk: its absence means the file was cut short.
    if (!wholeFile)
        return;
    const std::size_t tail = n < 64 ? n : 64;
    bool iend = false;
    for (std::size_t i = n - tail; i + 4 <= n; ++i)
        if (std::memcmp(u + i, "IEND", 4) == 0)
            iend = true;
    if (!iend)
        h.error = Message(FL_TR("Media", "truncated PNG (no IEND chunk: the file was cut short)"));
}

void probeJpeg(const unsigned char *u, std::size_t n, ImageHeader &h, bool wholeFile)
{
    h.format = "jpeg";
    std::size_t i = 2;
    bool sof = false;
    while (i + 4 <= n) {
        if (u[i] != 0xFF) {
            h.error = Message(FL_TR("Media", "corrupt JPEG (bad marker at byte %1)"), std::to_string(i));
            return;
        }
        const unsigned char marker = u[i + 1];
        if (marker == 0xFF) { ++i; continue; }                       // fill byte
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { i += 2; continue; }
        if (marker == 0xD9 || marker == 0xDA)                        // EOI or start of scan
            break;
        const std::uint16_t len = be16(u + i + 2);
        if (len < 2) {
            h.error = Message(FL_TR("Media", "corrupt JPEG (segment length %1)"), std::to_string(len));
            return;
        }
        const bool isSof = (marker >= 0xC0 && marker <= 0xCF) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (isSof) {
            if (i + 10 > n) break;
            h.bitDepth = u[i + 4];
            h.height = be16(u + i + 5);
            h.width = be16(u + i + 7);
            h.channels = u[i + 9];
            sof = true;
            break;
        }
        i += 2 + len;
    }
    if (!sof) {
        h.error = Message(FL_TR("Media", "truncated or corrupt JPEG (no frame header)"));
        return;
    }
    if (!wholeFile)
        return;
    // A complete JPEG ends with the EOI marker (FF D9), possibly followed by padding.
    const std::size_t tail = n < 4096 ? n : 4096;
    bool eoi = false;
    for (std::size_t k = n - tail; k + 1 < n; ++k)
        if (u[k] == 0xFF && u[k + 1] == 0xD9)
            eoi = true;
    if (!eoi)
        h.error = Message(FL_TR("Media", "truncated JPEG (no end-of-image marker: the file was cut short)"));
}

void probeBmp(const unsigned char *u, std::size_t n, ImageHeader &h)
{
    h.format = "bmp";
    if (n < 30) {
        h.error = Message(FL_TR("Media", "truncated BMP header"));
        return;
    }
    const std::uint32_t dib = le32(u + 14);
    if (dib == 12) {
        h.width = le16(u + 18);
        h.height = le16(u + 20);
        h.channels = le16(u + 24) == 32 ? 4 : le16(u + 24) <= 8 ? 3 : 3;
    } else if (n >= 30 && dib >= 40) {
        h.width = static_cast<std::int32_t>(le32(u + 18));
        const std::int32_t height = static_cast<std::int32_t>(le32(u + 22));
        h.height = height < 0 ? -static_cast<std::int64_t>(height) : height;
        const int bpp = le16(u + 28);
        h.channels = bpp == 32 ? 4 : bpp == 8 ? 1 : 3;
    } else {
        h.error = Message(FL_TR("Media", "BMP with unsupported header size %1"), std::to_string(dib));
        return;
    }
    const std::uint32_t fileSize = le32(u + 2);
    if (fileSize > n && fileSize - n > 2)
        h.error = Message(FL_TR("Media", "truncated BMP (header says %1 bytes, file has %2)"), std::to_string(fileSize), std::to_string(n));
}

void probeWebp(const unsigned char *u, std::size_t n, ImageHeader &h)
{
    h.format = "webp";
    if (n < 30) {
        h.error = Message(FL_TR("Media", "truncated WebP header"));
        return;
    }
    const std::uint32_t riffSize = le32(u + 4);
    if (static_cast<std::uint64_t>(riffSize) + 8 > n) {
        h.error = Message(FL_TR("Media", "truncated WebP (RIFF size %1, file has %2 bytes)"), std::to_string(riffSize + 8), std::to_string(n));
        return;
    }
    h.channels = 3;
    if (std::memcmp(u + 12, "VP8 ", 4) == 0) {
        h.width = le16(u + 26) & 0x3FFF;
        h.height = le16(u + 28) & 0x3FFF;
    } else if (std::memcmp(u + 12, "VP8L", 4) == 0) {
        const std::uint32_t bits = le32(u + 21);
        h.width = (bits & 0x3FFF) + 1;
        h.height = ((bits >> 14) & 0x3FFF) + 1;
        h.channels = (bits >> 28) & 1 ? 4 : 3;
    } else if (std::memcmp(u + 12, "VP8X", 4) == 0) {
        h.width = 1 + (u[24] | (u[25] << 8) | (u[26] << 16));
        h.height = 1 + (u[27] | (u[28] << 8) | (u[29] << 16));
        h.channels = (u[20] & 0x10) ? 4 : 3;
    } else {
        h.error = Message(FL_TR("Media", "WebP with unknown chunk type"));
    }
}

void probeTiff(const unsigned char *u, std::size_t n, ImageHeader &h)
{
    h.format = "tiff";
    const bool le = u[0] == 'I';
    auto r16 = [&](std::size_t o) { return le ? le16(u + o) : be16(u + o); };
    auto r32 = [&](std::size_t o) { return le ? le32(u + o) : be32(u + o); };
    const std::size_t ifd = r32(4); // size_t: ifd + 2 must not wrap around
    if (ifd + 2 > n) {
        h.error = Message(FL_TR("Media", "truncated TIFF (first directory past the end of the file)"));
        return;
    }
    const std::uint16_t count = r16(ifd);
    if (ifd + 2 + std::size_t(count) * 12 > n) {
        h.error = Message(FL_TR("Media", "truncated TIFF directory"));
        return;
    }
    h.channels = 1;
    for (std::uint16_t k = 0; k < count; ++k) {
        const std::size_t e = ifd + 2 + std::size_t(k) * 12;
        const std::uint16_t tag = r16(e), type = r16(e + 2);
        const std::uint32_t value = type == 3 ? r16(e + 8) : r32(e + 8);
        if (tag == 256) h.width = value;
        else if (tag == 257) h.height = value;
        else if (tag == 277) h.channels = static_cast<int>(value);
        else if (tag == 258 && r32(e + 4) == 1) h.bitDepth = static_cast<int>(value);
    }
    if (h.width == 0 || h.height == 0)
        h.error = Message(FL_TR("Media", "TIFF without image width/height"));
}

void probePnm(const unsigned char *u, std::size_t n, ImageHeader &h)
{
    h.format = "pnm";
    // P5 / P6 header: magic, width, height, maxval separated by whitespace (comments with #).
    std::size_t i = 2;
    std::int64_t values[3] = {0, 0, 0};
    for (int v = 0; v < 3; ++v) {
        while (i < n && (std::isspace(u[i]) || u[i] == '#')) {
            if (u[i] == '#')
                while (i < n && u[i] != '\n') ++i;
            else
                ++i;
        }
        if (i >= n || !std::isdigit(u[i])) {
            h.error = Message(FL_TR("Media", "truncated PNM header"));
            return;
        }
        while (i < n && std::isdigit(u[i]) && values[v] < (INT64_C(1) << 40))
            values[v] = values[v] * 10 + (u[i++] - '0');
    }
    h.width = values[0];
    h.height = values[1];
    h.bitDepth = values[2] > 255 ? 16 : 8;
    h.channels = u[1] == '6' ? 3 : 1;
}

} // namespace

ImageHeader probeImage(std::string_view bytes, bool wholeFile)
{
    ImageHeader h;
    const auto *u = reinterpret_cast<const unsigned char *>(bytes.data());
    const std::size_t n = bytes.size();
    if (n == 0) {
        h.error = Message(FL_TR("Media", "empty file (0 bytes)"));
        return h;
    }
    if (n >= 8 && std::memcmp(u, "\x89PNG\r\n\x1a\n", 8) == 0)
        probePng(u, n, h, wholeFile);
    else if (n >= 3 && u[0] == 0xFF && u[1] == 0xD8 && u[2] == 0xFF)
        probeJpeg(u, n, h, wholeFile);
    else if (n >= 2 && u[0] == 'B' && u[1] == 'M')
        probeBmp(u, n, h);
    else if (n >= 12 && std::memcmp(u, "RIFF", 4) == 0 && std::memcmp(u + 8, "WEBP", 4) == 0)
        probeWebp(u, n, h);
    else if (n >= 8 && (std::memcmp(u, "II*\0", 4) == 0 || std::memcmp(u, "MM\0*", 4) == 0))
        probeTiff(u, n, h);
    else if (n >= 3 && u[0] == 'P' && (u[1] == '5' || u[1] == '6') && std::isspace(u[2]))
        probePnm(u, n, h);
    else {
        bool text = true;
        for (std::size_t i = 0; i < n && i < 512; ++i)
            if (u[i] < 0x09 || (u[i] > 0x0D && u[i] < 0x20))
                text = false;
        h.error = text ? Message(FL_TR("Media", "not an image: the file holds text (wrong extension?)"))
                       : Message(FL_TR("Media", "not an image in a supported format (PNG, JPEG, BMP, WebP, TIFF)"));
        return h;
    }
    if (h.error.empty() && (h.width <= 0 || h.height <= 0))
        h.error = Message(FL_TR("Media", "image header gives a size of %1x%2"), std::to_string(h.width), std::to_string(h.height));
    return h;
}

} // namespace fuselab
