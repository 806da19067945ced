// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Logits for `classes` classes from a feature vector: a linear layer, or an MLP with one
// hidden layer. Single-label heads are trained with softmax cross-entropy, multi-label
// heads with a sigmoid per class (binary cross-entropy).
struct ClassificationHeadOptions {
    ClassificationHeadOptions(std::int64_t inFeatures, std::int64_t classes) : inFeatures_(inFeatures), classes_(classes) {}
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, classes);
    TORCH_ARG(std::int64_t, hidden) = 0; // 0: linear
    TORCH_ARG(double, dropout) = 0.0;
    TORCH_ARG(bool, multiLabel) = false;
};

class ClassificationHeadImpl : public BlockModule {
public:
    explicit ClassificationHeadImpl(ClassificationHeadOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    ClassificationHeadOptions options;

private:
    torch::nn::Sequential m_layers{nullptr};
};
TORCH_MODULE(ClassificationHead);

} // namespace fuselab
