// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/TorchScriptExport.h"

#include "core/export/BlockWalk.h"
#include "core/export/PythonText.h"
#include "core/export/TextOps.h"
#include "core/model/SequenceHead.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"
#include "fuselab_python_sources.h"

#include <torch/script.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace fuselab {

namespace {

using namespace pytext;

// kPythonPreamble, kTrainPy: core/export/python/*.py, embedded at build time.

// The arguments of a block's forward in the root module: [x3], [p.select(1, 3)] for an
// input block, the earlier blocks' outputs and masks otherwise, and the real steps of the
// inputs that have them (any other's mask in its place, unread).
struct BlockCall {
    std::string args;
    std::vector<bool> inputSteps;
};
BlockCall blockArgs(const exporting::StepInputs &in, const std::string &columnMask, const std::map<std::string, bool> &nodeSteps)
{
    std::string xs = "[", masks = "[", steps = "[";
    std::vector<bool> has;
    if (in.column >= 0) {
        xs += "x" + std::to_string(in.column);
        masks += columnMask;
        has.push_back(false);
    } else {
        for (std::size_t i = 0; i < in.from.size(); ++i) {
            const std::string id = ident(in.from[i]);
            const auto it = nodeSteps.find(in.from[i]);
            has.push_back(it != nodeSteps.end() && it->second);
            xs += (i ? ", o_" : "o_") + id;
            masks += (i ? ", m_" : "m_") + id;
            steps += (i ? ", " : "") + std::string(has.back() ? "s_" : "m_") + id;
        }
    }
    const bool anySteps = std::find(has.begin(), has.end(), true) != has.end();
    return {xs + "], " + masks + "]" + (anySteps ? ", " + steps + "]" : std::string()), has};
}

std::size_t inputCount(const exporting::StepInputs &in) { return in.column >= 0 ? 1 : in.from.size(); }

// Python that TorchScript also compiles (one source for both exports): the decoding of a
// model whose head `head` ("self.node_x") decodes step by step (Lowering.h's start and
// step), as FuseLab decodes. `params` "x0: Tensor, ..., present: Tensor", `args` "x0, ...,
// present". Methods start at column 0, their bodies at 8 spaces.
//   greedy(memory, slots) -> (ids [B, T], logits [B, T, V]): the argmax of each step fed
//     back, until every sample has produced <eos> or max_length steps (SequenceHead.h);
//   beam_search(memory, slots, width, length_penalty) -> ids per sample: per sample, the
//     `width` best hypotheses by summed log-probability; finished ones set aside; the best
//     by log-probability / length^length_penalty (DecoderHeadImpl::beamSearch's rules);
//   generate(inputs..., beam=1, length_penalty=0.0) -> ids per sample, <eos> and the
//     specials left out.
// (In this order: TorchScript compiles each method as it is defined.)
std::vector<std::string> decoderMethods(const std::string &head, std::int64_t maxLength, const std::string &params, const std::string &args)
{
    const std::string L = std::to_string(maxLength);
    return {
        "def greedy(self, memory: Tensor, slots: Tensor) -> Tuple[Tensor, Tensor]:\n"
        "        batch = memory.size(0)\n"
        "        token = torch.full([batch], 2, device=memory.device).long()\n"
        "        state = " + head + ".start([memory, slots])\n"
        "        finished = torch.zeros([batch], device=memory.device) > 0\n"
        "        chosen: List[Tensor] = []\n"
        "        steps: List[Tensor] = []\n"
        "        for t in range(" + L + "):\n"
        "            out = " + head + ".step([memory, slots, token] + state)\n"
        "            state = out[1:]\n"
        "            token = out[0].argmax(1)\n"
        "            steps.append(out[0])\n"
        "            chosen.append(token)\n"
        "            finished = torch.logical_or(finished, token == 3)\n"
        "            if bool(finished.all()):\n"
        "                break\n"
        "        return torch.stack(chosen, 1), torch.stack(steps, 1)\n",
        "def beam_search(self, memory: Tensor, slots: Tensor, width: int, length_penalty: float) -> List[List[int]]:\n"
        "        result: List[List[int]] = []\n"
        "        k_best = max(1, width)\n"
        "        for b in range(memory.size(0)):\n"
        "            mem = memory[b:b + 1]\n"
        "            sl = slots[b:b + 1]\n"
        "            state = " + head + ".start([mem, sl])\n"
        "            alive: List[List[int]] = [[2]]\n"
        "            alive_logp: List[float] = [0.0]\n"
        "            done: List[List[int]] = []\n"
        "            done_logp: List[float] = []\n"
        "            for t in range(" + L + "):\n"
        "                if len(alive) == 0:\n"
        "                    break\n"
        "                n = len(alive)\n"
        "                last: List[int] = []\n"
        "                for h in alive:\n"
        "                    last.append(h[-1])\n"
        "                token = torch.tensor(last, device=memory.device).long()\n"
        "                out = " + head + ".step([mem.expand([n, -1, -1]), sl.expand([n, -1]), token] + state)\n"
        "                logp = torch.log_softmax(out[0].float(), 1).cpu()\n"
        "                top = logp.topk(k_best, 1)\n"
        "                scores: List[float] = []\n"
        "                parents: List[int] = []\n"
        "                tokens: List[int] = []\n"
        "                for k in range(n):\n"
        "                    for j in range(k_best):\n"
        "                        scores.append(alive_logp[k] + float(top[0][k][j]))\n"
        "                        parents.append(k)\n"
        "                        tokens.append(int(top[1][k][j]))\n"
        "                next_alive: List[List[int]] = []\n"
        "                next_logp: List[float] = []\n"
        "                rows: List[int] = []\n"
        "                taken = [False for _ in scores]\n"
        "                for _ in scores:  # the candidates best first, until width are alive\n"
        "                    if len(next_alive) >= k_best:\n"
        "                        break\n"
        "                    i = -1\n"
        "                    for c in range(len(scores)):\n"
        "                        if not taken[c] and (i < 0 or scores[c] > scores[i]):\n"
        "                            i = c\n"
        "                    taken[i] = True\n"
        "                    ids = alive[parents[i]] + [tokens[i]]\n"
        "                    if tokens[i] == 3:\n"
        "                        done.append(ids)\n"
        "                        done_logp.append(scores[i])\n"
        "                    else:\n"
        "                        next_alive.append(ids)\n"
        "                        next_logp.append(scores[i])\n"
        "                        rows.append(parents[i])\n"
        "                keep = torch.tensor(rows, device=memory.device).long()\n"
        "                state = [s.index_select(0, keep) for s in out[1:]]\n"
        "                alive = next_alive\n"
        "                alive_logp = next_logp\n"
        "                if len(done) >= k_best and length_penalty == 0.0:\n"
        "                    break\n"
        "            for i in range(len(alive)):\n"
        "                done.append(alive[i])\n"
        "                done_logp.append(alive_logp[i])\n"
        "            best = -1\n"
        "            best_score = 0.0\n"
        "            for i in range(len(done)):\n"
        "                score = done_logp[i] / float(max(1, len(done[i]) - 1)) ** length_penalty\n"
        "                if best < 0 or score > best_score:\n"
        "                    best = i\n"
        "                    best_score = score\n"
        "            ids_out: List[int] = []\n"
        "            if best >= 0:\n"
        "                for tok in done[best][1:]:\n"
        "                    if tok == 3:\n"
        "                        break\n"
        "                    ids_out.append(tok)\n"
        "            result.append(ids_out)\n"
        "        return result\n",
        "def forward(self, " + params + ") -> Tensor:\n"
        "        \"\"\"Greedy decoding's logits [batch, steps, vocabulary], as FuseLab's forward gives them.\"\"\"\n"
        "        enc = self.encode(" + args + ")\n"
        "        return self.greedy(enc[0], enc[1])[1]\n",
        "def generate(self, " + params + ", beam: int = 1, length_penalty: float = 0.0) -> List[List[int]]:\n"
        "        \"\"\"Token ids of each sample's text (class_names are the tokens): greedy, or beam search of width `beam`.\"\"\"\n"
        "        enc = self.encode(" + args + ")\n"
        "        if beam > 1:\n"
        "            return self.beam_search(enc[0], enc[1], beam, length_penalty)\n"
        "        rows: List[List[int]] = self.greedy(enc[0], enc[1])[0].tolist()\n"
        "        result: List[List[int]] = []\n"
        "        for row in rows:\n"
        "            kept: List[int] = []\n"
        "            for tok in row:\n"
        "                if tok == 3:\n"
        "                    break\n"
        "                if tok != 0 and tok != 2:\n"
        "                    kept.append(tok)\n"
        "            result.append(kept)\n"
        "        return result\n"};
}

// CTC's best path (decodeLogits): each frame's argmax, repeats merged, blanks and specials dropped.
std::string ctcGenerate(const std::string &params, const std::string &args)
{
    return "def generate(self, " + params + ", beam: int = 1, length_penalty: float = 0.0) -> List[List[int]]:\n"
           "        \"\"\"Token ids of each sample's text (class_names are the tokens): CTC's best path (beam is not used).\"\"\"\n"
           "        rows: List[List[int]] = self.forward(" + args + ").argmax(2).tolist()\n"
           "        result: List[List[int]] = []\n"
           "        for row in rows:\n"
           "            kept: List[int] = []\n"
           "            previous = -1\n"
           "            for tok in row:\n"
           "                if tok != previous and tok != 0 and tok != 2 and tok != 3:\n"
           "                    kept.append(tok)\n"
           "                previous = tok\n"
           "            result.append(kept)\n"
           "        return result\n";
}

// The root's methods around the blocks' calls (`body`, lines at 8 spaces, after p = ...):
// forward, or for a decoder encode + its decoding; CTC adds generate.
std::vector<std::string> rootMethods(const FusionModel &model, const std::string &head, const std::vector<std::string> &inputNames,
                                     const std::string &body, const std::string &forwardDoc)
{
    std::string params, args;
    for (std::size_t m = 0; m < inputNames.size(); ++m) {
        params += "x" + std::to_string(m) + ": Tensor, ";
        args += "x" + std::to_string(m) + ", ";
    }
    params += "present: Tensor";
    args += "present";
    const std::string out = ident(model->analysis().outputNode);
    const FusionModelImpl::Step *seq = exporting::sequenceStep(model);
    const auto *decoder = seq ? dynamic_cast<const lowering::DecodesStepwise *>(seq->module.get()) : nullptr;
    if (decoder) {
        std::vector<std::string> methods = {"def encode(self, " + params + ") -> List[Tensor]:\n"
                                            "        \"\"\"The memory the decoder attends to [batch, slots, features] and its open slots [batch, slots].\"\"\"\n"
                                            "        p = present.float()\n" + body + "        return [o_" + ident(seq->node) + ", m_" + ident(seq->node) + "]\n"};
        for (std::string &m : decoderMethods(head, dynamic_cast<const SequenceHead *>(seq->module.get())->maxLength(), params, args))
            methods.push_back(std::move(m));
        return methods;
    }
    std::vector<std::string> methods = {"def forward(self, " + params + ") -> Tensor:\n" + forwardDoc + "        p = present.float()\n" + body +
                                        "        return o_" + out + "\n"};
    if (seq)
        methods.push_back(ctcGenerate(params, args));
    return methods;
}

} // namespace

