// SPDX-License-Identifier: GPL-3.0-or-later
// Defaults that learn: training sized to the data (the step-budget rule, against the
// documented epochs computed by hand), the fusion blocks' auxiliary classifiers (they change
// each encoder's gradient in training and vanish in evaluation), SpecAugment-style masks and
// time shift on spectrograms (within the configured widths, training batches only), and
// per-utterance log-mel normalisation (zero mean and unit variance per clip).
#include "core/cache/AudioAugment.h"
#include "core/cache/TensorCache.h"
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/document/Templates.h"
#include "core/model/FusionModel.h"
#include "core/model/blocks/InputBlock.h"
#include "core/train/TrainingSteps.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace fuselab;

namespace {

DatasetSummary summary(std::int64_t trainSamples = 0)
{
    DatasetSummary s;
    s.path = "data";
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageChannels = 3;
    s.imageWidth = 32;
    s.imageHeight = 32;
    s.trainSamples = trainSamples;
    return s;
}

std::vector<torch::Tensor> batchColumns(std::int64_t b)
{
    return {torch::randn({b, 3, 32, 32}), torch::randn({b, 64, 81}), torch::randint(2, 50, {b, 64}, torch::kLong)};
}

// Gradients of every parameter of node `node` (its module is registered as "node_<id>").
std::vector<torch::Tensor> gradsOf(FusionModel &model, const std::string &prefix)
{
    std::vector<torch::Tensor> g;
    for (const auto &p : model->named_parameters())
        if (p.key().rfind(prefix, 0) == 0)
            g.push_back(p.value().grad().defined() ? p.value().grad().clone() : torch::zeros_like(p.value()));
    return g;
}

bool same(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!torch::allclose(a[i], b[i], 1e-6, 1e-8))
            return false;
    return true;
}

} // namespace

