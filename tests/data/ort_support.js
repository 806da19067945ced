// SPDX-License-Identifier: GPL-3.0-or-later
// For test_onnx's Node.js scripts: ONNX Runtime (npm onnxruntime-node, installed into
// tests/node by scripts/install-deps.sh) and a reader of the safetensors files the test
// writes (8-byte little-endian header size, JSON header, data) as ONNX Runtime tensors.
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

module.exports = { ort, readSafetensors };