void saveTorchScript(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
                     const std::string &path)
{
    auto cu = std::make_shared<torch::jit::CompilationUnit>();
    torch::jit::Module root(c10::QualifiedName("__torch__.fuselab.FuseLabModel"), cu, true);
    root.register_attribute("training", c10::BoolType::get(), false);
    std::string body;
    std::map<std::string, bool> nodeSteps;
    const FusionModelImpl::Step *seq = exporting::sequenceStep(model);
    exporting::forEachBlock(model, FL_TR("Export", "block %1 (%2) cannot be exported to TorchScript: %3"),
                            [&](const FusionModelImpl::Step &s, const exporting::StepInputs &in) {
                                const std::string name = "node_" + ident(s.node);
                                torch::jit::Module sub(c10::QualifiedName("__torch__.fuselab." + name), cu, true);
                                sub.register_attribute("training", c10::BoolType::get(), false);
                                const BlockCall call = blockArgs(in, "p.select(1, " + std::to_string(in.column) + ")", nodeSteps);
                                const bool steps = textops::defineTorchScript(*s.module, inputCount(in), call.inputSteps, sub);
                                nodeSteps[s.node] = steps;
                                root.register_module(name, sub);
                                const std::string id = ident(s.node);
                                body += "        o_" + id + ", m_" + id + (steps ? ", s_" + id : std::string()) + " = self." + name + ".forward(" + call.args + ")\n";
                            });
    std::string names = "def class_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    names += "]\n";
    std::string inputs = "def input_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    inputs += "]\n";
    try {
        for (const std::string &m : rootMethods(model, seq ? "self.node_" + ident(seq->node) : std::string(), inputNames, body, ""))
            root.define(m);
        root.define(names);
        root.define(inputs);
    } catch (const std::exception &x) {
        throw Error(Message::plain("TorchScript export: the generated model does not compile: " + std::string(x.what()).substr(0, 600)));
    }
    root.eval();
    std::ostringstream bytes;
    root.save(bytes);
    writeFileAtomically(path, bytes.str());
}

