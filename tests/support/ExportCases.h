// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The models the export tests write in every format: each experiment template and a graph
// for each block no template uses, over a dataset with a photo, a clip and a caption, and
// one batch where some samples miss modalities, with FuseLab's own outputs on it.
#include "core/document/Experiment.h"
#include "core/document/Templates.h"
#include "core/model/FusionModel.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fuselab::test {

inline DatasetSummary threeModalities()
{
    DatasetSummary s;
    s.path = "data";
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageChannels = 3;
    s.imageWidth = s.imageHeight = 16;
    return s;
}

// The same data with a number per sample (a regression dataset: one output, named after
// the label column).
inline DatasetSummary threeModalitiesNumbers()
{
    DatasetSummary s = threeModalities();
    s.task = Task::Regression;
    s.classes = {"label"};
    return s;
}

// The same data with a text to produce per sample (a sequence dataset).
inline DatasetSummary threeModalitiesTexts()
{
    DatasetSummary s = threeModalities();
    s.task = Task::Sequence;
    s.classes.clear();
    s.trainTargets = {"a red circle", "two blue squares on the left", "a small green star"};
    return s;
}

// The dataset a template is made for: classes, numbers for the regression template, texts
// for the sequence templates.
inline DatasetSummary datasetFor(const ExperimentTemplate &t)
{
    return t.task == Task::Regression ? threeModalitiesNumbers() : t.task == Task::Sequence ? threeModalitiesTexts() : threeModalities();
}

// The Transformer decoder, which no exporter writes yet (refused with the reason; test_export
// checks the message).
inline bool exportsRefuse(const std::string &blockType) { return blockType == "head.transformer_decoder"; }

// A template's experiment with every `from` block made a `to` block with `params`.
inline Experiment replacedBlock(const std::string &templ, const std::string &from, const std::string &to, nlohmann::json params,
                                DatasetSummary s = threeModalities())
{
    Experiment e = makeExperiment(templ, s);
    for (GraphNode &n : e.graph.nodes)
        if (n.type == from) {
            n.type = to;
            n.params = params;
        }
    return e;
}

// FiLM: the photo's vector modulated by the caption's (the clip's branch removed).
inline Experiment filmExperiment()
{
    Experiment film = makeExperiment("concat", threeModalities());
    std::string fusion;
    for (GraphNode &n : film.graph.nodes)
        if (n.type == "fusion.concat") {
            n.type = "fusion.film";
            n.params = nlohmann::json::object();
            fusion = n.id;
        }
    std::vector<GraphEdge> edges;
    for (const GraphEdge &edge : film.graph.edges) {
        if (edge.to.node != fusion) {
            edges.push_back(edge);
            continue;
        }
        const GraphNode *from = film.graph.node(edge.from.node);
        if (from->id.find("photo") != std::string::npos)
            edges.push_back({edge.from, {fusion, "x"}});
        else if (from->id.find("caption") != std::string::npos)
            edges.push_back({edge.from, {fusion, "condition"}});
    }
    film.graph.edges = edges;
    std::vector<GraphNode> nodes;
    for (const GraphNode &n : film.graph.nodes)
        if (n.id.find("clip") == std::string::npos)
            nodes.push_back(n);
    film.graph.nodes = nodes;
    std::vector<GraphEdge> kept;
    for (const GraphEdge &edge : film.graph.edges)
        if (film.graph.node(edge.from.node) && film.graph.node(edge.to.node))
            kept.push_back(edge);
    film.graph.edges = kept;
    return film;
}

