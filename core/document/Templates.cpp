// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/document/Templates.h"

#include "core/util/Message.h"
#include "core/data/TargetVocabulary.h"

#include <algorithm>
#include <cstdio>

namespace fuselab {

const std::vector<ExperimentTemplate> &experimentTemplates()
{
    static const std::vector<ExperimentTemplate> list = {
        {"image-cnn", FL_TR("Templates", "images only: a CNN encoder and a classifier").text, 1},
        {"text-gru", FL_TR("Templates", "text only: a bidirectional GRU over words and a classifier").text, 1},
        {"audio-cnn", FL_TR("Templates", "audio only: a CNN over the log-mel spectrogram and a classifier").text, 1},
        {"concat", FL_TR("Templates", "every modality encoded, vectors concatenated (early fusion)").text, 2},
        {"late-fusion", FL_TR("Templates", "one classifier per modality, logits averaged over present modalities").text, 2},
        {"attention-fusion", FL_TR("Templates", "attention weights over the modality vectors").text, 2},
        {"gated-fusion", FL_TR("Templates", "gated multimodal unit (Arevalo et al. 2017)").text, 2},
        {"tensor-fusion", FL_TR("Templates", "tensor fusion network: outer product of modality vectors (Zadeh et al. 2017)").text, 2},
        {"low-rank-fusion", FL_TR("Templates", "low-rank multimodal fusion (Liu et al. 2018)").text, 2},
        {"cross-attention", FL_TR("Templates", "cross-modal attention between modality sequences (MulT-style)").text, 2},
        {"autoencoder-fusion", FL_TR("Templates", "per-modality autoencoders and a joint autoencoder latent, reconstruction loss added").text, 2},
        {"regression", FL_TR("Templates", "a number per sample: every modality encoded, vectors concatenated, a regression head").text, 1,
         Task::Regression},
        {"captioning", FL_TR("Templates", "an image to a text: a CNN's vector as the memory of a GRU decoder with attention").text, 1,
         Task::Sequence},
        {"translation", FL_TR("Templates", "a text (and any other modality) to a text: a bidirectional GRU's states and the other modalities' "
                                           "vectors as one memory, attended by a GRU decoder").text,
         1, Task::Sequence},
        {"transcription", FL_TR("Templates", "audio (and any other modality) to a text: a convolution over the frames and CTC, the other "
                                             "modalities' vectors added to every frame").text,
         1, Task::Sequence},
    };
    return list;
}

// The defaults against modality competition, measured on the digits benchmark
// (docs/benchmarks.md, "Defaults that learn").
namespace defaults {
constexpr double kModalityDropout = 0.2;
constexpr double kAuxWeight = 0.5;
} // namespace defaults

namespace {
std::string shortNumber(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
} // namespace

TrainingBudget trainingBudget(std::int64_t trainSamples)
{
    TrainingBudget b;
    const std::int64_t n = std::max<std::int64_t>(1, trainSamples);
    b.batchSize = n < TrainingBudget::kSmallDataset ? 32 : 64;
    b.stepsPerEpoch = (n + b.batchSize - 1) / b.batchSize;
    const std::int64_t epochs = (TrainingBudget::kBudgetSteps + b.stepsPerEpoch - 1) / b.stepsPerEpoch;
    b.epochs = static_cast<int>(std::clamp<std::int64_t>(epochs, TrainingBudget::kMinEpochs, TrainingBudget::kMaxEpochs));
    b.patience = std::max(3, (b.epochs + 3) / 4);
    return b;
}

Message explainBudget(const TrainingBudget &b, std::int64_t trainSamples)
{
    return Message(FL_TR("Templates", "Training is sized to the data: %1 training samples in batches of %2 make %3 steps per epoch, "
                                      "so up to %4 epochs give about %5 optimiser steps (at least %6 epochs, at most %7). It stops "
                                      "early when the validation score has not improved for %8 epochs, and the best epoch's weights "
                                      "are the result."),
                   std::to_string(trainSamples), std::to_string(b.batchSize), std::to_string(b.stepsPerEpoch), std::to_string(b.epochs),
                   std::to_string(b.stepsPerEpoch * b.epochs), std::to_string(TrainingBudget::kMinEpochs),
                   std::to_string(TrainingBudget::kMaxEpochs), std::to_string(b.patience));
}

namespace {

struct Builder {
    Experiment e;
    int row = 0;

