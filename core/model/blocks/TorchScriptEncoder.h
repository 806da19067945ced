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
};

class TorchScriptEncoderImpl : public BlockModule {
public:
    explicit TorchScriptEncoderImpl(TorchScriptEncoderOptions options); // throws Error naming the file
    void reset();
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    TorchScriptEncoderOptions options;

    const torch::jit::Module &scriptModule() const { return m_module; }

private:
    torch::jit::Module m_module;
};
TORCH_MODULE(TorchScriptEncoder);

} // namespace fuselab
