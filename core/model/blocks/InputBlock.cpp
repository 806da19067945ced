// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/InputBlock.h"
#include "core/util/Message.h"

#include "core/cache/PreprocessSettings.h"
#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/util/Error.h"
#ifdef FUSELAB_WITH_INGEST
#include "core/media/WordPiece.h"
#endif

#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

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
#ifdef FUSELAB_WITH_INGEST
// A vocabulary's size, read once per file version: the graph is analysed after every edit,
// and a tokenizer.json can be megabytes.
std::int64_t wordPieceVocabSize(const std::string &path)
{
    static std::mutex mutex;
    static std::map<std::string, std::tuple<std::filesystem::file_time_type, std::uintmax_t, std::int64_t>> known;
    std::error_code ec;
    const auto time = std::filesystem::last_write_time(path, ec);
    const auto size = ec ? std::uintmax_t(0) : std::filesystem::file_size(path, ec);
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = known.find(path);
        if (!ec && it != known.end() && std::get<0>(it->second) == time && std::get<1>(it->second) == size)
            return std::get<2>(it->second);
    }
    const std::int64_t n = WordPieceTokenizer::fromFile(path).vocabSize(); // Error naming the file
    if (!ec) {
        const std::lock_guard<std::mutex> lock(mutex);
        known[path] = {time, size, n};
    }
    return n;
}
#endif

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
        if (!ctx.preprocessing) {
            problems.push_back({"", Message(FL_TR("Blocks", "no preprocessing settings to take the input shape from"))});
            return {};
        }
        const PreprocessSettings &p = *ctx.preprocessing;
        switch (m_modality) {
        case Modality::Image:
            if (p.image.channels != 1 && p.image.channels != 3) {
                problems.push_back({"", Message(FL_TR("Blocks", "preprocessing.image.channels is 0 (decided from the data); set it to 1 or 3 so the "
                                                        "graph can be checked before reading data (a new experiment does this from the data)"))});
                return {};
            }
            return {TensorShape::image(p.image.channels, p.image.height, p.image.width)};
        case Modality::Text: {
            std::int64_t vocab = p.text.tokenizer == TokenizerKind::SentencePiece ? p.text.spmVocab : p.text.maxVocab;
#ifdef FUSELAB_WITH_INGEST
            if (p.text.tokenizer == TokenizerKind::WordPiece) { // the pretrained vocabulary's size
                std::filesystem::path file(p.text.vocabFile);
                if (file.is_relative() && !ctx.experimentDir.empty())
                    file = std::filesystem::path(ctx.experimentDir) / file;
                try {
                    vocab = wordPieceVocabSize(file.string());
                } catch (const std::exception &e) {
                    problems.push_back({"", messageOf(e)});
                    return {};
                }
            }
#endif
            return {TensorShape::tokens(p.text.maxLength, vocab)};
        }
        case Modality::Audio: {
            const std::int64_t frames = p.audio.mel.frames(p.audio.samples());
            if (blocks::str(params, "layout") == "sequence")
                return {TensorShape::sequence(frames, p.audio.mel.nMels)};
            return {TensorShape::image(1, p.audio.mel.nMels, frames)};
        }
        }
        return {};
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
