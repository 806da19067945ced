// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/TorchScriptEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>

namespace fuselab {

TorchScriptEncoderImpl::TorchScriptEncoderImpl(TorchScriptEncoderOptions o) : options(std::move(o)) { reset(); }

void TorchScriptEncoderImpl::reset()
{
    try {
        m_module = torch::jit::load(options.path());
    } catch (const std::exception &e) {
        throw Error(options.path() + ": not a loadable TorchScript module (" + std::string(e.what()).substr(0, 200) + ")");
    }
    auto flat = [](std::string name) { // register_* refuses dots
        std::replace(name.begin(), name.end(), '.', '_');
        return name;
    };
    // Expose the script module's parameters to the optimiser (unless frozen).
    for (const auto &p : m_module.named_parameters(/*recurse=*/true)) {
        const std::string name = flat("ts_" + p.name);
        torch::Tensor t = p.value;
        t.set_requires_grad(!options.frozen());
        register_parameter(name, t, /*requires_grad=*/!options.frozen());
    }
    // And its buffers (a BatchNorm's statistics, BERT's position ids): they move with the
    // model to the GPU and are saved in checkpoints and exports.
    for (const auto &b : m_module.named_buffers(/*recurse=*/true))
        register_buffer(flat("tsb_" + b.name), b.value);
}

torch::Tensor selectOutput(const c10::IValue &result, const std::string &output, const torch::Tensor &mask)
{
    torch::Tensor first, second;
    if (result.isTensor()) {
        first = result.toTensor();
    } else if (result.isTuple() || result.isList()) {
        const std::vector<c10::IValue> items = result.isTuple() ? result.toTupleRef().elements().vec() : result.toListRef().vec();
        if (!items.empty() && items[0].isTensor())
            first = items[0].toTensor();
        if (items.size() > 1 && items[1].isTensor())
            second = items[1].toTensor();
    } else if (result.isGenericDict()) { // {"last_hidden_state": ..., "pooler_output": ...}
        for (const auto &entry : result.toGenericDict()) {
            if (!entry.key().isString() || !entry.value().isTensor())
                continue;
            if (entry.key().toStringRef() == "last_hidden_state")
                first = entry.value().toTensor();
            else if (entry.key().toStringRef() == "pooler_output")
                second = entry.value().toTensor();
        }
    }
    if (!first.defined())
        throw Error(Message(FL_TR("Blocks", "the module returns neither a tensor nor a tuple, list or dictionary of tensors")));
    if (output == "pooled") {
        if (!second.defined())
            throw Error(Message(FL_TR("Blocks", "output \"pooled\" needs the module to return a second tensor (BERT's pooler output)")));
        return second;
    }
    if (output == "mean" && first.dim() == 3) {
        if (!mask.defined())
            return first.mean(1);
        const torch::Tensor w = mask.to(first.dtype()).unsqueeze(2);
        return (first * w).sum(1) / w.sum(1).clamp_min(1.0);
    }
    if (output == "first" && first.dim() == 3)
        return first.select(1, 0);
    return first;
}

torch::Tensor TorchScriptEncoderImpl::forward(const torch::Tensor &x)
{
    m_module.train(is_training() && !options.frozen());
    if (options.call() == "ids_mask") {
        const torch::Tensor ids = x.to(torch::kLong);
        const torch::Tensor mask = ids.ne(0).to(torch::kLong);
        return selectOutput(m_module.forward({ids, mask}), options.output(), mask);
    }
    return selectOutput(m_module.forward({x}), options.output(), torch::Tensor());
}

std::vector<Value> TorchScriptEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &v = inputs.at(0).at(0);
    const torch::Tensor y = forward(v.x);
    // A missing input still runs through the module; its output is zeroed like any missing modality.
    const torch::Tensor m = y.dim() == 3 ? v.mask.view({-1, 1, 1}) : v.mask.view({-1, 1});
    return {{y * m, v.mask}};
}

