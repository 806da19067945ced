// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/InputBlock.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/util/Error.h"


namespace fuselab {

torch::Tensor InputImpl::forward(const torch::Tensor &x)
{
    if (x.dim() == 3) { // audio log-mel [B, n_mels, frames]
        torch::Tensor a = x;
        if (options.perUtterance()) {
            // Population statistics per clip; a missing clip (all zeros) stays zeros.
            const torch::Tensor mean = a.mean({1, 2}, /*keepdim=*/true);
            const torch::Tensor stdev = (a - mean).pow(2).mean({1, 2}, true).sqrt();
            a = (a - mean) / (stdev + 1e-5);
        }
        return options.audioAsSequence() ? a.transpose(1, 2).contiguous() : a.unsqueeze(1);
    }
    return x;
}

std::vector<Value> InputImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {
class InputBlock final : public BlockType {
public:
    explicit InputBlock(Modality m) : m_modality(m) {}
    std::string type() const override { return std::string("input.") + modalityName(m_modality); }
    std::string category() const override { return "input"; }
    std::string title() const override
    {
        return m_modality == Modality::Image ? FL_TR("Blocks", "Image input").text
             : m_modality == Modality::Text  ? FL_TR("Blocks", "Text input").text
                                             : FL_TR("Blocks", "Audio input").text;
    }
    std::string math() const override
    {
        switch (m_modality) {
        case Modality::Image: return "x = (pixels/255 - mean_c) / std_c, per channel c (train-split statistics); zeros when missing";
        case Modality::Text: return "x = token ids (0 = padding, 1 = unknown), truncated/padded to max_length";
        case Modality::Audio: return "x = (log(mel(|STFT|^2) + eps) - mean) / std (train-split statistics; normalize = utterance: then "
                                     "x = (x - mean(x)) / (std(x) + 1e-5) per clip); as a 1-channel image or a sequence over frames";
        }
        return {};
    }
    std::vector<PortSpec> inputs() const override { return {}; }
    std::vector<PortSpec> outputs() const override
    {
        std::vector<PortKind> kinds = {PortKind::Image};
        if (m_modality == Modality::Text)
            kinds = {PortKind::Tokens};
        else if (m_modality == Modality::Audio)
            kinds = {PortKind::Image, PortKind::Sequence};
        return {{"out", kinds, false, "the preprocessed modality"}};
    }
    std::vector<OptionSpec> options() const override
    {
        std::vector<OptionSpec> o = {OptionSpec::text("column", "", "dataset column to read; empty = the first of this modality")};
        if (m_modality == Modality::Audio)
            o.push_back(OptionSpec::choice("layout", "image", {"image", "sequence"},
                                           "image [1, n_mels, frames] for CNNs, sequence [frames, n_mels] for RNNs/Transformers"));
        if (m_modality == Modality::Audio)
            o.push_back(OptionSpec::choice("normalize", "dataset", {"dataset", "utterance"},
                                           "dataset: the train split's mean and std; utterance: also each clip to zero mean and unit "
                                           "variance (robust to new speakers, microphones and loudness)"));
        return o;
    }

    std::vector<TensorShape> infer(const nlohmann::json &params, const std::vector<std::vector<TensorShape>> &,
                                   const InferContext &ctx, std::vector<BlockProblem> &problems) const override
    {
        const std::string column = blocks::str(params, "column");
        bool found = false;
        for (auto &m : ctx.modalities)
            if (m.kind == m_modality && (column.empty() || m.name == column))
                found = true;
        if (!found && !ctx.modalities.empty()) {
            problems.push_back({"column", column.empty() ? Message(FL_TR("Blocks", "the dataset has no %1 column"), modalityName(m_modality))
                                                         : Message(FL_TR("Blocks", "the dataset has no %1 column named \"%2\""),
                                                                   modalityName(m_modality), column)});
            return {};
        }
        if (!ctx.inputs.known) {
            problems.push_back({"", Message(FL_TR("Blocks", "no preprocessing settings to take the input shape from"))});
            return {};
        }
        const InputShape &in = m_modality == Modality::Image ? ctx.inputs.image
                               : m_modality == Modality::Text ? ctx.inputs.text
                                                              : ctx.inputs.audio;
        if (!in.shape) {
            problems.push_back({"", in.problem});
            return {};
        }
        if (m_modality == Modality::Audio && blocks::str(params, "layout") == "sequence") // [1, n_mels, frames] -> [frames, n_mels]
            return {TensorShape::sequence(in.shape->dims.at(2), in.shape->dims.at(1))};
        return {*in.shape};
    }

    std::shared_ptr<BlockModule> create(const nlohmann::json &params, const std::vector<std::vector<TensorShape>> &,
                                        const InferContext &) const override
    {
        InputOptions o;
        o.column(blocks::str(params, "column"));
        o.audio(m_modality == Modality::Audio);
        o.audioAsSequence(params.contains("layout") && blocks::str(params, "layout") == "sequence");
        o.perUtterance(params.contains("normalize") && blocks::str(params, "normalize") == "utterance");
        return std::make_shared<InputImpl>(o);
    }

private:
    Modality m_modality;
};

} // namespace

std::unique_ptr<BlockType> makeInputBlock(Modality m)
{
    return std::make_unique<InputBlock>(m);
}

lowering::Lowered InputImpl::lower(lowering::Ops &o) const
{
    lowering::Sym a = o.input(0);
    if (options.audio()) {
        if (options.perUtterance()) {
            const lowering::Sym d = o.sub(a, o.mean(a, {1, 2}, true));
            const lowering::Sym sd = o.sqrt(o.mean(o.square(d), {1, 2}, true));
            a = o.div(d, o.add(sd, o.scalar(1e-5)));
        }
        a = options.audioAsSequence() ? o.contiguous(o.transpose(a, 1, 2)) : o.unsqueeze(a, 1);
    }
    return {a, o.mask(0)};
}

} // namespace fuselab
