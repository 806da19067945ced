// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Feeds one dataset column into the graph. Images arrive as [B, C, H, W]; text as token ids
// [B, T]; audio log-mel either as a one-channel image [B, 1, n_mels, frames] or as a
// sequence [B, frames, n_mels].
struct InputOptions {
    TORCH_ARG(std::string, column) = "";
    TORCH_ARG(bool, audio) = false; // a log-mel input (the options below apply to it)
    TORCH_ARG(bool, audioAsSequence) = false;
    // Audio: standardise each clip's log-mel to zero mean and unit variance (over all its
    // bins and frames) on top of the dataset's normalisation; loudness and channel
    // differences between speakers and microphones then no longer reach the encoder.
    TORCH_ARG(bool, perUtterance) = false;
};

class InputImpl : public BlockModule {
public:
    explicit InputImpl(InputOptions options) : options(std::move(options)) {}
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    InputOptions options;
};
TORCH_MODULE(Input);

} // namespace fuselab
