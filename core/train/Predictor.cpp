// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Predictor.h"

#include "core/train/Explain.h"

#include "core/cache/FieldEncoder.h"
#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/model/FusionModel.h"
#include "core/model/SequenceHead.h"
#include "core/train/Trainer.h"
#include "core/util/FileIO.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab {

struct Predictor::State {
    Experiment experiment;
    std::unique_ptr<TensorCache> cache;
    std::vector<std::unique_ptr<FieldEncoder>> encoders;
    std::vector<ModalityColumn> columns;
    torch::Device device{torch::kCPU};
    FusionModel model{nullptr};
};

Predictor::Predictor(const std::string &runDir, const std::string &device, const std::string &cacheDir)
    : m_state(std::make_unique<State>())
{
    const RunFolder run(runDir);
    State &s = *m_state;
    s.experiment = run.readExperiment();
    const RunRecord record = run.readRecord();
    s.cache = std::make_unique<TensorCache>(TensorCache::open(cacheDir.empty() ? record.cache : cacheDir));
    const PreprocessSettings settings = s.cache->settings();
    for (std::size_t m = 0; m < s.cache->columns().size(); ++m) {
        const CacheColumn &col = s.cache->columns()[m];
        std::shared_ptr<Tokenizer> tokenizer;
        if (col.kind == Modality::Text) {
            tokenizer = Tokenizer::create(settings.text);
            tokenizer->deserialize(s.cache->tokenizerData(m));
        }
        s.encoders.push_back(std::make_unique<FieldEncoder>(settings, col, tokenizer));
        s.columns.push_back({col.name, col.kind});
    }
    s.device = torch::Device(Trainer::resolveDevice(device));
    s.model = FusionModel(s.experiment.graph, inferContext(s.experiment, record.experimentDir));
    const std::string checkpoint = run.bestCheckpoint();
    if (!fs::exists(checkpoint))
        throw Error(Message(FL_TR("Predictor", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    loadCheckpoint(*s.model, checkpoint, s.device);
    s.model->to(s.device);
    s.model->setChannelsLast(s.device.is_cpu());
    s.model->eval();
}

Predictor::~Predictor() = default;

const std::vector<std::string> &Predictor::classes() const { return m_state->cache->classes(); }
const std::vector<ModalityColumn> &Predictor::columns() const { return m_state->columns; }
bool Predictor::multiLabel() const { return m_state->model->multiLabel(); }
bool Predictor::regression() const { return m_state->model->regression().has_value(); }
bool Predictor::sequence() const { return m_state->cache->sequence(); }

namespace {

CacheBatch encodeSamples(const std::vector<std::unique_ptr<FieldEncoder>> &encoders, const TensorCache &cache,
                         const std::vector<std::vector<Field>> &samples)
{
    const auto B = static_cast<std::int64_t>(samples.size());
    const auto M = encoders.size();
    std::vector<std::vector<std::uint8_t>> records(M);
    at::Tensor present = at::zeros({B, static_cast<std::int64_t>(M)}, at::kBool);
    for (std::size_t m = 0; m < M; ++m)
        records[m].assign(static_cast<std::size_t>(B * encoders[m]->column().recordBytes()), 0);
    for (std::int64_t b = 0; b < B; ++b) {
        const auto &fields = samples[static_cast<std::size_t>(b)];
        if (fields.size() != M)
            throw Error("a sample needs one field per model input (" + std::to_string(M) + ")");
        for (std::size_t m = 0; m < M; ++m) {
            if (!fields[m].present)
                continue;
            Message error;
            std::uint8_t *out = records[m].data() + b * encoders[m]->column().recordBytes();
            if (!encoders[m]->encode(fields[m], nullptr, out, &error))
                throw Error((fields[m].isPath ? fields[m].value : std::string("text")) + ": " + error.str());
            present[b][static_cast<std::int64_t>(m)] = true;
        }
    }
    return cache.encodeRecords(records, present);
}

} // namespace

SampleExplanation Predictor::explain(const std::vector<Field> &sample, int target) const
{
    State &s = *m_state;
    SampleExplanation ex = explainBatch(s.model, *s.cache, encodeSamples(s.encoders, *s.cache, {sample}), target, s.device);
    ex.label = -1;
    return ex;
}

std::vector<std::vector<double>> Predictor::predict(const std::vector<std::vector<Field>> &samples) const
{
    State &s = *m_state; // the model's forward is not const
    if (s.cache->sequence())
        throw Error(Message(FL_TR("Predictor", "this model produces texts, not class probabilities")));
    const auto B = static_cast<std::int64_t>(samples.size());
    CacheBatch batch = encodeSamples(s.encoders, *s.cache, samples);
    torch::NoGradGuard noGrad;
    for (auto &x : batch.inputs)
        x = x.to(s.device);
    const torch::Tensor logits = s.model->forward(batch.inputs, batch.present.to(s.device)).logits.to(torch::kCPU).to(torch::kDouble);
    const torch::Tensor probs = s.model->regression() ? logits : s.model->multiLabel() ? torch::sigmoid(logits) : torch::softmax(logits, 1);
    std::vector<std::vector<double>> out(static_cast<std::size_t>(B));
    for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t c = 0; c < probs.size(1); ++c)
            out[static_cast<std::size_t>(b)].push_back(probs[b][c].item<double>());
    return out;
}

std::vector<std::string> Predictor::generate(const std::vector<std::vector<Field>> &samples, int beam, double lengthPenalty) const
{
    State &s = *m_state;
    SequenceHead *head = findSequenceHead(*s.model);
    if (!head)
        throw Error(Message(FL_TR("Predictor", "this model has no sequence head: it does not produce texts")));
    CacheBatch batch = encodeSamples(s.encoders, *s.cache, samples);
    torch::NoGradGuard noGrad;
    for (auto &x : batch.inputs)
        x = x.to(s.device);
    const torch::Tensor logits = s.model->forward(batch.inputs, batch.present.to(s.device)).logits;
    const auto ids = !head->ctc() && beam > 1 ? head->beamSearch(beam, lengthPenalty) : decodeLogits(logits, head->ctc());
    const TargetVocabulary vocab = s.cache->targetVocabulary();
    std::vector<std::string> out;
    for (const auto &seq : ids)
        out.push_back(vocab.decode(seq));
    return out;
}

} // namespace fuselab
