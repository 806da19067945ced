// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A FuseLab model as an ONNX graph (opset 17, IR version 8), written by FuseLab's own
// protocol buffer encoder (core/formats/Protobuf.h: no ONNX or protobuf library needed to
// export, so the headless engine exports too). Inference only: dropout is left out and
// batch normalisation uses its running statistics. Each block becomes standard operators
// built from its options, with its weights as initializers named after FuseLab's
// (`node_<id>.<path>`; a weight the translation changes gets a suffix: recurrent weights
// in ONNX's gate order, attention projections split and the query's scaled, transposed
// linear weights `weight_t`).
//
// Inputs `x0` ... `x{M-1}` (float32, or int64 token ids for text) with a dynamic first
// dimension `batch` (an input the graph does not read is not declared: `x1` is absent from
// an image-only model of a dataset with sound too), and `present` (float32 [batch, M]:
// 1 = the sample has that input, M counting every input);
// output `logits` [batch, classes]. The model's metadata holds class_names and
// input_names (JSON arrays); producer_version the FuseLab version.
//
// Written so that OpenCV's dnn (4.6) can run what it supports too: layer normalisation and
// GELU as elementary operators, the attention scale folded into the query weights, GRUs
// with linear_before_reset (PyTorch's form).
#include "core/model/FusionModel.h"

#include <string>
#include <vector>

namespace fuselab {

constexpr int kOnnxOpset = 17;

// What the export found out while writing: where OpenCV's dnn (4.6) cannot run the graph,
// the first operator it would stumble on ("" when it runs it: image classifiers, checked in
// tests/test_onnx). Decided from the operators written, not from the blocks' names.
struct OnnxWritten {
    std::string openCvObstacle;
    std::string decoderStep; // a decoder's one-step graph, written beside (onnxDecoderStepPath), or empty
    bool openCvRuns() const { return openCvObstacle.empty(); }
};

// `example`: one batch of the model's inputs (any batch size; fixes each input's shape
// past the batch and its type). Writes `path` atomically. Error naming the block that
// cannot be expressed. Each block is written by its lower() (core/model/Lowering.h).
// A model whose head decodes step by step (a text decoder) is two graphs: `path` encodes
// (inputs as above; outputs `memory` [batch, slots, features], `slots` [batch, slots] and
// the decoder's first state `state0`...), and onnxDecoderStepPath(path) takes one step
// (inputs memory, slots, `token` int64 [batch] — <bos> = 2 first — and the state; outputs
// `logits` [batch, vocabulary] of the next token and `state0_out`...). The decoding loop
// (greedy: feed back each step's argmax until <eos> = 3) is the caller's. A CTC head's
// `logits` are [batch, frames, vocabulary].
std::string onnxDecoderStepPath(const std::string &modelPath);

OnnxWritten saveOnnx(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
              const std::vector<torch::Tensor> &example, const std::string &path, const std::string &producerVersion);

} // namespace fuselab
