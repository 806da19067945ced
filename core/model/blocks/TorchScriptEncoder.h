// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

#include <torch/script.h>

namespace fuselab {

// A module made in Python with torch.jit.trace or torch.jit.script (for example a
// pretrained vision or text model), used as an encoder. Frozen: its parameters do not
// train; otherwise they are fine-tuned with the rest of the model. It must map [B, ...]
// to [B, d] (vector) or [B, t, d] (sequence).
struct TorchScriptEncoderOptions {
    TorchScriptEncoderOptions(std::string path) : path_(std::move(path)) {}
    TORCH_ARG(std::string, path);
    TORCH_ARG(bool, frozen) = true;
    // "tensor": forward(x). "ids_mask": a Hugging Face-style text model, forward(input_ids,
    // attention_mask) with the mask 1 where the id is not padding (0).
    TORCH_ARG(std::string, call) = "tensor";
    // What to take from its result: "auto" (a tensor as it is; a tuple's first element),
    // "pooled" (a tuple's second element, BERT's pooler output), "mean" (the mean of the
    // first element over the real tokens), "first" (the first token of the first element).
    TORCH_ARG(std::string, output) = "auto";
};

// The encoder's output from a module's result, as `output` says; `mask` [B, T] (float) for
// "mean" (undefined: every step counts). Throws Error when the result has no such part.
torch::Tensor selectOutput(const c10::IValue &result, const std::string &output, const torch::Tensor &mask);

class TorchScriptEncoderImpl : public BlockModule {
public:
    explicit TorchScriptEncoderImpl(TorchScriptEncoderOptions options); // throws Error naming the file
    void reset();
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    TorchScriptEncoderOptions options;

    const torch::jit::Module &scriptModule() const { return m_module; }

private:
    torch::jit::Module m_module;
};
TORCH_MODULE(TorchScriptEncoder);

} // namespace fuselab
