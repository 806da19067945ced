#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// For test_onnx: greedy decoding of a FuseLab text decoder exported to ONNX, in ONNX Runtime
// (npm onnxruntime-node), as preprocessing.json tells a user to do it: model.onnx encodes
// the inputs (x0..., present from a safetensors file) into memory, slots and the first
// state; the step graph takes the previous token (<bos> = 2 first) and the state and gives
// the next token's logits and the next state; each step's argmax is fed back until every
// sample has produced <eos> (3) or max_length steps. Compares the steps' logits with
// FuseLab's (expected [batch, steps, vocabulary]) and prints the ids, as JSON.
'use strict';
const { ort, readSafetensors } = require('./ort_support.js');

(async () => {
  const [encoderFile, stepFile, tensorsFile, maxLengthArg] = process.argv.slice(2);
  const encoder = await ort.InferenceSession.create(encoderFile);
  const step = await ort.InferenceSession.create(stepFile);
  const tensors = readSafetensors(tensorsFile);
  const feeds = {};
  for (const name of encoder.inputNames) feeds[name] = tensors[name];
  const enc = await encoder.run(feeds);
  const batch = enc.memory.dims[0];
  const stateNames = encoder.outputNames.filter((n) => n.startsWith('state'));
  let state = stateNames.map((n) => enc[n]);
  let token = new ort.Tensor('int64', BigInt64Array.from({ length: batch }, () => 2n), [batch]);
  const finished = new Array(batch).fill(false);
  const ids = Array.from({ length: batch }, () => []);
  const steps = [];
  for (let t = 0; t < Number(maxLengthArg); ++t) {
    const f = { memory: enc.memory, slots: enc.slots, token };
    stateNames.forEach((n, k) => { f[n] = state[k]; });
    const r = await step.run(f);
    const logits = r.logits, V = logits.dims[1];
    steps.push(logits.data);
    const next = new BigInt64Array(batch);
    for (let b = 0; b < batch; ++b) {
      let best = 0;
      for (let v = 1; v < V; ++v) if (logits.data[b * V + v] > logits.data[b * V + best]) best = v;
      next[b] = BigInt(best);
      ids[b].push(best);
      if (best === 3) finished[b] = true;
    }
    token = new ort.Tensor('int64', next, [batch]);
    state = stateNames.map((n) => r[n + '_out']);
    if (finished.every((x) => x)) break;
  }
  const want = tensors.expected; // [batch, steps, V]
  const T = want.dims[1], V = want.dims[2];
  let maxAbs = 0;
  if (steps.length === T) {
    for (let b = 0; b < batch; ++b)
      for (let t = 0; t < T; ++t)
        for (let v = 0; v < V; ++v) maxAbs = Math.max(maxAbs, Math.abs(steps[t][b * V + v] - want.data[(b * T + t) * V + v]));
  } else {
    maxAbs = Infinity;
  }
  process.stdout.write(JSON.stringify({
    steps: steps.length, expected_steps: T, max_abs_diff: maxAbs === Infinity ? 1e30 : maxAbs, ids,
    encoder_outputs: encoder.outputNames, step_inputs: step.inputNames, step_outputs: step.outputNames, version: ort.env.versions.common,
  }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