    GraphNode &add(const std::string &id, const std::string &type, nlohmann::json params, double x, double y)
    {
        e.graph.nodes.push_back({id, id, type, std::move(params), x, y});
        return e.graph.nodes.back();
    }
    void connect(const std::string &from, const std::string &fromPort, const std::string &to, const std::string &toPort)
    {
        e.graph.edges.push_back({{from, fromPort}, {to, toPort}});
    }
};

int cnnLayers(int w, int h)
{
    int layers = 0;
    while (layers < 4 && (std::min(w, h) >> (layers + 1)) >= 4)
        ++layers;
    return std::max(1, layers);
}

// Adds input + encoder for one modality; returns the node whose "out" is its vector
// (or sequence, when `sequence`).
std::string encode(Builder &b, const ModalityColumn &m, const std::string &style, bool sequence, double y)
{
    const std::string base = m.name;
    const std::string input = "input_" + base;
    nlohmann::json inParams = {{"column", m.name}};
    if (m.kind == Modality::Audio && sequence)
        inParams["layout"] = "sequence";
    if (m.kind == Modality::Audio)
        inParams["normalize"] = "utterance";
    b.add(input, std::string("input.") + modalityName(m.kind), inParams, 0, y);
    const std::string enc = "encode_" + base;
    if (style == "autoencoder" && m.kind != Modality::Text) { // token ids are not reconstructable floats
        b.add(enc, "encoder.autoencoder", {{"hidden", 256}, {"layers", 1}, {"latent", 32}}, 250, y);
    } else if (m.kind == Modality::Image) {
        const int w = b.e.preprocessing.image.width, h = b.e.preprocessing.image.height;
        // Small images (Fashion-MNIST's 28×28) keep their spatial layout: flatten the last map.
        const bool small = w <= 32 && h <= 32;
        b.add(enc, "encoder.cnn", {{"layers", cnnLayers(w, h)}, {"channels", 32}, {"dropout", 0.25}, {"flatten", small}}, 250, y);
    } else if (m.kind == Modality::Text) {
        b.add(enc, "encoder.rnn", {{"cell", "gru"}, {"hidden", 64}, {"bidirectional", true}, {"output", sequence ? "sequence" : "mean"}},
              250, y);
    } else {
        if (sequence)
            b.add(enc, "encoder.conv1d", {{"channels", 64}, {"output", "sequence"}}, 250, y);
        else
            b.add(enc, "encoder.audio_cnn", {{"layers", 3}, {"channels", 32}}, 250, y);
    }
    b.connect(input, "out", enc, "in");
    return enc;
}

} // namespace

namespace {

Experiment buildSequenceExperiment(const std::string &name, const DatasetSummary &d, std::vector<Message> &why);

// What every template takes from the dataset as it is: where it is, how it is read and
// split, its task, classes and modalities, and its images' size.
void startExperiment(Experiment &e, const std::string &name, const DatasetSummary &d)
{
    e.name = name;
    e.dataset.path = d.path;
    e.dataset.labelColumn = d.labelColumn;
    e.dataset.columnTypes = d.columnTypes;
    for (int k = 0; k < 3; ++k)
        e.dataset.split[k] = d.split[static_cast<std::size_t>(k)];
    e.dataset.splitSeed = d.splitSeed;
    e.dataset.classes = d.classes;
    e.dataset.multiLabel = d.multiLabel;
    e.dataset.task = taskOf(d.multiLabel, d.task);
    e.dataset.modalities = d.modalities;
    // Small images keep their size (28×28 Fashion-MNIST); larger ones become 64×64.
    if (d.imageWidth > 0 && d.imageWidth <= 64 && d.imageHeight > 0 && d.imageHeight <= 64) {
        e.preprocessing.image.width = d.imageWidth;
        e.preprocessing.image.height = d.imageHeight;
    }
    e.preprocessing.image.channels = d.imageChannels;
}

// Batch size, epochs and patience from the training split's size (trainingBudget), when known.
void sizeTraining(Experiment &e, const DatasetSummary &d, std::vector<Message> &why)
{
    if (d.trainSamples <= 0)
        return;
    const TrainingBudget budget = trainingBudget(d.trainSamples);
    e.training.batchSize = budget.batchSize;
    e.training.epochs = budget.epochs;
    e.training.patience = budget.patience;
    why.push_back(explainBudget(budget, d.trainSamples));
}

Experiment buildExperiment(const std::string &name, const DatasetSummary &d, std::vector<Message> &why)
{
    auto it = std::find_if(experimentTemplates().begin(), experimentTemplates().end(),
                           [&](const ExperimentTemplate &t) { return t.name == name; });
    if (it == experimentTemplates().end())
    {
        std::string names;
        for (auto &t : experimentTemplates())
            names += (names.empty() ? "" : ", ") + t.name;
        throw Error(Message(FL_TR("Templates", "unknown template \"%1\" (templates: %2)"), name, names));
    }
    const bool regression = d.task == Task::Regression;
    if ((d.task == Task::Sequence) != (it->task == Task::Sequence))
        throw Error(d.task == Task::Sequence
                        ? Message(FL_TR("Templates", "the dataset's labels are texts to produce (a sequence task): use captioning, translation "
                                                     "or transcription"))
                        : Message(FL_TR("Templates", "template %1 produces a text, and this dataset's labels are not texts (use --task sequence "
                                                     "if its label column holds the texts to produce)"),
                                  name));
    if (d.task == Task::Sequence)
        return buildSequenceExperiment(name, d, why);
    if (name == "regression" && !regression)
        throw Error(Message(FL_TR("Templates", "template regression predicts a number, and this dataset's labels are classes (use "
                                               "--task regression if its label column holds numbers)")));
    if (regression && name == "late-fusion")
        throw Error(Message(FL_TR("Templates", "late fusion averages class scores, and this dataset's labels are numbers (regression): "
                                               "use regression, concat, attention-fusion or gated-fusion")));
    if (!regression && d.classes.size() < 2)
        throw Error("the dataset has " + std::to_string(d.classes.size()) + " class(es); a classifier needs at least two");

    Builder b;
    Experiment &e = b.e;
    startExperiment(e, name, d);

    std::vector<ModalityColumn> used;
    auto first = [&](Modality m) -> const ModalityColumn * {
        for (auto &c : d.modalities)
            if (c.kind == m)
                return &c;
        return nullptr;
    };
    if (name == "image-cnn" || name == "text-gru" || name == "audio-cnn") {
        const Modality m = name == "image-cnn" ? Modality::Image : name == "text-gru" ? Modality::Text : Modality::Audio;
        const ModalityColumn *c = first(m);
        if (!c)
            throw Error("template " + name + " needs " + modalityName(m) + " data, and the dataset has none");
        used.push_back(*c);
    } else if (name == "regression") {
        used = d.modalities;
    } else {
        used = d.modalities;
        if (used.size() < 2)
            throw Error("template " + name + " fuses modalities, and the dataset has only one (" + used[0].name
                        + "); use image-cnn, text-gru or audio-cnn");
    }
    sizeTraining(e, d, why);
    if (name == "image-cnn") {
        // Measured on Fashion-MNIST (docs/benchmarks.md): a short cosine schedule from a
        // higher rate beats a constant one, and augmentation only slows such short runs;
        // 6 epochs (the budget's minimum, at batch 64) reach 92.2% test accuracy in under
        // 10 minutes on 2 cores (7: 92.4-92.5%, but 10-12 minutes when that shared machine is slow).
        e.training.learningRate = 0.002;
        e.training.schedule = "cosine";
        if (d.trainSamples <= 0)
            e.training.epochs = 6;
    }

    // Exact-match accuracy is harsh with several labels per sample (one wrong label and the
    // sample counts as wrong): multi-label runs pick their best epoch by macro-F1.
    if (d.multiLabel)
        e.training.earlyStopMetric = "val_macro_f1";
    if (regression) {
        e.training.earlyStopMetric = "val_rmse";
        why.push_back(Message(FL_TR("Templates", "A number per sample (regression): the head predicts the target standardised by the "
                                                 "training split's mean and standard deviation and restores its scale, trained with the "
                                                 "mean squared error; the best epoch is the one with the lowest validation RMSE.")));
    }

    if (std::any_of(used.begin(), used.end(), [](const ModalityColumn &c) { return c.kind == Modality::Audio; })) {
        // SpecAugment (augmentation.spec_*) stays off: on the digits benchmark it cost more
        // than it gave within the step budget (docs/benchmarks.md).
        why.push_back(Message(FL_TR("Templates", "Sound: each clip's log-mel spectrogram is standardised on its own (zero mean, unit "
                                                 "variance), so a louder voice or another microphone looks the same to the model, "
                                                 "which helps it with speakers it has never heard.")));
    }
    const bool fused = used.size() > 1;
    if (fused) {
        e.training.modalityDropout = defaults::kModalityDropout;
        why.push_back(Message(FL_TR("Templates", "Fusion: a model that sees several modalities tends to lean on the one that is easiest "
                                                 "to fit and to neglect the others (modality competition). Against it, training drops "
                                                 "whole modalities of a sample at random (%1% of the time), and each modality's encoder "
                                                 "gets a small classifier of its own whose loss counts %2 times as much as the main one, "
                                                 "so every encoder must learn to recognise the classes alone. Neither is used when the "
                                                 "model is evaluated or exported."),
                              std::to_string(int(defaults::kModalityDropout * 100)), shortNumber(defaults::kAuxWeight)));
    }
    const bool sequences = name == "cross-attention";
    const std::string style = name == "autoencoder-fusion" ? "autoencoder" : "";
    std::vector<std::string> encoded;
    for (std::size_t i = 0; i < used.size(); ++i)
        encoded.push_back(encode(b, used[i], style, sequences, 150.0 * static_cast<double>(i)));
    const double mid = 75.0 * static_cast<double>(used.size() - 1);

    std::string features;
    if (used.size() == 1) {
        features = encoded[0];
    } else if (name == "late-fusion") {
        b.add("fusion", "fusion.late", {{"mode", "mean"}, {"aux_weight", defaults::kAuxWeight}}, 500, mid);
        for (auto &n : encoded)
            b.connect(n, "out", "fusion", "in");
        b.add("output", "output", nlohmann::json::object(), 750, mid);
        b.connect("fusion", "out", "output", "logits");
        return e;
    } else {
        static const std::map<std::string, std::pair<std::string, nlohmann::json>> fusions = {
            {"concat", {"fusion.concat", nlohmann::json::object()}},
            {"attention-fusion", {"fusion.attention", {{"dim", 128}}}},
            {"gated-fusion", {"fusion.gated", {{"dim", 128}}}},
            {"tensor-fusion", {"fusion.tensor", {{"proj_dim", 16}, {"out_features", 128}}}},
            {"low-rank-fusion", {"fusion.low_rank", {{"rank", 4}, {"dim", 128}}}},
            {"cross-attention", {"fusion.cross_attention", {{"d_model", 64}, {"heads", 4}}}},
            {"autoencoder-fusion", {"fusion.autoencoder", {{"hidden", 128}, {"latent", 64}}}},
        };
        auto [type, params] = fusions.at(name == "regression" ? std::string("concat") : name);
        params["aux_weight"] = defaults::kAuxWeight;
        b.add("fusion", type, params, 500, mid);
        for (auto &n : encoded)
            b.connect(n, "out", "fusion", "in");
        features = "fusion";
    }
    if (regression)
        b.add("head", "head.regression", {{"hidden", 128}, {"dropout", 0.1}, {"loss", "mse"}, {"huber_delta", 1.0}}, 750, mid);
    else
        b.add("head", d.multiLabel ? "head.multilabel" : "head.classification", {{"hidden", 128}, {"dropout", 0.2}}, 750, mid);
    b.connect(features, "out", "head", "in");
    b.add("output", "output", nlohmann::json::object(), 1000, mid);
    b.connect("head", "logits", "output", "logits");
    return e;
}


// captioning, translation, transcription: the target vocabulary fitted on the training
// targets (words; characters for transcription), its maximum length fitted to them.
Experiment buildSequenceExperiment(const std::string &name, const DatasetSummary &d, std::vector<Message> &why)
{
    const Modality main = name == "captioning" ? Modality::Image : name == "translation" ? Modality::Text : Modality::Audio;
    std::vector<ModalityColumn> used;
    for (const ModalityColumn &c : d.modalities)
        if (c.kind == main && used.empty())
            used.insert(used.begin(), c);
    if (used.empty())
        throw Error(Message(FL_TR("Templates", "template %1 needs %2 data, and the dataset has none"), name, modalityName(main)));
    if (name != "captioning")
        for (const ModalityColumn &c : d.modalities)
            if (c.name != used[0].name)
                used.push_back(c);

    Builder b;
    Experiment &e = b.e;
    startExperiment(e, name, d);

    TargetSettings &target = e.preprocessing.target;
    target.tokens = name == "transcription" ? "char" : "word";
    target.maxLength = suggestedTargetLength(d.trainTargets, target);
    e.dataset.classes = TargetVocabulary::fit(d.trainTargets, target).tokens();
    why.push_back(Message(FL_TR("Templates", "Texts to produce: the target vocabulary is the %1 of the training targets (%2 tokens with "
                                             "<pad>, <unk>, <bos> and <eos>), and targets are kept up to %3 tokens, the longest training "
                                             "target rounded up."),
                          target.chars() ? Message(FL_TR("Templates", "characters")) : Message(FL_TR("Templates", "words")),
                          std::to_string(e.dataset.classes.size()), std::to_string(target.maxLength)));
    sizeTraining(e, d, why);
    e.training.learningRate = 0.002;
    e.training.gradClip = 1.0;

    std::vector<std::string> encoded;
    for (std::size_t i = 0; i < used.size(); ++i)
        encoded.push_back(encode(b, used[i], "", i == 0, 150.0 * static_cast<double>(i)));
    const double mid = 75.0 * static_cast<double>(used.size() - 1);
    if (name == "transcription") {
        e.training.earlyStopMetric = "val_cer";
        b.add("head", "head.ctc", {{"hidden", 128}, {"dropout", 0.1}}, 500, mid);
        for (const std::string &n : encoded)
            b.connect(n, "out", "head", "in");
        why.push_back(Message(FL_TR("Templates", "Transcription: a convolution over the spectrogram's frames gives one vector per frame, and "
                                                 "CTC learns which character each frame shows without being told where the characters "
                                                 "are; the best epoch is the one with the lowest validation character error rate.")));
    } else {
        e.training.earlyStopMetric = "val_bleu";
        b.add("head", "head.rnn_decoder",
              {{"cell", "gru"}, {"hidden", 256}, {"embed", 128}, {"max_length", target.maxLength + 1}, {"label_smoothing", 0.1}, {"dropout", 0.2}},
              500, mid);
        for (const std::string &n : encoded)
            b.connect(n, "out", "head", "memory");
        why.push_back(Message(FL_TR("Templates", "Producing a text: a GRU decoder writes it word by word, at each word attending to the "
                                                 "memory (%1), trained on the true previous words (teacher forcing) with label smoothing; "
                                                 "the best epoch is the one with the highest validation BLEU.%2"),
                              name == "captioning" ? Message(FL_TR("Templates", "the image's vector"))
                                                   : Message(FL_TR("Templates", "the source text's states and one slot per other modality")),
                              used.size() > 1 ? MessageArg(Message(FL_TR("Templates", " Training drops whole modalities at random (20% of the "
                                                                                      "time) so the decoder cannot lean on one alone.")))
                                              : MessageArg(std::string())));
        if (used.size() > 1)
            e.training.modalityDropout = defaults::kModalityDropout;
    }
    b.add("output", "output", nlohmann::json::object(), 750, mid);
    b.connect("head", "logits", "output", "logits");
    return e;
}

} // namespace

Experiment makeExperiment(const std::string &name, const DatasetSummary &d, std::vector<Message> *choices)
{
    std::vector<Message> why;
    Experiment e = buildExperiment(name, d, why);
    for (const Message &m : why)
        e.description += (e.description.empty() ? "" : "\n\n") + m.str();
    if (choices)
        *choices = std::move(why);
    return e;
}

} // namespace fuselab