// The graphs for the blocks no template uses (name, experiment): ResNet, MLP, Transformer
// (CLS and mean pooling), FiLM, the multi-label head, and more of the options that change
// a block's computation (LSTM both ways, GELU, weighted and learned late fusion, a
// Transformer's whole sequence into cross-modal attention).
inline std::vector<std::pair<std::string, Experiment>> blockCases()
{
    std::vector<std::pair<std::string, Experiment>> c;
    c.emplace_back("resnet", replacedBlock("image-cnn", "encoder.cnn", "encoder.resnet", {{"channels", 8}, {"stages", 2}, {"blocks", 1}}));
    c.emplace_back("mlp", replacedBlock("image-cnn", "encoder.cnn", "encoder.mlp", {{"hidden", 32}, {"layers", 2}, {"activation", "gelu"}}));
    c.emplace_back("transformer-cls",
                   replacedBlock("text-gru", "encoder.rnn", "encoder.transformer", {{"d_model", 32}, {"heads", 4}, {"layers", 2}, {"pooling", "cls"}}));
    c.emplace_back("transformer-mean",
                   replacedBlock("text-gru", "encoder.rnn", "encoder.transformer", {{"d_model", 32}, {"heads", 2}, {"layers", 1}, {"pooling", "mean"}}));
    DatasetSummary multi = threeModalities();
    multi.multiLabel = true;
    c.emplace_back("multilabel", makeExperiment("concat", multi));
    c.emplace_back("film", filmExperiment());
    c.emplace_back("lstm-bidirectional-2-layers", replacedBlock("text-gru", "encoder.rnn", "encoder.rnn",
                                                                {{"cell", "lstm"}, {"hidden", 16}, {"layers", 2}, {"bidirectional", true}, {"output", "last"}}));
    c.emplace_back("gru-last", replacedBlock("text-gru", "encoder.rnn", "encoder.rnn", {{"cell", "gru"}, {"hidden", 16}, {"output", "last"}}));
    c.emplace_back("conv1d-max", replacedBlock("text-gru", "encoder.rnn", "encoder.conv1d", {{"channels", 16}, {"output", "max"}}));
    Experiment weighted = makeExperiment("late-fusion", threeModalities());
    for (GraphNode &n : weighted.graph.nodes)
        if (n.type == "fusion.late")
            n.params = {{"mode", "weighted"}, {"weights", "1,2,3"}};
    c.emplace_back("late-weighted", weighted);
    // Learned late fusion: per-modality scores, a parameter (made non-zero by exportBatch, so
    // an export that dropped them and averaged would differ).
    Experiment learned = makeExperiment("late-fusion", threeModalities());
    for (GraphNode &n : learned.graph.nodes)
        if (n.type == "fusion.late")
            n.params = {{"mode", "learned"}};
    c.emplace_back("late-learned", learned);
    // A Transformer passing its whole sequence on (pooling = sequence, padding masked) into
    // the cross-modal attention, in place of the caption's GRU.
    Experiment sequence = makeExperiment("cross-attention", threeModalities());
    bool replaced = false;
    for (GraphNode &n : sequence.graph.nodes)
        if (n.type == "encoder.rnn") {
            n.type = "encoder.transformer";
            n.params = {{"d_model", 32}, {"heads", 4}, {"layers", 1}, {"pooling", "sequence"}};
            replaced = true;
        }
    if (!replaced)
        throw std::logic_error("the cross-attention template has no GRU to replace");
    c.emplace_back("transformer-sequence", sequence);
    // Attention bottlenecks in place of the cross-modal attention, over the photo, the clip
    // and the caption's GRU states.
    c.emplace_back("bottleneck", replacedBlock("cross-attention", "fusion.cross_attention", "fusion.bottleneck",
                                               {{"d_model", 16}, {"heads", 2}, {"bottlenecks", 2}, {"layers", 2}}));
    return c;
}

struct ExportBatch {
    std::vector<torch::Tensor> xs; // photo [B, 3, 16, 16], clip [B, mels, frames], caption ids [B, L]
    torch::Tensor present;         // [B, 3]
    torch::Tensor want;            // FuseLab's logits
};

// A batch of six: sample 1 without its photo, 2 without its clip, 3 without its caption,
// 4 with nothing but the caption; texts of different lengths padded with 0; a missing
// modality arrives as zeros. `model` gets fresh weights (seeded) and eval mode.
inline ExportBatch exportBatch(const Experiment &e, FusionModel &model)
{
    const std::int64_t B = 6;
    const auto &p = e.preprocessing;
    ExportBatch b;
    b.present = torch::ones({B, 3});
    b.present.index_put_({1, 0}, 0.0f);
    b.present.index_put_({2, 1}, 0.0f);
    b.present.index_put_({3, 2}, 0.0f);
    b.present.index_put_({4, 0}, 0.0f);
    b.present.index_put_({4, 1}, 0.0f);
    b.xs = {torch::randn({B, 3, 16, 16}), torch::randn({B, p.audio.mel.nMels, p.audio.mel.frames(p.audio.samples())})};
    torch::Tensor ids = torch::randint(2, 50, {B, p.text.maxLength}, torch::kLong);
    for (std::int64_t s = 0; s < B; ++s)
        ids.index_put_({s, torch::indexing::Slice(3 + 7 * s, torch::indexing::None)}, 0);
    b.xs.push_back(ids);
    for (std::size_t m = 0; m < b.xs.size(); ++m) {
        std::vector<std::int64_t> shape(static_cast<std::size_t>(b.xs[m].dim()), 1);
        shape[0] = B;
        b.xs[m] = b.xs[m] * b.present.select(1, static_cast<std::int64_t>(m)).view(shape).to(b.xs[m].dtype());
    }
    torch::NoGradGuard noGrad;
    // Parameters that start at one value by design (learned late-fusion scores at 0, layer
    // norms' gains at 1, zero biases) are moved off it, so an export that ignored one of them
    // would not match by luck.
    for (auto &param : model->parameters())
        if (param.numel() > 0 && (param.max() == param.min()).item<bool>())
            param.add_(torch::randn_like(param) * 0.3);
    // A regression head's target scale (0 and 1 until training sets it) likewise.
    model->setTargetScale(3.5, 2.25);
    model->eval();
    b.want = model->forward(b.xs, b.present).logits;
    return b;
}

} // namespace fuselab::test
