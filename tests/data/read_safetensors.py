#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# An independent safetensors reader (the format's published layout, numpy only) for
# test_export: prints {"metadata": {...}, "tensors": {name: {"dtype", "shape", "values"}}}
# as JSON, values flattened to Python floats (bf16 widened by hand: numpy has no bfloat16).
import json
import struct
import sys

import numpy as np

NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}

with open(sys.argv[1], "rb") as f:
    blob = f.read()
(n,) = struct.unpack("<Q", blob[:8])
header = json.loads(blob[8:8 + n].decode("utf-8"))
data = blob[8 + n:]
out = {"metadata": header.pop("__metadata__", {}), "tensors": {}, "header_bytes": n}
for name, t in header.items():
    begin, end = t["data_offsets"]
    raw = data[begin:end]
    if t["dtype"] == "BF16":
        values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        values = np.frombuffer(raw, dtype=NUMPY[t["dtype"]])
    out["tensors"][name] = {"dtype": t["dtype"], "shape": t["shape"], "values": [float(v) for v in values.reshape(-1)]}
json.dump(out, sys.stdout)
