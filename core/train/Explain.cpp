// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Explain.h"

#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/media/Text.h"
#include "core/model/SequenceHead.h"
#include "core/train/Trainer.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fuselab {

namespace {

class Recorder final : public ActivationTap {
public:
    void record(const torch::nn::Module *block, const torch::Tensor &featureMap) override
    {
        torch::Tensor f = featureMap;
        if (f.requires_grad())
            f.retain_grad();
        maps[block] = f;
    }
    std::map<const torch::nn::Module *, torch::Tensor> maps;
};

// The dataset column an encoder reads, through the graph's edges.
int columnOf(const FusionModel &model, const std::string &node)
{
    std::map<std::string, const FusionModelImpl::Step *> byNode;
    for (const auto &s : model->steps())
        byNode[s.node] = &s;
    std::string at = node;
    for (int hops = 0; hops < 64; ++hops) {
        const auto *s = byNode.at(at);
        if (s->column >= 0)
            return s->column;
        if (s->sources.empty() || s->sources[0].empty())
            return -1;
        at = s->sources[0][0].first;
    }
    return -1;
}

// The modality weights of every fusion that has them, after a forward pass: [B, M] each.
struct WeightTensor {
    std::string node, kind;
    std::vector<std::string> modalities;
    torch::Tensor weights;
};
std::vector<WeightTensor> fusionWeightTensors(const FusionModel &model, const std::vector<CacheColumn> &columns)
{
    std::vector<WeightTensor> out;
    for (const auto &s : model->steps()) {
        const BlockModule::ModalityWeights mw = s.module->modalityWeights();
        WeightTensor w;
        w.kind = mw.kind;
        w.weights = mw.weights;
        if (!w.weights.defined() || w.weights.dim() != 2 || s.sources.empty())
            continue;
        w.node = s.node;
        for (const auto &[source, port] : s.sources[0]) {
            const int c = columnOf(model, source);
            w.modalities.push_back(c >= 0 && static_cast<std::size_t>(c) < columns.size() ? columns[static_cast<std::size_t>(c)].name : source);
        }
        if (static_cast<std::int64_t>(w.modalities.size()) != w.weights.size(1))
            continue;
        w.weights = w.weights.detach().to(torch::kCPU).to(torch::kFloat);
        out.push_back(std::move(w));
    }
    return out;
}

std::set<int> columnsRead(const FusionModel &model)
{
    std::set<int> read;
    for (const auto &s : model->steps())
        if (s.column >= 0)
            read.insert(s.column);
    return read;
}

// Softmax over the classes, or each label's sigmoid for multi-label models.
torch::Tensor classProbabilities(const FusionModel &model, const torch::Tensor &logits)
{
    return model->multiLabel() ? torch::sigmoid(logits) : torch::softmax(logits, 1);
}

// The explained class's probability for each of `variants` versions of one column's input
// (the other inputs as in the sample), in chunks so memory stays small.
std::vector<float> probabilitiesWith(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, std::size_t column,
                                     const torch::Tensor &variants, int target)
{
    std::vector<float> out;
    const std::int64_t N = variants.size(0), chunk = 32;
    for (std::int64_t from = 0; from < N; from += chunk) {
        const std::int64_t n = std::min(chunk, N - from);
        std::vector<torch::Tensor> xs;
        for (std::size_t c = 0; c < inputs.size(); ++c) {
            if (c == column)
                xs.push_back(variants.narrow(0, from, n));
            else {
                std::vector<std::int64_t> reps(static_cast<std::size_t>(inputs[c].dim()), 1);
                reps[0] = n;
                xs.push_back(inputs[c].repeat(reps));
            }
        }
        const torch::Tensor p = classProbabilities(model, model->forward(xs, present.repeat({n, 1})).logits.to(torch::kFloat))
                                    .select(1, target)
                                    .to(torch::kCPU)
                                    .contiguous();
        out.insert(out.end(), p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    }
    return out;
}

OcclusionMap occludeAudio(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, std::size_t column,
                          int target, float base)
{
    const torch::Tensor x = inputs[column]; // [1, mels, frames]
    OcclusionMap m;
    m.column = static_cast<int>(column);
    m.mels = static_cast<int>(x.size(1));
    m.frames = static_cast<int>(x.size(2));
    m.bands = std::min(8, m.mels);
    m.segments = std::min(16, m.frames);
    // A blanked cell gets the clip's own background: each band's median over time. (A constant
    // such as the training mean or silence would put sound into, or take the noise out of, the
    // clip's quiet parts, and the model would react to that instead.)
    const torch::Tensor background = std::get<0>(x.median(2, true)).expand_as(x); // [1, mels, frames]
    std::vector<torch::Tensor> variants;
    for (int b = 0; b < m.bands; ++b)
        for (int t = 0; t < m.segments; ++t) {
            torch::Tensor v = x.clone();
            const std::int64_t m0 = std::int64_t(b) * m.mels / m.bands, m1 = std::int64_t(b + 1) * m.mels / m.bands;
            const std::int64_t f0 = std::int64_t(t) * m.frames / m.segments, f1 = std::int64_t(t + 1) * m.frames / m.segments;
            v.narrow(1, m0, m1 - m0).narrow(2, f0, f1 - f0).copy_(background.narrow(1, m0, m1 - m0).narrow(2, f0, f1 - f0));
            variants.push_back(v);
        }
    const std::vector<float> p = probabilitiesWith(model, inputs, present, column, torch::cat(variants, 0), target);
    for (float q : p)
        m.values.push_back(base - q);
    const torch::Tensor flat = x.to(torch::kCPU).to(torch::kFloat).reshape({-1}).contiguous();
    m.logMel.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    return m;
}

TokenImportance tokensLeftOut(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, std::size_t column,
                              int target, float base, const Tokenizer *tokenizer)
{
    const torch::Tensor ids = inputs[column].to(torch::kCPU).to(torch::kLong).contiguous(); // [1, L]
    const std::int64_t L = ids.size(1);
    const std::int64_t *v = ids.data_ptr<std::int64_t>();
    TokenImportance t;
    t.column = static_cast<int>(column);
    std::vector<std::int64_t> positions;
    for (std::int64_t i = 0; i < L; ++i)
        if (v[i] != Tokenizer::kPad) {
            positions.push_back(i);
            t.tokens.push_back(tokenizer ? tokenizer->piece(static_cast<std::int32_t>(v[i])) : "#" + std::to_string(v[i]));
        }
    if (positions.empty())
        return t;
    torch::Tensor variants = torch::zeros({static_cast<std::int64_t>(positions.size()), L}, torch::kLong);
    auto a = variants.accessor<std::int64_t, 2>();
    for (std::size_t k = 0; k < positions.size(); ++k) {
        std::int64_t j = 0;
        for (std::int64_t i = 0; i < L; ++i)
            if (i != positions[k])
                a[static_cast<std::int64_t>(k)][j++] = v[i]; // the rest close up; padding fills the end
    }
    const std::vector<float> p = probabilitiesWith(model, inputs, present, column, variants.to(inputs[column].device()).to(inputs[column].dtype()), target);
    for (float q : p)
        t.importance.push_back(base - q);
    return t;
}

InputPicture pictureOf(const torch::Tensor &image, int column)
{
    torch::Tensor x = image[0].to(torch::kCPU).to(torch::kFloat); // [C, H, W], normalised
    const double lo = x.min().item<double>(), hi = x.max().item<double>();
    x = hi > lo ? (x - lo) / (hi - lo) : torch::zeros_like(x);
    x = (x * 255).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    InputPicture p;
    p.column = column;
    p.height = static_cast<int>(x.size(0));
    p.width = static_cast<int>(x.size(1));
    p.channels = static_cast<int>(x.size(2));
    p.pixels.assign(x.data_ptr<std::uint8_t>(), x.data_ptr<std::uint8_t>() + x.numel());
    return p;
}

} // namespace

std::vector<GradCamMap> gradCam(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, int target)
{
    model->eval();
    Recorder recorder;
    setActivationTap(&recorder);
    torch::Tensor logits;
    try {
        logits = model->forward(inputs, present).logits;
    } catch (...) {
        setActivationTap(nullptr);
        throw;
    }
    setActivationTap(nullptr);
    if (target < 0 || target >= logits.size(1))
        throw Error(Message::plain("Grad-CAM: class " + std::to_string(target) + " is not one of the model's"));
    std::vector<GradCamMap> out;
    if (recorder.maps.empty())
        return out;
    model->zero_grad();
    logits[0][target].backward();
    for (const auto &s : model->steps()) {
        const auto it = recorder.maps.find(s.module.get());
        if (it == recorder.maps.end() || !it->second.grad().defined())
            continue;
        torch::NoGradGuard noGrad;
        const torch::Tensor A = it->second.detach(), G = it->second.grad();
        const torch::Tensor weights = G.mean({2, 3}, true);               // [1, C, 1, 1]
        torch::Tensor cam = torch::relu((weights * A).sum(1, true));       // [1, 1, h, w]
        const int column = columnOf(model, s.node);
        std::int64_t H = cam.size(2), W = cam.size(3);
        if (column >= 0 && inputs.at(static_cast<std::size_t>(column)).dim() == 4) {
            H = inputs[static_cast<std::size_t>(column)].size(2);
            W = inputs[static_cast<std::size_t>(column)].size(3);
            cam = torch::nn::functional::interpolate(
                cam, torch::nn::functional::InterpolateFuncOptions().size(std::vector<std::int64_t>{H, W}).mode(torch::kBilinear).align_corners(false));
        }
        const double top = cam.max().item<double>();
        if (top > 0)
            cam = cam / top;
        GradCamMap m;
        m.node = s.node;
        m.column = column;
        m.height = static_cast<int>(H);
        m.width = static_cast<int>(W);
        const torch::Tensor flat = cam.reshape({-1}).to(torch::kFloat).contiguous();
        m.values.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
        out.push_back(std::move(m));
    }
    model->zero_grad();
    return out;
}

SampleExplanation explainBatch(FusionModel &model, const TensorCache &cache, const CacheBatch &batch, int target, const torch::Device &dev)
{
    CacheBatch b = batch;
    for (auto &x : b.inputs)
        x = x.to(dev);
    const torch::Tensor present = b.present.to(dev).to(torch::kFloat);
    SampleExplanation ex;
    ex.row = -1;
    if (!cache.multiLabel() && b.labels.defined() && b.labels.numel() > 0)
        ex.label = static_cast<int>(b.labels[0].item<std::int64_t>());
    auto probabilities = [&](const std::vector<torch::Tensor> &inputs, const torch::Tensor &mask) {
        return classProbabilities(model, model->forward(inputs, mask).logits.to(torch::kCPU).to(torch::kFloat))[0].contiguous();
    };
    {
        torch::NoGradGuard noGrad;
        model->eval();
        const torch::Tensor p = probabilities(b.inputs, present);
        ex.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
        ex.predicted = static_cast<int>(p.argmax().item<std::int64_t>());
        for (const WeightTensor &w : fusionWeightTensors(model, cache.columns())) {
            ModalityWeights mw;
            mw.node = w.node;
            mw.kind = w.kind;
            mw.modalities = w.modalities;
            const torch::Tensor r = w.weights[0].contiguous();
            mw.weights.assign(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
            ex.weights.push_back(std::move(mw));
        }
    }
    if (target >= static_cast<int>(ex.probabilities.size()))
        throw Error(Message::plain("class " + std::to_string(target) + " is not one of the model's"));
    ex.target = target >= 0 ? target : ex.predicted;
    const torch::Tensor presentCpu = b.present.to(torch::kCPU);
    for (GradCamMap &m : gradCam(model, b.inputs, present, ex.target)) {
        if (m.column >= 0 && !presentCpu[0][m.column].item<bool>())
            continue; // the sample has no such image: nothing to show
        if (m.column >= 0 && b.inputs.at(static_cast<std::size_t>(m.column)).dim() == 4)
            ex.pictures.push_back(pictureOf(b.inputs[static_cast<std::size_t>(m.column)], m.column));
        ex.maps.push_back(std::move(m));
    }
    torch::NoGradGuard noGrad;
    model->eval();
    const float base = ex.probabilities[static_cast<std::size_t>(ex.target)];
    const std::set<int> read = columnsRead(model);
    for (const int c : read) {
        const auto col = static_cast<std::size_t>(c);
        if (col >= cache.columns().size() || !presentCpu[0][c].item<bool>())
            continue; // a missing modality has nothing to take away
        const CacheColumn &meta = cache.columns()[col];
        if (meta.kind == Modality::Audio && b.inputs[col].dim() == 3)
            ex.audio.push_back(occludeAudio(model, b.inputs, present, col, ex.target, base));
        else if (meta.kind == Modality::Text && b.inputs[col].dim() == 2) {
#ifdef FUSELAB_WITH_INGEST
            const std::unique_ptr<Tokenizer> tokenizer = Tokenizer::create(cache.settings().text);
            tokenizer->deserialize(cache.tokenizerData(col));
#else
            const std::unique_ptr<Tokenizer> tokenizer; // a server build reads no tokenizers: tokens shown by id
#endif
            ex.text.push_back(tokensLeftOut(model, b.inputs, present, col, ex.target, base, tokenizer.get()));
        }
    }
    // The sample without each modality it has (the model's missing-modality mask, as a sample
    // without it arrives), when the model reads more than one.
    if (read.size() > 1)
        for (const int c : read) {
            const auto col = static_cast<std::size_t>(c);
            if (col >= cache.columns().size() || !presentCpu[0][c].item<bool>())
                continue;
            std::vector<torch::Tensor> inputs = b.inputs;
            inputs[col] = torch::zeros_like(inputs[col]);
            torch::Tensor mask = present.clone();
            mask[0][c] = 0;
            const torch::Tensor p = probabilities(inputs, mask);
            ModalityEffect effect;
            effect.column = c;
            effect.modality = cache.columns()[col].name;
            effect.probability = p[ex.target].item<float>();
            effect.predicted = static_cast<int>(p.argmax().item<std::int64_t>());
            ex.without.push_back(std::move(effect));
        }
    return ex;
}

SampleExplanation explainSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, int target, const std::string &device)
{
    const RunFolder run(runDir);
    const Experiment e = run.readExperiment();
    const RunRecord record = run.readRecord();
    const TensorCache cache = TensorCache::open(cacheDir);
    if (row < 0 || row >= cache.size())
        throw Error(Message::plain("row " + std::to_string(row) + " is not in the tensor cache " + cacheDir + " (it has " +
                                   std::to_string(cache.size()) + " rows)"));
    const torch::Device dev(Trainer::resolveDevice(device));
    if (!std::filesystem::exists(run.bestCheckpoint()))
        throw Error(Message(FL_TR("Services", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    FusionModel model = loadTrainedModel(e, record.experimentDir, run.bestCheckpoint(), dev);
    SampleExplanation ex = explainBatch(model, cache, cache.batch({row}), target, dev);
    ex.row = row;
    return ex;
}

SequenceAttention attendSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, const std::string &device)
{
    const RunFolder run(runDir);
    const Experiment e = run.readExperiment();
    const RunRecord record = run.readRecord();
    const TensorCache cache = TensorCache::open(cacheDir);
    if (!cache.sequence())
        throw Error(Message(FL_TR("Services", "%1 does not produce texts: decoder attention belongs to sequence models"), runDir));
    if (row < 0 || row >= cache.size())
        throw Error(Message::plain("row " + std::to_string(row) + " is not in the tensor cache " + cacheDir + " (it has " +
                                   std::to_string(cache.size()) + " rows)"));
    if (!std::filesystem::exists(run.bestCheckpoint()))
        throw Error(Message(FL_TR("Services", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    const torch::Device dev(Trainer::resolveDevice(device));
    FusionModel model = loadTrainedModel(e, record.experimentDir, run.bestCheckpoint(), dev);
    SequenceHead *head = findSequenceHead(*model);
    if (!head)
        throw Error(Message(FL_TR("Services", "the model has no sequence head")));
    if (head->ctc())
        throw Error(Message(FL_TR("Services", "a CTC head has no attention to show: it reads each frame in place")));
    model->eval();
    torch::NoGradGuard noGrad;
    CacheBatch b = cache.batch({row});
    std::vector<torch::Tensor> inputs;
    for (const auto &x : b.inputs)
        inputs.push_back(x.to(dev));
    const torch::Tensor logits = model->forward(inputs, b.present.to(dev)).logits;
    const torch::Tensor attention = head->lastAttention(), mask = head->lastMask();
    if (!attention.defined() || !mask.defined())
        throw Error(Message(FL_TR("Services", "this decoder does not expose its attention (the RNN decoder does; the Transformer "
                                              "decoder's cross-attention is inside LibTorch's layers)")));
    const TargetVocabulary vocab = cache.targetVocabulary();
    SequenceAttention out;
    out.row = row;
    out.reference = cache.targetText(row);
    const auto ids = decodeLogits(logits, false).at(0);
    out.hypothesis = vocab.decode(ids);
    // The steps: each produced token, then <eos> when the decoder produced it.
    const torch::Tensor argmax = logits.argmax(2).to(torch::kCPU)[0];
    const std::int64_t steps = std::min<std::int64_t>(attention.size(1), argmax.size(0));
    std::int64_t shown = 0;
    for (; shown < steps; ++shown) {
        const std::int64_t id = argmax[shown].item<std::int64_t>();
        out.outputs.push_back(id >= 0 && id < vocab.size() ? vocab.tokens()[static_cast<std::size_t>(id)] : "?");
        if (id == TargetVocabulary::kEos) {
            ++shown;
            break;
        }
    }
    // The slots: what each came from, the padding and missing ones left out.
    const FusionModelImpl::Step *headStep = nullptr;
    for (const auto &s : model->steps())
        if (dynamic_cast<SequenceHead *>(s.module.get()) == head)
            headStep = &s;
    const std::vector<int> columns = headStep ? model->sourceColumns(*headStep, 0) : std::vector<int>{};
    const auto slots = head->memorySlots();
    std::map<int, std::int64_t> slotsPerInput;
    for (const auto &[input, k] : slots)
        ++slotsPerInput[input];
#ifdef FUSELAB_WITH_INGEST
    std::map<int, std::unique_ptr<Tokenizer>> tokenizers;
#endif
    const torch::Tensor open = mask.to(torch::kCPU)[0];
    std::vector<std::int64_t> kept;
    for (std::size_t s = 0; s < slots.size(); ++s) {
        if (open[static_cast<std::int64_t>(s)].item<float>() <= 0)
            continue;
        const auto [input, k] = slots[s];
        const int c = input >= 0 && static_cast<std::size_t>(input) < columns.size() ? columns[static_cast<std::size_t>(input)] : -1;
        std::string label;
        if (c >= 0) {
            const CacheColumn &col = cache.columns()[static_cast<std::size_t>(c)];
            const torch::Tensor ids = b.inputs[static_cast<std::size_t>(c)];
            if (col.kind == Modality::Text && ids.dim() == 2 && slotsPerInput[input] == ids.size(1)) {
#ifdef FUSELAB_WITH_INGEST
                if (!tokenizers.count(c)) {
                    tokenizers[c] = Tokenizer::create(cache.settings().text);
                    tokenizers[c]->deserialize(cache.tokenizerData(static_cast<std::size_t>(c)));
                }
                label = tokenizers[c]->piece(ids[0][k].item<std::int32_t>());
#else
                label = "#" + std::to_string(ids[0][k].item<std::int32_t>()); // a server build reads no tokenizers: tokens shown by id
#endif
            } else {
                label = slotsPerInput[input] == 1 ? col.name : col.name + " " + std::to_string(k + 1);
            }
        } else {
            label = std::to_string(input + 1) + (slotsPerInput[input] > 1 ? "." + std::to_string(k + 1) : ""); // front ends say "fused input"

        }
        out.slots.push_back(label);
        out.slotColumns.push_back(c);
        kept.push_back(static_cast<std::int64_t>(s));
    }
    const torch::Tensor w = attention.to(torch::kCPU).to(torch::kDouble)[0];
    for (std::int64_t t = 0; t < shown; ++t) {
        std::vector<double> row;
        for (std::int64_t s : kept)
            row.push_back(w[t][s].item<double>());
        out.weights.push_back(std::move(row));
    }
    return out;
}

std::vector<FusionWeightsByClass> fusionWeightsByClass(const std::string &runDir, const std::string &cacheDir, const std::string &splitName,
                                                       const std::string &device, ProgressObserver *observer)
{
    const RunFolder run(runDir);
    const Experiment e = run.readExperiment();
    const RunRecord record = run.readRecord();
    const TensorCache cache = TensorCache::open(cacheDir);
    const std::optional<Split> split = splitFromName(splitName);
    if (!split)
        throw Error(Message::plain("unknown split \"" + splitName + "\" (val or test)"));
    if (cache.multiLabel())
        throw Error(Message::plain("modality weights per class need a single-label run"));
    if (!std::filesystem::exists(run.bestCheckpoint()))
        throw Error(Message(FL_TR("Services", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    const torch::Device dev(Trainer::resolveDevice(device));
    FusionModel model = loadTrainedModel(e, record.experimentDir, run.bestCheckpoint(), dev);
    model->eval();
    torch::NoGradGuard noGrad;
    const std::vector<std::int64_t> rows = cache.rows(*split);
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    std::vector<FusionWeightsByClass> out;
    std::vector<torch::Tensor> sums; // [C, M] per fusion
    torch::Tensor counts = torch::zeros({C}, torch::kDouble);
    const std::int64_t batch = std::max(1, e.training.batchSize);
    for (std::int64_t from = 0; from < static_cast<std::int64_t>(rows.size()); from += batch) {
        if (observer) {
            observer->onProgress("modality weights", from, static_cast<std::int64_t>(rows.size()));
            observer->checkpoint();
        }
        const std::vector<std::int64_t> part(rows.begin() + from, rows.begin() + std::min<std::int64_t>(from + batch, static_cast<std::int64_t>(rows.size())));
        CacheBatch b = cache.batch(part);
        for (auto &x : b.inputs)
            x = x.to(dev);
        model->forward(b.inputs, b.present.to(dev).to(torch::kFloat));
        const std::vector<WeightTensor> ws = fusionWeightTensors(model, cache.columns());
        if (ws.empty())
            return {};
        const torch::Tensor onehot = torch::one_hot(b.labels, C).to(torch::kDouble); // [B, C]
        if (out.empty())
            for (const WeightTensor &w : ws) {
                FusionWeightsByClass f;
                f.node = w.node;
                f.kind = w.kind;
                f.modalities = w.modalities;
                out.push_back(f);
                sums.push_back(torch::zeros({C, static_cast<std::int64_t>(w.modalities.size())}, torch::kDouble));
            }
        for (std::size_t k = 0; k < ws.size() && k < sums.size(); ++k)
            sums[k] += onehot.t().matmul(ws[k].weights.to(torch::kDouble));
        counts += onehot.sum(0);
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        const torch::Tensor s = sums[k];
        const auto M = s.size(1);
        out[k].perClass.assign(static_cast<std::size_t>(C), std::vector<double>(static_cast<std::size_t>(M), 0.0));
        out[k].overall.assign(static_cast<std::size_t>(M), 0.0);
        const double total = counts.sum().item<double>();
        for (std::int64_t c = 0; c < C; ++c) {
            const double n = counts[c].item<double>();
            out[k].samples.push_back(static_cast<std::int64_t>(n));
            for (std::int64_t m = 0; m < M; ++m) {
                const double v = s[c][m].item<double>();
                if (n > 0)
                    out[k].perClass[static_cast<std::size_t>(c)][static_cast<std::size_t>(m)] = v / n;
                out[k].overall[static_cast<std::size_t>(m)] += total > 0 ? v / total : 0.0;
            }
        }
    }
    return out;
}

std::string explanationJson(const SampleExplanation &ex, const std::vector<std::string> &classes)
{
    const auto name = [&](int c) { return c >= 0 && c < static_cast<int>(classes.size()) ? classes[static_cast<std::size_t>(c)] : std::string("?"); };
    nlohmann::json maps = nlohmann::json::array();
    for (const GradCamMap &m : ex.maps)
        maps.push_back({{"node", m.node}, {"column", m.column}, {"height", m.height}, {"width", m.width}, {"values", m.values}});
    nlohmann::json audio = nlohmann::json::array(), text = nlohmann::json::array(), weights = nlohmann::json::array();
    for (const OcclusionMap &m : ex.audio)
        audio.push_back({{"column", m.column}, {"bands", m.bands}, {"segments", m.segments}, {"values", m.values}});
    for (const TokenImportance &t : ex.text)
        text.push_back({{"column", t.column}, {"tokens", t.tokens}, {"importance", t.importance}});
    for (const ModalityWeights &w : ex.weights)
        weights.push_back({{"node", w.node}, {"kind", w.kind}, {"modalities", w.modalities}, {"weights", w.weights}});
    nlohmann::json without = nlohmann::json::array();
    for (const ModalityEffect &m : ex.without)
        without.push_back({{"modality", m.modality}, {"probability", m.probability}, {"predicted", name(m.predicted)}});
    return nlohmann::json({{"row", ex.row}, {"label", name(ex.label)}, {"predicted", name(ex.predicted)}, {"explained", name(ex.target)},
                           {"probabilities", ex.probabilities}, {"grad_cam", maps}, {"audio_occlusion", audio},
                           {"token_importance", text}, {"modality_weights", weights}, {"without", without}})
        .dump(2);
}

} // namespace fuselab
