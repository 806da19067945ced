// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// A CNN for log-mel spectrograms [1, n_mels, frames]: conv blocks (3×3, batch norm, ReLU,
// 2×2 max pooling), then an average over time and a maximum over frequency, so the
// encoding does not depend on where in the clip a sound occurs.
struct AudioCnnEncoderOptions {
    AudioCnnEncoderOptions(std::int64_t inChannels) : inChannels_(inChannels) {}
    std::int64_t outputSize() const { return channels_ << (layers_ - 1); }
    TORCH_ARG(std::int64_t, inChannels);
    TORCH_ARG(std::int64_t, layers) = 3;
    TORCH_ARG(std::int64_t, channels) = 32;
    TORCH_ARG(double, dropout) = 0.0;
};

class AudioCnnEncoderImpl : public BlockModule {
public:
    explicit AudioCnnEncoderImpl(AudioCnnEncoderOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x); // [B, C, F, T] -> [B, out]
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    AudioCnnEncoderOptions options;

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(AudioCnnEncoder);

} // namespace fuselab
