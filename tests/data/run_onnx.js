#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// For test_onnx: runs a FuseLab ONNX export in ONNX Runtime (npm onnxruntime-node, installed
// into tests/node by scripts/install-deps.sh) on the inputs stored in a safetensors file
// (x0..., present) and compares with FuseLab's own outputs (expected). Prints JSON.
'use strict';
const { ort, readSafetensors } = require('./ort_support.js');

(async () => {
  const session = await ort.InferenceSession.create(process.argv[2]);
  const tensors = readSafetensors(process.argv[3]);
  const feeds = {};
  for (const name of session.inputNames) feeds[name] = tensors[name];
  const t0 = process.hrtime.bigint();
  const result = await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const got = result.logits, want = tensors.expected;
  let maxAbs = 0;
  for (let i = 0; i < want.data.length; ++i) maxAbs = Math.max(maxAbs, Math.abs(got.data[i] - want.data[i]));
  process.stdout.write(JSON.stringify({
    max_abs_diff: maxAbs, dims: got.dims, expected_dims: want.dims, inputs: session.inputNames, outputs: session.outputNames,
    run_ms: ms, version: ort.env.versions.common,
  }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
