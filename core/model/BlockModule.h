// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/Lowering.h"

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace fuselab {

// What travels along an edge at run time: the batch and, per sample, whether the
// modality behind it was present (1) or missing (0). Missing inputs arrive as zeros;
// fusions use the mask to leave them out.
struct Value {
    Value() = default;
    Value(torch::Tensor x_, torch::Tensor mask_, torch::Tensor steps_ = {}) : x(std::move(x_)), mask(std::move(mask_)), steps(std::move(steps_)) {}
    torch::Tensor x;
    torch::Tensor mask;  // [B] float
    torch::Tensor steps; // sequences [B, T, D] from token ids: [B, T] float, 1 for real steps and 0 for
                         // padding (decoders attend to real steps only); undefined: every step is real
};

// The LibTorch side of a block. Each block also has its own typed forward() for direct
// use; run() adapts it to the graph: inputs[port][edge] -> one Value per output port.
class BlockModule : public torch::nn::Module {
public:
    virtual std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) = 0;
    // A loss the block adds to the task loss (autoencoder reconstruction), from the last
    // run(); undefined when it has none.
    virtual torch::Tensor auxiliaryLoss() const { return {}; }
    // The block's computation in the export operations (core/model/Lowering.h): one
    // definition for every export format, in inference or training form as the format's
    // back end writes it. Throws lowering::Refused where the block cannot be expressed.
    virtual lowering::Lowered lower(lowering::Ops &ops) const = 0;
    // Fusions that weigh their modalities (explanations, core/train/Explain.h): the weights
    // of the last run(), [B, inputs], and what kind of weighting they are; none by default.
    struct ModalityWeights {
        std::string kind;
        torch::Tensor weights;
    };
    virtual ModalityWeights modalityWeights() const { return {}; }
    // A head whose output is a number (regression): its loss and the target scale it
    // restores (mean + std · prediction); none for every other block.
    struct RegressionOutput {
        std::string loss; // mse | huber
        double huberDelta = 1.0;
        double mean = 0, std = 1;
    };
    virtual std::optional<RegressionOutput> regressionOutput() const { return std::nullopt; }
    // The training split's target mean and standard deviation (> 0), for such a head.
    virtual void setTargetScale(double /*mean*/, double /*std*/) {}
};

// Explanations (core/train/Explain.h): an image encoder hands its last spatial feature map
// [B, C, H, W] to the tap set on this thread, if any, before pooling it. Grad-CAM weighs it
// by the gradient of a class score.
class ActivationTap {
public:
    virtual ~ActivationTap() = default;
    virtual void record(const torch::nn::Module *block, const torch::Tensor &featureMap) = 0;
};
ActivationTap *activationTap();
void setActivationTap(ActivationTap *tap); // nullptr: none (the default)

// Elementwise "present in every input" for blocks whose output depends on all of them.
torch::Tensor allPresent(const std::vector<Value> &values);
// "present in any input": for fusions that cope with missing modalities.
torch::Tensor anyPresent(const std::vector<Value> &values);

// run() for a fusion over the modality vectors on its first port: unpacks values and masks,
// calls forward(xs, masks); the result is present when any input is.
template <typename Forward>
std::vector<Value> runFusion(const std::vector<std::vector<Value>> &inputs, Forward forward)
{
    std::vector<torch::Tensor> xs, masks;
    for (const Value &v : inputs.at(0)) {
        xs.push_back(v.x);
        masks.push_back(v.mask);
    }
    return {{forward(xs, masks), anyPresent(inputs[0])}};
}

// run() for a block with one input: forward(x), the input's mask passed on.
template <typename Forward>
std::vector<Value> runSingle(const std::vector<std::vector<Value>> &inputs, Forward forward)
{
    const Value &v = inputs.at(0).at(0);
    return {{forward(v.x), v.mask}};
}

} // namespace fuselab