std::string pythonModelSource(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames)
{
    std::string classesSrc, init, used, body, headRef;
    std::map<std::string, bool> nodeSteps;
    const FusionModelImpl::Step *seq = exporting::sequenceStep(model);
    exporting::forEachBlock(model, FL_TR("Export", "block %1 (%2) cannot be exported as PyTorch code: %3"),
                            [&](const FusionModelImpl::Step &s, const exporting::StepInputs &in) {
                                const GraphNode *n = model->graph().node(s.node);
                                const std::string attr = moduleName(s.node); // the state_dict's names
                                const std::string cls = "Node_" + ident(s.node);
                                const std::string ref = isIdentifier(attr) ? "self." + attr : "getattr(self, " + quoted(attr) + ")";
                                std::string doc = n->type + ": " + n->displayName();
                                std::replace(doc.begin(), doc.end(), '"', '\'');
                                std::replace(doc.begin(), doc.end(), '\\', '/');
                                const BlockCall call = blockArgs(in, "p[:, " + std::to_string(in.column) + "]", nodeSteps);
                                bool steps = false;
                                classesSrc += "\n\n" + textops::pythonClass(*s.module, inputCount(in), call.inputSteps, cls, doc, &steps);
                                nodeSteps[s.node] = steps;
                                if (seq && seq->node == s.node)
                                    headRef = ref;
                                init += isIdentifier(attr) ? "        self." + attr + " = " + cls + "()\n"
                                                           : "        self.add_module(" + quoted(attr) + ", " + cls + "())\n";
                                if (in.column >= 0)
                                    used += (used.empty() ? "" : ", ") + std::to_string(in.column);
                                const std::string id = ident(s.node);
                                body += "        o_" + id + ", m_" + id + (steps ? ", s_" + id : std::string()) + " = " + ref + "(" + call.args + ")\n";
                            });
    std::string names = "[", inputs = "[";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    std::string methods;
    for (const std::string &m : rootMethods(model, headRef, inputNames, body,
                                            "        \"\"\"Logits [batch, classes]; present [batch, inputs]: 1 where a sample has that input.\"\"\"\n"))
        methods += "\n    " + m;
    const std::string task = seq ? "sequence" : model->multiLabel() ? "multi-label" : "single-label";
    std::string src = kPythonPreamble + classesSrc.substr(1) + "\n\nclass FuseLabModel(nn.Module):\n"
                      "    \"\"\"The whole model: the blocks in the graph's order.\"\"\"\n\n"
                      "    class_names = " + names + "]\n    input_names = " + inputs + "]\n    multi_label = " + pyBool(model->multiLabel()) +
                      "\n    task = " + quoted(task) +
                      "\n    used_inputs = [" + used + "]  # the inputs the graph reads (others may be zeros)\n\n"
                      "    def __init__(self):\n        super().__init__()\n" + init + methods +
                      "\n\ndef load_model(weights: str = os.path.join(HERE, \"model.safetensors\"), device: str = \"cpu\") -> FuseLabModel:\n"
                      "    \"\"\"The model with the exported (or any FuseLab-named) weights, in eval mode.\"\"\"\n"
                      "    model = FuseLabModel()\n"
                      "    state, _ = load_safetensors(weights)\n"
                      "    model.load_state_dict(state, strict=True)\n"
                      "    return model.to(device).eval()\n";
    return src;
}

} // namespace fuselab
