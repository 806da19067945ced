// SPDX-License-Identifier: GPL-3.0-or-later
// The parts of a training step, each alone: learning-rate schedules and optimiser steps
// against PyTorch (tests/data/train_steps/make_reference.py), gradient clipping, class
// weights and the class-balanced sampler against hand computations, best-epoch tracking,
// and the gradient scaler of mixed-precision training (torch.cuda.amp.GradScaler's rules).
#include "core/train/BestEpochTracker.h"
#include "core/train/ClassBalance.h"
#include "core/train/LearningRateSchedule.h"
#include "core/train/MixedPrecision.h"
#include "core/train/TrainingSteps.h"
#include "core/util/Error.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <cmath>
#include <limits>

using namespace fuselab;

namespace {

nlohmann::json reference()
{
    return nlohmann::json::parse(test::readAll(std::string(FUSELAB_TEST_DATA_DIR) + "/train_steps/reference.json"));
}

} // namespace

class TestTrainSteps final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Against Python PyTorch 1.13: F.cross_entropy(ignore_index=0, label_smoothing=ls) over
    // two samples of three steps (one step padding), and F.ctc_loss(blank=0,
    // reduction="mean"/"none", zero_infinity=True) on targets [4, 5] and [6, 1], T = 4
    // (mean: each loss divided by its target length 2, then averaged).
    void sequenceLossesMatchPyTorch()
    {
        const torch::Tensor logits = torch::tensor({0.5, -1.0, 2.0, 0.1, 0.3, 1.5, 0.2, -0.3, 0.8, -1.1, 0.0, 0.4, 0.9, -0.2, 0.6,
                                                    -0.7, 1.2, 0.3, 0.5, 0.0, 0.9, -0.4, 0.2, 1.1, 0.7, 0.3, 0.3, -0.8, 0.2, 1.4})
                                         .reshape({2, 3, 5});
        const torch::Tensor next = torch::tensor({4, 3, 0, 2, 4, 3}, torch::kLong).reshape({2, 3});
        QVERIFY(std::abs(sequenceLoss(logits, next, 0.0).item<double>() - 1.759101152420044) < 1e-5);
        QVERIFY(std::abs(sequenceLoss(logits, next, 0.1).item<double>() - 1.772301197052002) < 1e-5);
        QVERIFY(std::abs(sequenceLoss(logits, next, 0.1, true).item<double>() - 8.861505508422852) < 1e-4);
        // Stored as BOS (2), the tokens, EOS (3), padding (0): 5 tokens after BOS minus padding.
        const torch::Tensor stored = torch::tensor({2, 4, 5, 3, 0, 2, 6, 1, 3, 0}, torch::kLong).reshape({2, 5});
        QCOMPARE(targetTokenCount(stored), std::int64_t(6));
        const torch::Tensor ctc = torch::tensor({0.1, 0.2, -0.3, 0.0, 0.5, 0.9, -0.2, 0.4, -0.1, 0.2, 0.3, 1.0, 0.0, 0.1, 0.2, 0.1, 0.0, -0.5,
                                                 0.3, 1.2, 0.4, 1.0, 0.0, 0.1, 0.2, -0.1, 0.3, 0.0, 0.3, 0.1, 0.0, 0.2, 0.1, 0.0, 1.1, 0.9,
                                                 0.2, 0.1, 0.0, -0.3, 0.1, 0.4, 0.0, 0.5, 0.2, 0.1, 0.3, 0.2, 0.8, 0.6, 0.1, 0.0, 0.3, 0.2,
                                                 0.1, 0.0})
                                      .reshape({2, 4, 7});
        QVERIFY(std::abs(ctcLoss(ctc, stored).item<double>() - 1.9489260911941528) < 1e-5);
        QVERIFY(std::abs(ctcLoss(ctc, stored, true).item<double>() - (3.746519088745117 + 4.049185276031494) / 2) < 1e-4);
    }

    // The regression losses on standardised values against Python PyTorch 1.13
    // (F.mse_loss and F.huber_loss of (p - 1.5) / 2 and (t - 1.5) / 2); the masked mean by
    // hand: squared errors 0.25, 1 and 0.5625, the middle sample masked out.
    void regressionLossesMatchPyTorch()
    {
        const torch::Tensor p = torch::tensor({2.0f, 5.0f, -1.0f}).view({3, 1}), t = torch::tensor({1.0f, 7.0f, 0.5f});
        BlockModule::RegressionOutput r;
        r.loss = "mse";
        r.mean = 1.5;
        r.std = 2.0;
        QVERIFY(std::abs(regressionLoss(standardise(p, r), t, r).item<double>() - 0.6041666865348816) < 1e-6);
        QVERIFY(std::abs(regressionLoss(standardise(p, r), t, r, true).item<double>() - 3 * 0.6041666865348816) < 1e-5);
        QVERIFY(std::abs(maskedRegressionLoss(standardise(p, r), t, torch::tensor({1.f, 0.f, 1.f}), r).item<double>() - 0.40625) < 1e-6);
        r.loss = "huber";
        QVERIFY(std::abs(regressionLoss(standardise(p, r), t, r).item<double>() - 0.3020833432674408) < 1e-6);
        r.huberDelta = 0.5;
        QVERIFY(std::abs(regressionLoss(standardise(p, r), t, r).item<double>() - 0.25) < 1e-6);
    }

    void init() { torch::manual_seed(0); }

    void schedulesMatchPyTorch()
    {
        const nlohmann::json ref = reference(); // a range-for over reference()["..."] would outlive its temporary (found by ASan)
        for (const auto &s : ref["schedules"]) {
            TrainingSettings t;
            t.learningRate = s["lr"].get<double>();
            t.epochs = s["epochs"].get<int>();
            t.warmupEpochs = s["warmup"].get<int>();
            t.schedule = s["schedule"].get<std::string>();
            t.stepSize = s.value("step_size", 10);
            t.gamma = s.value("gamma", 0.1);
            const auto steps = s["steps"].get<std::int64_t>();
            const LearningRateSchedule schedule(t, steps);
            std::size_t i = 0;
            for (int e = 1; e <= t.epochs; ++e)
                for (std::int64_t k = 0; k < steps; ++k, ++i) {
                    const double want = s["values"][i].get<double>();
                    QVERIFY2(std::abs(schedule.at(e, k) - want) < 1e-12,
                             qPrintable(QString("%1 epoch %2 step %3: %4 vs torch %5")
                                            .arg(QString::fromStdString(t.schedule)).arg(e).arg(k).arg(schedule.at(e, k)).arg(want)));
                }
        }
    }

    // An auxiliary classifier's loss counts only the samples that have its modality: PyTorch
    // on the selected rows gives the reference.
    void maskedLossMatchesPyTorch()
    {
        const auto r = reference()["masked_losses"];
        const auto logits = torch::tensor(r["logits"].get<std::vector<float>>()).view({5, 3});
        const auto labels = torch::tensor(r["labels"].get<std::vector<std::int64_t>>());
        const auto mask = torch::tensor(r["mask"].get<std::vector<float>>());
        const auto weights = torch::tensor(r["weights"].get<std::vector<float>>());
        const auto multi = torch::tensor(r["multi_labels"].get<std::vector<float>>()).view({5, 3});
        const auto posWeight = torch::tensor(r["pos_weight"].get<std::vector<float>>());
        QVERIFY(std::abs(maskedTaskLoss(logits, labels, mask, false, {}).item<double>() - r["plain"].get<double>()) < 1e-6);
        QVERIFY(std::abs(maskedTaskLoss(logits, labels, mask, false, weights).item<double>() - r["weighted"].get<double>()) < 1e-6);
        QVERIFY(std::abs(maskedTaskLoss(logits, multi, mask, true, posWeight).item<double>() - r["multi_label"].get<double>()) < 1e-6);
        QCOMPARE(maskedTaskLoss(logits, labels, torch::zeros({5}), false, {}).item<double>(), 0.0); // nobody has it
    }

    void schedulesMatchTheirFormula()
    {
        // cosine, 4 epochs of 10 steps, one warm-up epoch: by hand from the documented formula.
        TrainingSettings t;
        t.learningRate = 1.0;
        t.epochs = 4;
        t.warmupEpochs = 1;
        t.schedule = "cosine";
        const LearningRateSchedule s(t, 10);
        QCOMPARE(s.at(1, 0), 0.1);                        // (0 + 1) / 10, cos term 1
        QCOMPARE(s.at(1, 9), 1.0);                        // warm-up done
        QVERIFY(std::abs(s.at(2, 5) - 0.5 * (1 + std::cos(M_PI / 4))) < 1e-15);
        QVERIFY(std::abs(s.at(3, 0) - 0.5) < 1e-15);      // cos(pi/2) = 0
        t.schedule = "step";
        t.warmupEpochs = 0;
        t.stepSize = 2;
        t.gamma = 0.1;
        const LearningRateSchedule st(t, 10);
        QCOMPARE(st.at(2, 3), 1.0);
        QVERIFY(std::abs(st.at(3, 0) - 0.1) < 1e-15);
    }

    void optimiserStepsMatchPyTorch_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"sgd_momentum", "sgd_nesterov", "adamw", "adam"})
            QTest::newRow(n) << QString(n);
    }
    void optimiserStepsMatchPyTorch()
    {
        QFETCH(QString, name);
        TrainingSettings t;
        if (name.startsWith("sgd")) {
            t.optimizer = "sgd";
            t.learningRate = 0.1;
            t.momentum = 0.9;
            t.nesterov = name == "sgd_nesterov";
            t.weightDecay = 0.01;
        } else {
            t.optimizer = name.toStdString();
            t.learningRate = 0.01;
            t.weightDecay = name == "adamw" ? 0.1 : 0.01;
        }
        auto w = torch::tensor({0.2f, -0.1f, 0.4f, -0.3f, 0.5f, 0.1f}).reshape({2, 3}).set_requires_grad(true);
        auto b = torch::tensor({0.05f, -0.02f}).set_requires_grad(true);
        const auto x = torch::tensor({1.0f, 2.0f, -1.0f, 0.5f, -1.5f, 2.0f, -1.0f, 0.0f, 1.0f, 2.0f, 1.0f, 0.5f}).reshape({4, 3});
        const auto y = torch::tensor({0, 1, 1, 0}, torch::kLong);
        const auto opt = makeOptimizer(t, {w, b});
        for (int i = 0; i < 3; ++i) {
            opt->zero_grad();
            taskLoss(torch::matmul(x, w.t()) + b, y, false, {}).backward();
            opt->step();
        }
        const auto want = reference()["optimisers"][name.toStdString()];
        for (int i = 0; i < 6; ++i)
            QVERIFY2(std::abs(w.flatten()[i].item<double>() - want["weight"][i].get<double>()) < 1e-6, qPrintable(name));
        for (int i = 0; i < 2; ++i)
            QVERIFY(std::abs(b[i].item<double>() - want["bias"][i].get<double>()) < 1e-6);
    }

    void classWeightsInTheLoss()
    {
        // 6 training samples: class 0 four times, class 1 twice. Inverse frequency 6/4, 6/2,
        // normalised to mean 1: 0.75/1.5*... = (1.5, 3) * 2 / 4.5 = (2/3, 4/3).
        const ClassBalance balance({{0}, {0}, {0}, {0}, {1}, {1}}, 2, false);
        const auto w = balance.classWeights();
        QVERIFY(std::abs(w[0] - 2.0 / 3) < 1e-6 && std::abs(w[1] - 4.0 / 3) < 1e-6);
        // Weighted cross-entropy of two samples by hand: sum_i w_yi * -log p_i(yi) / sum_i w_yi.
        const auto logits = torch::tensor({2.0f, 0.0f, 0.5f, 1.5f}).reshape({2, 2});
        const auto labels = torch::tensor({0, 1}, torch::kLong);
        const double p0 = std::exp(2.0) / (std::exp(2.0) + 1.0), p1 = std::exp(1.5) / (std::exp(0.5) + std::exp(1.5));
        const double want = (w[0] * -std::log(p0) + w[1] * -std::log(p1)) / (w[0] + w[1]);
        const double got = taskLoss(logits, labels, false, torch::tensor(w)).item<double>();
        QVERIFY2(std::abs(got - want) < 1e-6, qPrintable(QString("%1 vs %2").arg(got).arg(want)));
        // Multi-label: pos_weight = negatives / positives per label.
        const ClassBalance multi({{0}, {0, 1}, {}, {}}, 2, true);
        QCOMPARE(multi.classWeights(), (std::vector<float>{1.0f, 3.0f}));
    }

    void balancedSamplerDrawsClassesEvenly()
    {
        // 90 samples of class 0, 10 of class 1: over many draws each class is half of them.
        std::vector<std::vector<int>> classes(100, {0});
        for (int i = 90; i < 100; ++i)
            classes[static_cast<std::size_t>(i)] = {1};
        const ClassBalance balance(classes, 2, false);
        std::mt19937_64 rng(7);
        std::int64_t ones = 0, total = 0;
        for (int epoch = 0; epoch < 200; ++epoch)
            for (std::size_t i : balance.draw(rng)) {
                ones += classes[i][0];
                ++total;
            }
        // 20,000 draws, p = 0.5: standard deviation 0.0035; five of them is 0.018.
        const double share = double(ones) / double(total);
        QVERIFY2(std::abs(share - 0.5) < 0.018, qPrintable(QString::number(share)));
        // Without the sampler's weights, class 1 would be 10%.
        QVERIFY(share > 0.4);
    }

    void bestEpochTracking()
    {
        BestEpochTracker acc("val_accuracy", 2);
        QVERIFY(acc.offer(1, 0.5, 1.0));
        QVERIFY(acc.offer(2, 0.7, 0.9));
        QVERIFY(acc.offer(3, 0.7, 0.8));  // a tie goes to the lower loss
        QVERIFY(!acc.offer(4, 0.7, 0.85));
        QVERIFY(!acc.exhausted());
        QVERIFY(!acc.offer(5, 0.6, 0.7));
        QVERIFY(acc.exhausted());
        QCOMPARE(acc.state().bestEpoch, 3);
        BestEpochTracker loss("train_loss", 0);
        QVERIFY(loss.lowerIsBetter());
        QVERIFY(loss.offer(1, 2.0, 2.0));
        QVERIFY(loss.offer(2, 1.0, 1.0));
        QVERIFY(!loss.offer(3, 1.5, 1.5));
        QVERIFY(!loss.exhausted()); // patience 0: never
        QCOMPARE(loss.state().bestEpoch, 2);
    }

    // Scaled by a power of two, the gradients unscale to exactly the unscaled ones, and the
    // step is the plain step.
    void gradScalerUnscalesToTheTrueGradients()
    {
        torch::nn::Linear a(4, 3), b(4, 3);
        {
            torch::NoGradGuard g;
            b->weight.copy_(a->weight);
            b->bias.copy_(a->bias);
        }
        const torch::Tensor x = torch::randn({5, 4}), y = torch::tensor({0, 2, 1, 1, 0});
        torch::optim::SGD sa(a->parameters(), 0.1), sb(b->parameters(), 0.1);
        torch::nn::functional::cross_entropy(a(x), y).backward();
        sa.step();
        GradScaler::Options o;
        o.initScale = 1024;
        GradScaler scaler(o);
        scaler.scale(torch::nn::functional::cross_entropy(b(x), y)).backward();
        QVERIFY(b->weight.grad().abs().max().item<double>() > 100 * a->weight.grad().abs().max().item<double>()); // scaled
        QVERIFY(scaler.unscale(b->parameters()));
        QVERIFY(torch::equal(b->weight.grad(), a->weight.grad()));
        QVERIFY(torch::equal(b->bias.grad(), a->bias.grad()));
        QVERIFY(scaler.step(sb));
        QVERIFY(torch::equal(b->weight, a->weight));
        QCOMPARE(scaler.scaleValue(), 1024.0);
        QCOMPARE(scaler.goodSteps(), 1);
    }

    // An inf or NaN gradient: the step is skipped (weights unchanged) and the scale halves;
    // after growthInterval good steps in a row it doubles (hand-counted).
    void gradScalerSkipsOverflowsAndGrows()
    {
        torch::nn::Linear m(3, 2);
        torch::optim::SGD opt(m->parameters(), 0.5);
        GradScaler::Options o;
        o.growthInterval = 3;
        GradScaler scaler(o);
        QCOMPARE(scaler.scaleValue(), 65536.0); // PyTorch's default
        const torch::Tensor x = torch::randn({2, 3});
        auto stepWith = [&](double poison) {
            opt.zero_grad();
            scaler.scale(m(x).sum()).backward();
            if (poison != 0) {
                torch::NoGradGuard g;
                m->weight.grad()[0][0] = poison;
            }
            scaler.unscale(m->parameters());
            return scaler.step(opt);
        };
        const torch::Tensor before = m->weight.detach().clone();
        QVERIFY(!stepWith(std::numeric_limits<double>::infinity()));
        QVERIFY(torch::equal(m->weight, before));
        QCOMPARE(scaler.scaleValue(), 32768.0);
        QVERIFY(!stepWith(std::nan("")));
        QCOMPARE(scaler.scaleValue(), 16384.0);
        QCOMPARE(scaler.skippedSteps(), std::int64_t(2));
        QVERIFY(stepWith(0) && stepWith(0));
        QCOMPARE(scaler.goodSteps(), 2);
        QCOMPARE(scaler.scaleValue(), 16384.0);
        QVERIFY(stepWith(0));
        QCOMPARE(scaler.scaleValue(), 32768.0); // three good steps in a row
        QCOMPARE(scaler.goodSteps(), 0);
        QVERIFY(!torch::equal(m->weight, before));
        // A checkpoint's state comes back.
        scaler.restore(512, 2);
        QVERIFY(stepWith(0));
        QCOMPARE(scaler.scaleValue(), 1024.0);
    }

    // Disabled (float32 or bfloat16 training) it passes everything through; autocast does
    // nothing on the CPU; the setting is checked.
    void mixedPrecisionSettings()
    {
        GradScaler::Options o;
        o.enabled = false;
        GradScaler off(o);
        const torch::Tensor loss = torch::tensor(2.5);
        QCOMPARE(off.scale(loss).item<double>(), 2.5);
        QCOMPARE(mixedPrecisionType("off"), torch::kFloat);
        QCOMPARE(mixedPrecisionType("float16"), torch::kHalf);
        QCOMPARE(mixedPrecisionType("bfloat16"), torch::kBFloat16);
        const AutocastGuard cpu(torch::Device(torch::kCPU), torch::kHalf);
        QVERIFY(!cpu.active()); // a CPU run trains in float32 and says so: test_training checks the run
        TrainingSettings t = TrainingSettings::fromJson({{"mixed_precision", "float16"}});
        QCOMPARE(t.mixedPrecision, std::string("float16"));
        QVERIFY(t.toJson()["mixed_precision"] == "float16");
        try {
            TrainingSettings::fromJson({{"mixed_precision", "fp8"}});
            QFAIL("fp8 accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("training.mixed_precision") != std::string::npos, e.what());
        }
    }

    // The imbalance lesson's split: round(ratio x others / (1 - ratio)) rows of the rare
    // class (hand-computed), every other row, the order kept; the same seed, the same rows.
    void rareClassKeepsTheRequestedShare()
    {
        std::vector<std::int64_t> rows;
        std::vector<int> labels;
        for (int i = 0; i < 100; ++i) {
            rows.push_back(1000 + i);
            labels.push_back(i % 5 == 0 || i % 5 == 1 ? 0 : 1 + i % 3); // 40 of class 0, 60 others
        }
        const auto kept = rareClassRows(rows, labels, 0, 0.05, 7);
        QCOMPARE(kept.size(), std::size_t(63)); // 0.05 * 60 / 0.95 = 3.16 -> 3 of class 0
        int rare = 0;
        for (std::size_t i = 0; i < kept.size(); ++i) {
            if (i > 0)
                QVERIFY(kept[i] > kept[i - 1]);
            rare += labels[static_cast<std::size_t>(kept[i] - 1000)] == 0;
        }
        QCOMPARE(rare, 3);
        QCOMPARE(rareClassRows(rows, labels, 0, 0.05, 7), kept);
        QVERIFY(rareClassRows(rows, labels, 0, 0.05, 8) != kept); // another seed, other rows
        QCOMPARE(rareClassRows(rows, labels, 0, 0.9, 7).size(), std::size_t(100)); // never more than it has
        QCOMPARE(rareClassRows(rows, labels, 0, 0.001, 7).size(), std::size_t(61)); // at least one
    }
};

QTEST_APPLESS_MAIN(TestTrainSteps)
#include "test_train_steps.moc"
