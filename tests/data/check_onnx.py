#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# For test_onnx: Debian's python3-onnx checks a FuseLab ONNX export in full (the checker with
# strict shape inference) and reads its opset and metadata. Prints JSON.
import json
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
json.dump({
    "ir_version": model.ir_version,
    "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
    "metadata": {p.key: p.value for p in model.metadata_props},
    "inputs": [i.name for i in model.graph.input],
    "outputs": [o.name for o in model.graph.output],
    "ops": sorted({n.op_type for n in model.graph.node}),
    "onnx_version": onnx.__version__,
}, sys.stdout)
