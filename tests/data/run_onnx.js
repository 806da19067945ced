#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// For test_onnx: runs a FuseLab ONNX export in ONNX Runtime (npm onnxruntime-node, installed
// into tests/node by scripts/install-deps.sh) on the inputs stored in a safetensors file
// (x0..., present) and compares with FuseLab's own outputs (expected). Prints JSON.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require(path.join(__dirname, '..', 'node', 'node_modules', 'onnxruntime-node'));
} catch (e) {
  process.stderr.write('onnxruntime-node is not installed in tests/node: run scripts/install-deps.sh (' + e.message + ')\n');
  process.exit(2);
}

// The safetensors layout: 8-byte little-endian header size, JSON header, data.
function readSafetensors(file) {
  const blob = fs.readFileSync(file);
  const n = Number(blob.readBigUInt64LE(0));
  const header = JSON.parse(blob.subarray(8, 8 + n).toString('utf8'));
  delete header.__metadata__;
  const data = blob.subarray(8 + n);
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    const [b, e] = t.data_offsets;
    const bytes = Uint8Array.prototype.slice.call(data, b, e).buffer; // aligned copy
    if (t.dtype === 'F32') out[name] = new ort.Tensor('float32', new Float32Array(bytes), t.shape);
    else if (t.dtype === 'I64') out[name] = new ort.Tensor('int64', new BigInt64Array(bytes), t.shape);
    else throw new Error('unexpected dtype ' + t.dtype);
  }
  return out;
}

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
