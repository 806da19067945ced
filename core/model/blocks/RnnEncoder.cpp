// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/RnnEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

#include <optional>

namespace fuselab {

namespace rnn = torch::nn::utils::rnn;

RnnEncoderImpl::RnnEncoderImpl(RnnEncoderOptions o) : options(std::move(o)) { reset(); }

void RnnEncoderImpl::reset()
{
    m_input = register_module("input", SequenceInput(SequenceInputOptions().vocab(options.vocab()).embeddingDim(options.embeddingDim())));
    const std::int64_t in = options.vocab() > 0 ? options.embeddingDim() : options.inFeatures();
    const double dropout = options.layers() > 1 ? options.dropout() : 0.0;
    if (options.cell() == "lstm")
        m_lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in, options.hidden())
                                                             .num_layers(options.layers())
                                                             .bidirectional(options.bidirectional())
                                                             .dropout(dropout)
                                                             .batch_first(true)));
    else
        m_gru = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(in, options.hidden())
                                                          .num_layers(options.layers())
                                                          .bidirectional(options.bidirectional())
                                                          .dropout(dropout)
                                                          .batch_first(true)));
}

torch::Tensor RnnEncoderImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor valid = m_input->valid(x);
    const torch::Tensor steps = m_input(x);
    const std::int64_t T = steps.size(1);
    // Rows with no real step (a missing text) still need length >= 1 for packing.
    const torch::Tensor lengths = valid.sum(1).clamp_min(1).to(torch::kCPU).to(torch::kLong);
    const auto packed = rnn::pack_padded_sequence(steps, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    torch::Tensor hn;
    std::optional<rnn::PackedSequence> out;
    if (m_lstm) {
        auto r = m_lstm->forward_with_packed_input(packed);
        out.emplace(std::get<0>(r));
        hn = std::get<0>(std::get<1>(r));
    } else {
        auto r = m_gru->forward_with_packed_input(packed);
        out.emplace(std::get<0>(r));
        hn = std::get<1>(r);
    }
    if (options.output() == "last") {
        // h_n: [layers * directions, B, H]; the top layer's directions are the last ones.
        const std::int64_t dirs = options.bidirectional() ? 2 : 1;
        std::vector<torch::Tensor> parts;
        for (std::int64_t d = 0; d < dirs; ++d)
            parts.push_back(hn[hn.size(0) - dirs + d]);
        return torch::cat(parts, 1);
    }
    torch::Tensor seq = std::get<0>(rnn::pad_packed_sequence(*out, /*batch_first=*/true, 0.0, T));
    if (options.output() == "mean")
        return maskedMean(seq, valid);
    return seq;
}

std::vector<Value> RnnEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &in = inputs.at(0).at(0);
    Value out{forward(in.x), in.mask};
    if (options.output() == "sequence") // which steps are padding, for a decoder's attention
        out.steps = m_input->valid(in.x).to(torch::kFloat);
    return {out};
}

namespace {

class RnnEncoderBlock final : public blocks::DescribedBlock {
public:
    RnnEncoderBlock()
        : DescribedBlock({"encoder.rnn", "encoder", FL_TR("Blocks", "GRU / LSTM encoder").text,
                          "e_t = Embed(token_t) (or x_t); h_t = GRU/LSTM(e_t, h_{t-1}) over real steps only "
                          "(both directions when bidirectional); out = h_T | mean_t h_t | (h_1..h_T)",
                          {{"in", {PortKind::Tokens, PortKind::Sequence}, false, "token ids or a float sequence"}},
                          {{"out", {PortKind::Vector, PortKind::Sequence}, false, "vector, or sequence when output = sequence"}},
                          {OptionSpec::choice("cell", "gru", {"gru", "lstm"}, "recurrent cell"),
                           OptionSpec::integer("hidden", 128, 1, 4096, "hidden units per direction"),
                           OptionSpec::integer("layers", 1, 1, 8, "stacked layers"),
                           OptionSpec::boolean("bidirectional", false, "read the sequence both ways"),
                           OptionSpec::integer("embedding_dim", 64, 1, 4096, "embedding size (token input)"),
                           OptionSpec::choice("output", "last", {"last", "mean", "sequence"}, "what to pass on"),
                           OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout between stacked layers")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &) const override
    {
        const std::int64_t d = blocks::integer(p, "hidden") * (blocks::flag(p, "bidirectional") ? 2 : 1);
        if (blocks::str(p, "output") == "sequence")
            return {TensorShape::sequence(in[0][0].dims[0], d)};
        return {TensorShape::vector(d)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        const TensorShape &s = in[0][0];
        return std::make_shared<RnnEncoderImpl>(RnnEncoderOptions(s.kind == PortKind::Sequence ? s.dims[1] : 0)
                                                    .vocab(s.kind == PortKind::Tokens ? s.vocab : 0)
                                                    .embeddingDim(blocks::integer(p, "embedding_dim"))
                                                    .cell(blocks::str(p, "cell"))
                                                    .hidden(blocks::integer(p, "hidden"))
                                                    .layers(blocks::integer(p, "layers"))
                                                    .bidirectional(blocks::flag(p, "bidirectional"))
                                                    .output(blocks::str(p, "output"))
                                                    .dropout(blocks::real(p, "dropout")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeRnnEncoderBlock() { return std::make_unique<RnnEncoderBlock>(); }

lowering::Lowered RnnEncoderImpl::lower(lowering::Ops &o) const
{
    const auto [valid, steps] = m_input->lowerSequence(o, "input.", o.input(0));
    const bool lstm = options.cell() == "lstm";
    lowering::Sym y = o.rnn(lowering::child(*this, lstm ? "lstm" : "gru"), lstm ? "lstm." : "gru.", steps, valid, options.output() == "last");
    if (options.output() == "mean")
        y = o.maskedMean(y, valid);
    if (options.output() == "sequence")
        return {y, o.mask(0), o.validAsFloat(valid)};
    return {y, o.mask(0)};
}

} // namespace fuselab
