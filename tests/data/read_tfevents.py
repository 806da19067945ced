#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# An independent TensorBoard event-file reader for test_export: checks every record's
# framing and both masked CRC-32Cs (computed bit by bit here), decodes the Event / Summary
# protobufs by TensorBoard's field numbers, and prints the events as JSON.
import json
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(buf):
    """(field number, wire type, value) of a protobuf message."""
    i, out = 0, []
    while i < len(buf):
        key, i = varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.append((field, wire, v))
    return out


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def value(buf):
    out = {}
    for f, w, v in fields(buf):
        if f == 1:
            out["tag"] = v.decode()
        elif f == 2 and w == 5:
            out["simple_value"] = struct.unpack("<f", v)[0]
        elif f == 4:
            img = {}
            for g, _, x in fields(v):
                img[{1: "height", 2: "width", 3: "colorspace", 4: "png"}[g]] = x
            png = img.pop("png")
            img["png_signature_ok"] = png[:8] == b"\x89PNG\r\n\x1a\n"
            img["png_width"], img["png_height"] = struct.unpack(">II", png[16:24])  # IHDR
            out["image"] = img
        elif f == 9:
            for g, _, pd in fields(v):
                if g == 1:
                    plugin = dict((h, x) for h, _, x in fields(pd))
                    out["plugin"] = plugin[1].decode()
                    content = fields(plugin[2])
                    hp = {}
                    for h, _, x in content:
                        if h == 3:  # session_start_info
                            for k, _, entry in fields(x):
                                if k == 1:
                                    e = dict((a, b) for a, _, b in fields(entry))
                                    name = e[1].decode()
                                    val = fields(e[2])[0]
                                    hp[name] = (struct.unpack("<d", val[2])[0] if val[0] == 2 else val[2].decode() if val[0] == 3 else bool(val[2]))
                    out["hparams"] = hp
    return out


events = []
with open(sys.argv[1], "rb") as f:
    blob = f.read()
i = 0
while i < len(blob):
    header = blob[i:i + 8]
    (n,) = struct.unpack("<Q", header)
    (crc_len,) = struct.unpack("<I", blob[i + 8:i + 12])
    assert crc_len == masked(header), "length CRC at byte %d" % i
    data = blob[i + 12:i + 12 + n]
    (crc_data,) = struct.unpack("<I", blob[i + 12 + n:i + 16 + n])
    assert crc_data == masked(data), "data CRC at byte %d" % i
    i += 16 + n
    e = {"values": []}
    for f, w, v in fields(data):
        if f == 1:
            e["wall_time"] = struct.unpack("<d", v)[0]
        elif f == 2:
            e["step"] = v
        elif f == 3:
            e["file_version"] = v.decode()
        elif f == 5:
            for g, _, x in fields(v):
                if g == 1:
                    e["values"].append(value(x))
    events.append(e)
json.dump(events, sys.stdout)
