// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/Experiment.h"
#include "core/model/BlockCatalogue.h"
#include "core/graph/GraphAnalysis.h"
#include "core/model/BlockModule.h"

#include <map>
#include <string>
#include <vector>

namespace fuselab {

// The whole model, built from a graph that validated: one module per node, run in
// topological order. Inputs are the dataset's modality columns in the experiment's order
// (the tensor cache's column order).
class FusionModelImpl : public torch::nn::Module {
public:
    // Throws Error listing the graph's problems when it does not validate.
    FusionModelImpl(const Graph &graph, const InferContext &context, const BlockRegistry &registry = builtinBlocks());

    // One fusion input's auxiliary classifier (a fusion block's "aux_weight"), in training only.
    struct AuxiliaryLogits {
        std::string node;     // the fusion block
        torch::Tensor logits; // [B, classes] from that input alone
        torch::Tensor mask;   // [B] float: samples where that input is present
        double weight = 0;
    };
    struct Output {
        torch::Tensor logits;   // [B, classes]
        torch::Tensor auxLoss;  // summed auxiliary losses (reconstruction); a 0-d zero when none
        std::vector<AuxiliaryLogits> auxLogits; // empty in eval mode and without aux_weight
    };
    // columns[m]: the batch of modality column m; present: [B, columns] (bool or float).
    // `trace`, when given, receives every block's outputs by node id (exporters read shapes).
    Output forward(const std::vector<torch::Tensor> &columns, const torch::Tensor &present,
                   std::map<std::string, std::vector<Value>> *trace = nullptr);

    const GraphAnalysis &analysis() const { return m_analysis; }
    // Parameters of the graph's blocks (the auxiliary classifiers, which exist only for
    // training, are not counted).
    std::int64_t parameterCount() const;
    std::int64_t parameterCount(const std::string &node) const;
    // The weights an exported or deployed model needs: every block's parameters and buffers
    // by their FuseLab names ("node_<id>.<path>"), without the training-only auxiliary
    // classifiers. Tensors share storage with the model.
    std::vector<std::pair<std::string, torch::Tensor>> inferenceState() const;
    // Copies weights in by those names. Throws Error listing the missing, unexpected and
    // wrongly shaped names (up to a few of each) and changes nothing then.
    void loadInferenceState(const std::vector<std::pair<std::string, torch::Tensor>> &state, const std::string &source);
    bool multiLabel() const { return m_multiLabel; }
    // The regression head's loss and target scale, when the model predicts a number.
    std::optional<BlockModule::RegressionOutput> regression() const;
    // Sets the regression head's target mean and std (the training split's); no-op otherwise.
    void setTargetScale(double mean, double std);
    // Stores every 2-D convolution's weights channels-last (NHWC), which LibTorch's CPU
    // (oneDNN) kernels run faster — 1.26-1.45x per training step for the 64x64 RGB image
    // template here, no measurable change for 28x28 grey (docs/benchmarks.md). The values, and so the results up to float rounding, are the same.
    // Idempotent; call it again after loading weights, which brings their saved layout.
    void setChannelsLast(bool on);

    // The graph's blocks in execution order (exporters walk them).
    struct Step {
        std::string node;
        std::shared_ptr<BlockModule> module;
        int column = -1;                                      // input nodes: dataset column
        std::vector<std::vector<std::pair<std::string, int>>> sources; // per input port: (node, output port index)
        double auxWeight = 0;
        std::vector<torch::nn::Linear> auxHeads; // one per incoming edge, ports in order
    };
    const std::vector<Step> &steps() const { return m_steps; }
    const Graph &graph() const { return m_graph; }
    // For each edge into `step`'s input port `port`, in order: the dataset column it is
    // computed from alone, or -1 when it mixes several (a fusion's output).
    std::vector<int> sourceColumns(const Step &step, std::size_t port) const;

private:
    Graph m_graph;
    GraphAnalysis m_analysis;
    std::vector<Step> m_steps;
    bool m_multiLabel = false;
};
TORCH_MODULE(FusionModel);

// A node's module name in the model ("node_<id>", dots as '_'): the prefix of its weights'
// names in checkpoints, safetensors and every export.
std::string moduleName(const std::string &id);


} // namespace fuselab