class TestDefaults final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(0); }

    // The rule in docs/user-guide.md, by hand: about 1,200 steps, 6 to 40 epochs, batch 32
    // below 2,000 training samples, patience a quarter of the epochs (at least 3).
    void stepBudgetSizesTraining()
    {
        struct Case {
            std::int64_t samples;
            int batch, epochs, patience;
            std::int64_t stepsPerEpoch;
        };
        const Case cases[] = {
            {300, 32, 40, 10, 10},     // small: 10 steps/epoch, 120 epochs wanted, capped at 40
            {1236, 32, 31, 8, 39},     // the digits benchmark: ceil(1200 / 39) = 31
            {10000, 64, 8, 3, 157},    // medium: ceil(1200 / 157) = 8
            {54000, 64, 6, 3, 844},    // Fashion-MNIST's training split: 2 wanted, at least 6
        };
        for (const Case &c : cases) {
            const TrainingBudget b = trainingBudget(c.samples);
            QCOMPARE(b.batchSize, c.batch);
            QCOMPARE(b.stepsPerEpoch, c.stepsPerEpoch);
            QCOMPARE(b.epochs, c.epochs);
            QCOMPARE(b.patience, c.patience);
        }
        // A new experiment takes them, says why, and the image template keeps its schedule.
        std::vector<Message> why;
        const Experiment e = makeExperiment("concat", summary(1236), &why);
        QCOMPARE(e.training.batchSize, 32);
        QCOMPARE(e.training.epochs, 31);
        QCOMPARE(e.training.patience, 8);
        QVERIFY(!why.empty());
        QVERIFY(e.description.find("1236 training samples in batches of 32 make 39 steps per epoch") != std::string::npos);
        const Experiment fm = makeExperiment("image-cnn", summary(54000));
        QCOMPARE(fm.training.epochs, 6);
        QCOMPARE(fm.training.batchSize, 64);
        QCOMPARE(fm.training.schedule, std::string("cosine"));
        // Unknown size: the old fixed defaults, nothing claimed.
        const Experiment unknown = makeExperiment("concat", summary(0));
        QCOMPARE(unknown.training.epochs, TrainingSettings().epochs);
        QCOMPARE(unknown.training.patience, 0);
    }

    // Each fusion input gets a classifier in training only: every encoder's gradient changes,
    // the fusion and head gradients do not (the auxiliary heads bypass them), a modality
    // missing from every sample leaves its encoder's gradient as it was, and in evaluation
    // the model is the same function as one without auxiliary heads.
    void auxiliaryLossesReachEachEncoderAndVanishInEvaluation()
    {
        Experiment e = makeExperiment("concat", summary());
        e.graph.node("fusion")->params["aux_weight"] = 0.7;
        e.graph.node("head")->params["dropout"] = 0.0;
        e.graph.node("encode_photo")->params["dropout"] = 0.0;
        FusionModel model(e.graph, inferContext(e));
        model->train();
        const auto columns = batchColumns(6);
        const torch::Tensor labels = torch::tensor({0, 1, 2, 0, 1, 2}, torch::kLong);
        torch::Tensor present = torch::ones({6, 3}, torch::kBool);

        auto gradients = [&](bool withAux, const torch::Tensor &presentMask) {
            model->zero_grad();
            const auto out = model->forward(columns, presentMask);
            torch::Tensor loss = taskLoss(out.logits, labels, false, {});
            if (withAux)
                for (const auto &a : out.auxLogits)
                    loss = loss + a.weight * maskedTaskLoss(a.logits, labels, a.mask, false, {});
            loss.backward();
            std::map<std::string, std::vector<torch::Tensor>> g;
            for (const char *node : {"encode_photo", "encode_clip", "encode_caption", "head"})
                g[node] = gradsOf(model, std::string("node_") + node + ".");
            return g;
        };
        {
            const auto out = model->forward(columns, present);
            QCOMPARE(out.auxLogits.size(), std::size_t(3));
            for (const auto &a : out.auxLogits) {
                QCOMPARE(a.logits.sizes(), torch::IntArrayRef({6, 3}));
                QCOMPARE(a.weight, 0.7);
            }
        }
        const auto plain = gradients(false, present);
        const auto aux = gradients(true, present);
        for (const char *node : {"encode_photo", "encode_clip", "encode_caption"})
            QVERIFY2(!same(plain.at(node), aux.at(node)), node);
        QVERIFY(same(plain.at("head"), aux.at("head")));

        // No sample has audio: the audio encoder's auxiliary term is empty.
        torch::Tensor noAudio = present.clone();
        noAudio.select(1, 1).fill_(false);
        const auto plainNoAudio = gradients(false, noAudio);
        const auto auxNoAudio = gradients(true, noAudio);
        QVERIFY(same(plainNoAudio.at("encode_clip"), auxNoAudio.at("encode_clip")));
        QVERIFY(!same(plainNoAudio.at("encode_photo"), auxNoAudio.at("encode_photo")));

        // Evaluation: no auxiliary logits, and the same outputs as the graph without them.
        model->eval();
        torch::NoGradGuard noGrad;
        const auto evaluated = model->forward(columns, present);
        QVERIFY(evaluated.auxLogits.empty());
        Experiment without = e;
        without.graph.node("fusion")->params.erase("aux_weight");
        FusionModel reference(without.graph, inferContext(without));
        reference->eval();
        const auto params = model->named_parameters();
        const auto buffers = model->named_buffers();
        for (auto &p : reference->named_parameters())
            p.value().copy_(params[p.key()]);
        for (auto &b : reference->named_buffers())
            b.value().copy_(buffers[b.key()]);
        QVERIFY(torch::allclose(reference->forward(columns, present).logits, evaluated.logits, 1e-5, 1e-6));
        QCOMPARE(model->parameterCount(), reference->parameterCount());
    }

    // Masks: zeroed rows form at most `masks` bands of at most `freqMask` bins, zeroed columns
    // at most `masks` runs of at most `timeMask` frames, nothing else changes, absent clips
    // are untouched; over many seeds both widths are reached.
    void specAugmentMasksWithinTheConfiguredWidths()
    {
        AudioAugmentSettings s;
        s.freqMask = 4;
        s.timeMask = 6;
        s.masks = 1;
        const std::int64_t F = 16, T = 20;
        const torch::Tensor x = torch::arange(1, 3 * F * T + 1, torch::kFloat).view({3, F, T}); // no zeros
        const torch::Tensor present = torch::tensor({1, 0, 1}, torch::kFloat);
        int widestF = 0, widestT = 0;
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            const torch::Tensor y = augmentSpectrograms(x, present, s, seed);
            QVERIFY(torch::equal(y[1], x[1]));
            for (int b : {0, 2}) {
                const torch::Tensor zero = y[b].eq(0);
                const torch::Tensor rows = zero.all(1), cols = zero.all(0);
                const int nr = rows.sum().item<int>(), nc = cols.sum().item<int>();
                QVERIFY(nr <= 4 && nc <= 6);
                // Contiguous bands.
                if (nr > 0) {
                    const auto idx = rows.nonzero().flatten();
                    QCOMPARE(idx[-1].item<int>() - idx[0].item<int>() + 1, nr);
                }
                if (nc > 0) {
                    const auto idx = cols.nonzero().flatten();
                    QCOMPARE(idx[-1].item<int>() - idx[0].item<int>() + 1, nc);
                }
                // Every zero lies in a masked row or column; every other value is the original.
                const torch::Tensor covered = rows.unsqueeze(1) | cols.unsqueeze(0);
                QVERIFY(torch::equal(zero, covered));
                QVERIFY(torch::equal(y[b].masked_select(~covered), x[b].masked_select(~covered)));
                widestF = std::max(widestF, nr);
                widestT = std::max(widestT, nc);
            }
        }
        QCOMPARE(widestF, 4);
        QCOMPARE(widestT, 6);

        // Time shift: each clip is the original rolled by at most 0.25 x 20 = 5 frames.
        AudioAugmentSettings shift;
        shift.masks = 0;
        shift.timeShift = 0.25;
        std::set<int> seen;
        for (std::uint64_t seed = 0; seed < 100; ++seed) {
            const torch::Tensor y = augmentSpectrograms(x, present, shift, seed);
            int found = -100;
            for (int k = -5; k <= 5; ++k)
                if (torch::equal(y[0], torch::roll(x[0], {k}, {1})))
                    found = k;
            QVERIFY(found != -100);
            seen.insert(found);
        }
        QVERIFY(seen.count(-5) && seen.count(5) && seen.count(0));
    }

    // Through the tensor cache: a batch drawn with the augmentation settings is masked, one
    // drawn without (as validation, test and prediction draw them) is not.
    void specAugmentOnlyWhereTheTrainerAsksForIt()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        for (const char *c : {"low", "high"})
            for (int i = 0; i < 4; ++i)
                test::writeWav(root + "/data/" + c + "/" + std::to_string(i) + ".wav", c[0] == 'l' ? 300.0 : 1200.0, 16000, 0.5);
        PreprocessSettings p;
        p.audio.durationSeconds = 0.5;
        CacheBuildOptions o;
        o.cacheRoot = root + "/cache";
        const TensorCache cache = TensorCache::open(buildTensorCache(loadDataset(root + "/data"), p, o).dir);
        const std::vector<std::int64_t> rows = {0, 1, 2, 3};
        AugmentSettings a;
        a.audio.freqMask = 20;
        a.audio.timeMask = 10;
        const torch::Tensor plain = cache.batch(rows).inputs.at(0);
        const torch::Tensor again = cache.batch(rows, nullptr, 5).inputs.at(0);
        const torch::Tensor masked = cache.batch(rows, &a, 5).inputs.at(0);
        QVERIFY(torch::equal(plain, again));
        QVERIFY(!torch::equal(plain, masked));
        // Where not masked, the values are the un-augmented ones.
        const torch::Tensor kept = masked.ne(0);
        QVERIFY(torch::equal(masked.masked_select(kept), plain.masked_select(kept)));
    }

    // normalize = utterance: every clip's log-mel has mean 0 and variance 1 (population),
    // computed here with plain loops; a missing clip (zeros) stays zeros.
    void perUtteranceNormalisation()
    {
        InputImpl input(InputOptions().perUtterance(true));
        torch::Tensor x = torch::randn({3, 8, 12}) * 4 + 7;
        x[1] = x[1] * 0.01 - 30; // a quiet, offset clip
        x[2].zero_();            // missing
        const torch::Tensor y = input.forward(x).squeeze(1).contiguous();
        const float *v = y.data_ptr<float>();
        for (int b = 0; b < 2; ++b) {
            double sum = 0, sq = 0;
            for (int i = 0; i < 8 * 12; ++i)
                sum += v[b * 96 + i];
            const double mean = sum / 96;
            for (int i = 0; i < 8 * 12; ++i)
                sq += (v[b * 96 + i] - mean) * (v[b * 96 + i] - mean);
            QVERIFY2(std::abs(mean) < 1e-5, qPrintable(QString::number(mean)));
            QVERIFY2(std::abs(sq / 96 - 1.0) < 1e-3, qPrintable(QString::number(sq / 96)));
        }
        for (int i = 0; i < 96; ++i)
            QCOMPARE(v[2 * 96 + i], 0.0f);
        // Off (the default): the input passes unchanged.
        QVERIFY(torch::equal(InputImpl(InputOptions()).forward(x).squeeze(1), x));
    }
};

QTEST_GUILESS_MAIN(TestDefaults)
#include "test_defaults.moc"