namespace {

std::string resolvePath(const std::string &path, const InferContext &ctx)
{
    std::filesystem::path p(path);
    if (p.is_relative() && !ctx.experimentDir.empty())
        p = std::filesystem::path(ctx.experimentDir) / p;
    return p.string();
}

class TorchScriptEncoderBlock final : public blocks::DescribedBlock {
public:
    TorchScriptEncoderBlock()
        : DescribedBlock({"encoder.torchscript", "encoder", FL_TR("Blocks", "TorchScript module").text,
                          "out = f(x) with f a module saved by torch.jit.trace/script; frozen: no gradient to its parameters",
                          {{"in", {PortKind::Vector, PortKind::Sequence, PortKind::Image, PortKind::Tokens}, false, "whatever the module takes"}},
                          {{"out", {PortKind::Vector, PortKind::Sequence}, false, "vector [d] or sequence [t, d], from running the module once"}},
                          {OptionSpec::file("path", "the .pt file, relative to the experiment file"),
                           OptionSpec::boolean("frozen", true, "keep its weights fixed (false: fine-tune)"),
                           OptionSpec::choice("call", "tensor", {"tensor", "ids_mask"},
                                              "tensor: forward(x); ids_mask: a Hugging Face text model, forward(input_ids, attention_mask)"),
                           OptionSpec::choice("output", "auto", {"auto", "pooled", "mean", "first"},
                                              "from a tuple result: auto = its first element, pooled = the second (BERT's pooler), "
                                              "mean = the first averaged over real tokens, first = its first token")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &ctx, std::vector<BlockProblem> &problems) const override
    {
        const std::string path = blocks::str(p, "path");
        if (path.empty()) {
            problems.push_back({"path", Message(FL_TR("Blocks", "name the TorchScript file"))});
            return {};
        }
        try {
            torch::jit::Module m = torch::jit::load(resolvePath(path, ctx));
            m.eval();
            const TensorShape &s = in[0][0];
            std::vector<std::int64_t> shape{2};
            shape.insert(shape.end(), s.dims.begin(), s.dims.end());
            torch::NoGradGuard noGrad;
            const torch::Tensor x = s.kind == PortKind::Tokens ? torch::ones(shape, torch::kLong) : torch::zeros(shape);
            const std::string call = blocks::str(p, "call"), output = blocks::str(p, "output");
            if (call == "ids_mask" && s.kind != PortKind::Tokens) {
                problems.push_back({"call", Message(FL_TR("Blocks", "ids_mask needs token ids: connect a text input"))});
                return {};
            }
            const torch::Tensor y = call == "ids_mask" ? selectOutput(m.forward({x, torch::ones_like(x)}), output, torch::ones_like(x))
                                                       : selectOutput(m.forward({x}), output, torch::Tensor());
            if (y.dim() == 2)
                return {TensorShape::vector(y.size(1))};
            if (y.dim() == 3)
                return {TensorShape::sequence(y.size(1), y.size(2))};
            problems.push_back({"path", Message(FL_TR("Blocks", "the module returns %1-D output; it must return [B, d] or [B, t, d]"), std::to_string(y.dim()))});
        } catch (const Error &e) {
            problems.push_back({"output", messageOf(e)});
        } catch (const c10::Error &e) {
            problems.push_back({"path", Message(FL_TR("Blocks", "%1: %2"), path, std::string(e.what_without_backtrace()).substr(0, 300))});
        } catch (const std::exception &e) {
            problems.push_back({"path", Message(FL_TR("Blocks", "%1: %2"), path, std::string(e.what()).substr(0, 300))});
        }
        return {};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &,
                                        const InferContext &ctx) const override
    {
        return std::make_shared<TorchScriptEncoderImpl>(TorchScriptEncoderOptions(resolvePath(blocks::str(p, "path"), ctx))
                                                            .frozen(blocks::flag(p, "frozen"))
                                                            .call(blocks::str(p, "call"))
                                                            .output(blocks::str(p, "output")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeTorchScriptEncoderBlock() { return std::make_unique<TorchScriptEncoderBlock>(); }

lowering::Lowered TorchScriptEncoderImpl::lower(lowering::Ops &o) const
{
    return {o.scriptEncoder(m_module, "ts.", options.call() == "ids_mask", options.output(), o.input(0), o.mask(0)), o.mask(0)};
}

} // namespace fuselab
