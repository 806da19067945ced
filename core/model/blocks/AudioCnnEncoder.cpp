// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/AudioCnnEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

AudioCnnEncoderImpl::AudioCnnEncoderImpl(AudioCnnEncoderOptions o) : options(std::move(o)) { reset(); }

void AudioCnnEncoderImpl::reset()
{
    m_features = torch::nn::Sequential();
    std::int64_t in = options.inChannels();
    for (std::int64_t i = 0; i < options.layers(); ++i) {
        const std::int64_t out = options.channels() << i;
        m_features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
        m_features->push_back(torch::nn::BatchNorm2d(out));
        m_features->push_back(torch::nn::ReLU());
        m_features->push_back(torch::nn::MaxPool2d(2));
        in = out;
    }
    register_module("features", m_features);
    m_dropout = register_module("dropout", torch::nn::Dropout(options.dropout()));
}

torch::Tensor AudioCnnEncoderImpl::forward(torch::Tensor x)
{
    x = m_features->forward(x);             // [B, C, F', T']
    x = std::get<0>(x.mean(3).max(2));      // mean over time, max over frequency
    return m_dropout(x);
}

std::vector<Value> AudioCnnEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {

class AudioCnnEncoderBlock final : public blocks::DescribedBlock {
public:
    AudioCnnEncoderBlock()
        : DescribedBlock({"encoder.audio_cnn", "encoder", FL_TR("Blocks", "Audio CNN encoder").text,
                          "per block: x = maxpool2x2(ReLU(BN(conv3x3(x)))); z_c = max_f mean_t x[c, f, t]",
                          {{"in", {PortKind::Image}, false, "log-mel spectrogram as image [1, n_mels, frames]"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("layers", 3, 1, 6, "conv blocks, each halving frequency and time"),
                           OptionSpec::integer("channels", 32, 1, 512, "channels of the first block (doubling per block)"),
                           OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout on the output")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        const std::int64_t need = std::int64_t(1) << blocks::integer(p, "layers");
        if (in[0][0].dims[1] < need || in[0][0].dims[2] < need) {
            problems.push_back({"in", Message(FL_TR("Blocks", "spectrogram %1x%2 too small for %3 pooling layers (needs %4 mels and frames)"),
                                              std::to_string(in[0][0].dims[1]), std::to_string(in[0][0].dims[2]),
                                              std::to_string(blocks::integer(p, "layers")), std::to_string(need))});
            return {};
        }
        return {TensorShape::vector(blocks::integer(p, "channels") << (blocks::integer(p, "layers") - 1))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<AudioCnnEncoderImpl>(AudioCnnEncoderOptions(in[0][0].dims[0])
                                                         .layers(blocks::integer(p, "layers"))
                                                         .channels(blocks::integer(p, "channels"))
                                                         .dropout(blocks::real(p, "dropout")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeAudioCnnEncoderBlock() { return std::make_unique<AudioCnnEncoderBlock>(); }

lowering::Lowered AudioCnnEncoderImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const Sym y = o.amax(o.mean(part(o, *this, "features", o.input(0)), {3}, false), 2);
    return {part(o, *this, "dropout", y), o.mask(0)};
}

} // namespace fuselab
