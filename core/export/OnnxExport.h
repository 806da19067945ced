// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A FuseLab model as an ONNX graph (opset 17, IR version 8), written by FuseLab's own
// protocol buffer encoder (core/export/Protobuf.h: no ONNX or protobuf library needed to
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

// The block types this exporter writes; any other block is refused naming it.
std::vector<std::string> onnxBlockTypes();
// Blocks whose ONNX operators OpenCV 4.6's dnn runs correctly (tests/test_onnx checks it):
// image classifiers. Its importer multiplies and divides runtime tensors only of the same
// shape, and the audio input's normalisation, every fusion's masking and the recurrent
// encoders' sequence lengths broadcast; text needs a runtime Gather. Models with other
// blocks need ONNX Runtime, and the export README says so.
std::vector<std::string> onnxOpenCvBlockTypes();
constexpr int kOnnxOpset = 17;

// `example`: one batch of the model's inputs (any batch size; fixes each input's shape
// past the batch and its type). Writes `path` atomically. Error naming the block that
// cannot be expressed.
void saveOnnx(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
              const std::vector<torch::Tensor> &example, const std::string &path, const std::string &producerVersion);

} // namespace fuselab
