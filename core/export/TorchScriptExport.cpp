// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/TorchScriptExport.h"

#include "core/export/BlockWalk.h"
#include "core/export/PythonText.h"
#include "core/export/TextOps.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"
#include "fuselab_python_sources.h"

#include <torch/script.h>

#include <algorithm>
#include <sstream>

namespace fuselab {

namespace {

using namespace pytext;

// kPythonPreamble, kTrainPy: core/export/python/*.py, embedded at build time.

// The arguments of a block's forward in the root module: [x3], [p.select(1, 3)] for an
// input block, the earlier blocks' outputs and masks otherwise.
std::pair<std::string, std::string> blockArgs(const exporting::StepInputs &in, const std::string &columnMask)
{
    std::string xs = "[", masks = "[";
    if (in.column >= 0) {
        xs += "x" + std::to_string(in.column);
        masks += columnMask;
    } else {
        for (std::size_t i = 0; i < in.from.size(); ++i) {
            xs += (i ? ", o_" : "o_") + ident(in.from[i]);
            masks += (i ? ", m_" : "m_") + ident(in.from[i]);
        }
    }
    return {xs + "]", masks + "]"};
}

std::size_t inputCount(const exporting::StepInputs &in) { return in.column >= 0 ? 1 : in.from.size(); }

} // namespace

void saveTorchScript(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
                     const std::string &path)
{
    auto cu = std::make_shared<torch::jit::CompilationUnit>();
    torch::jit::Module root(c10::QualifiedName("__torch__.fuselab.FuseLabModel"), cu, true);
    root.register_attribute("training", c10::BoolType::get(), false);
    std::string forward = "def forward(self";
    for (std::size_t m = 0; m < inputNames.size(); ++m)
        forward += ", x" + std::to_string(m) + ": Tensor";
    forward += ", present: Tensor) -> Tensor:\n        p = present.float()\n";
    exporting::forEachBlock(model, FL_TR("Export", "block %1 (%2) cannot be exported to TorchScript: %3"),
                            [&](const FusionModelImpl::Step &s, const exporting::StepInputs &in) {
                                const std::string name = "node_" + ident(s.node);
                                torch::jit::Module sub(c10::QualifiedName("__torch__.fuselab." + name), cu, true);
                                sub.register_attribute("training", c10::BoolType::get(), false);
                                textops::defineTorchScript(*s.module, inputCount(in), sub);
                                root.register_module(name, sub);
                                const auto [xs, masks] = blockArgs(in, "p.select(1, " + std::to_string(in.column) + ")");
                                forward += "        o_" + ident(s.node) + ", m_" + ident(s.node) + " = self." + name + ".forward(" + xs + ", " + masks + ")\n";
                            });
    forward += "        return o_" + ident(model->analysis().outputNode) + "\n";
    std::string names = "def class_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    names += "]\n";
    std::string inputs = "def input_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    inputs += "]\n";
    try {
        root.define(forward);
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
    std::string classesSrc, init, used, forward = "    def forward(self";
    for (std::size_t m = 0; m < inputNames.size(); ++m)
        forward += ", x" + std::to_string(m) + ": Tensor";
    forward += ", present: Tensor) -> Tensor:\n        \"\"\"Logits [batch, classes]; present [batch, inputs]: 1 where a sample has that input.\"\"\"\n"
               "        p = present.float()\n";
    exporting::forEachBlock(model, FL_TR("Export", "block %1 (%2) cannot be exported as PyTorch code: %3"),
                            [&](const FusionModelImpl::Step &s, const exporting::StepInputs &in) {
                                const GraphNode *n = model->graph().node(s.node);
                                const std::string attr = moduleName(s.node); // the state_dict's names
                                const std::string cls = "Node_" + ident(s.node);
                                const std::string ref = isIdentifier(attr) ? "self." + attr : "getattr(self, " + quoted(attr) + ")";
                                std::string doc = n->type + ": " + n->displayName();
                                std::replace(doc.begin(), doc.end(), '"', '\'');
                                std::replace(doc.begin(), doc.end(), '\\', '/');
                                classesSrc += "\n\n" + textops::pythonClass(*s.module, inputCount(in), cls, doc);
                                init += isIdentifier(attr) ? "        self." + attr + " = " + cls + "()\n"
                                                           : "        self.add_module(" + quoted(attr) + ", " + cls + "())\n";
                                if (in.column >= 0)
                                    used += (used.empty() ? "" : ", ") + std::to_string(in.column);
                                const auto [xs, masks] = blockArgs(in, "p[:, " + std::to_string(in.column) + "]");
                                forward += "        o_" + ident(s.node) + ", m_" + ident(s.node) + " = " + ref + "(" + xs + ", " + masks + ")\n";
                            });
    forward += "        return o_" + ident(model->analysis().outputNode) + "\n";
    std::string names = "[", inputs = "[";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    std::string src = kPythonPreamble + classesSrc.substr(1) + "\n\nclass FuseLabModel(nn.Module):\n"
                      "    \"\"\"The whole model: the blocks in the graph's order.\"\"\"\n\n"
                      "    class_names = " + names + "]\n    input_names = " + inputs + "]\n    multi_label = " + pyBool(model->multiLabel()) +
                      "\n    used_inputs = [" + used + "]  # the inputs the graph reads (others may be zeros)\n\n"
                      "    def __init__(self):\n        super().__init__()\n" + init + "\n" + forward +
                      "\n\ndef load_model(weights: str = os.path.join(HERE, \"model.safetensors\"), device: str = \"cpu\") -> FuseLabModel:\n"
                      "    \"\"\"The model with the exported (or any FuseLab-named) weights, in eval mode.\"\"\"\n"
                      "    model = FuseLabModel()\n"
                      "    state, _ = load_safetensors(weights)\n"
                      "    model.load_state_dict(state, strict=True)\n"
                      "    return model.to(device).eval()\n";
    return src;
}

} // namespace fuselab
