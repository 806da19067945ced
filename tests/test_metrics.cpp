// SPDX-License-Identifier: GPL-3.0-or-later
// Metrics against values computed by hand (and cross-checked with scikit-learn's
// classification_report / precision_recall_fscore_support, zero_division=0).
#include "core/train/Metrics.h"
#include "core/train/SequenceMetrics.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <QTest>

using namespace fuselab;

namespace {
bool near(double a, double b) { return std::abs(a - b) < 1e-9; }
} // namespace

class TestMetrics final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // sacreBLEU 2.x's documented example (its README): two reference sets of three
    // sentences; it prints "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944
    // hyp_len = 17 ref_len = 18)" and "chrF2 = 59.73".
    void bleuAndChrfMatchSacreBleusExample()
    {
        const std::vector<std::string> sys = {"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
        const std::vector<std::vector<std::string>> refs = {{"The dog bit the man.", "The dog had bit the man."},
                                                            {"It was not unexpected.", "No one was surprised."},
                                                            {"The man bit him first.", "The man had bitten the dog."}};
        const BleuScore b = corpusBleu(sys, refs);
        QCOMPARE(b.hypothesisLength, std::int64_t(17));
        QCOMPARE(b.referenceLength, std::int64_t(18));
        QCOMPARE(QString::number(b.score, 'f', 2), QString("48.53"));
        QCOMPARE(QString::number(b.brevityPenalty, 'f', 3), QString("0.943"));
        const double published[4] = {82.4, 50.0, 45.5, 37.5};
        for (int n = 0; n < 4; ++n)
            QCOMPARE(QString::number(b.precisions[static_cast<std::size_t>(n)], 'f', 1), QString::number(published[n], 'f', 1));
        QCOMPARE(QString::number(corpusChrf(sys, refs), 'f', 2), QString("59.73"));
    }

    // NLTK 3.8's corpus_bleu (no smoothing, every order has matches) on text that 13a leaves
    // as it is: 52.39424276086076.
    void bleuMatchesNltk()
    {
        const std::vector<std::string> hyps = {"the quick brown fox jumps over the lazy dog", "a red circle sits on the left side",
                                               "two small squares are next to each other"};
        const std::vector<std::vector<std::string>> refs = {
            {"the fast brown fox jumps over the lazy dog"}, {"a red circle is on the left"}, {"two small squares are beside each other today"}};
        QVERIFY(std::abs(corpusBleu(hyps, refs).score - 52.39424276086076) < 1e-9);
        // Nothing produced, and a hypothesis shorter than four words everywhere: 0.
        QCOMPARE(corpusBleu({""}, {{"a b c d"}}).score, 0.0);
        QCOMPARE(corpusBleu({"a b c"}, {{"a b c"}}).score, 0.0);
        // One 4-gram missing, smoothed as sacreBLEU's "exp": p4 = 100 / (2 * 1).
        const BleuScore s = corpusBleu({"a b c d"}, {{"a b c e"}});
        QCOMPARE(s.precisions[3], 50.0);
        // 1-grams 3/4, 2-grams 2/3, 3-grams 1/2, and the same length (no penalty).
        QVERIFY(std::abs(s.score - std::exp((std::log(75.0) + std::log(200.0 / 3.0) + std::log(50.0) + std::log(50.0)) / 4)) < 1e-9);
    }

    // mteval-v13a's rules worked by hand: symbols split off, a period or comma split from a
    // word but not inside a number, a dash after a digit split, the apostrophe kept.
    void tokenize13aFollowsMteval()
    {
        QCOMPARE(tokenize13a("It wasn't surprising."), std::string("It wasn't surprising ."));
        QCOMPARE(tokenize13a("3.5 km, 10-12 (approx.)"), std::string("3.5 km , 10 - 12 ( approx . )"));
        QCOMPARE(tokenize13a("a&amp;b &quot;c&quot;"), std::string("a & b \" c \""));
        QCOMPARE(tokenize13a("  spaced   out  "), std::string("spaced out"));
    }

    // chrF by hand: "ab" against "abc" has 1-grams P = 2/2, R = 2/3 and 2-grams P = 1/1,
    // R = 1/2 (no longer n-gram in the hypothesis), so P = 1, R = 7/12 and
    // F2 = 5 P R / (4 P + R) = 35/55. Spaces do not count.
    void chrfByHand()
    {
        QVERIFY(std::abs(corpusChrf({"ab"}, {{"abc"}}) - 100.0 * 35.0 / 55.0) < 1e-9);
        QVERIFY(std::abs(corpusChrf({"a b"}, {{"ab c"}}) - 100.0 * 35.0 / 55.0) < 1e-9);
        QCOMPARE(corpusChrf({"xyz"}, {{"abc"}}), 0.0);
    }

    // WER and CER as jiwer counts them (edits over the reference's length, corpus-wide):
    // "the cat sat on the mat" -> "the cat sit on mat" is one substitution and one deletion
    // (2/6); "kitten" against "sitting" is 3 character edits of 7, and "same words."
    // against "same words ." one inserted space of 12 characters, or 2 word edits of 3.
    void werAndCerByHand()
    {
        SequenceMetrics m = sequenceMetrics({"the cat sit on mat"}, {"the cat sat on the mat"});
        QVERIFY(std::abs(m.wer - 2.0 / 6.0) < 1e-12);
        // Characters: "the cat sit on mat" (18) against "the cat sat on the mat" (22): one
        // substitution (i/a) and four deletions ("the "): 5 / 22.
        QVERIFY(std::abs(m.cer - 5.0 / 22.0) < 1e-12);
        QCOMPARE(m.exactMatch, 0.0);
        m = sequenceMetrics({"kitten", "same words."}, {"sitting", "same words ."});
        QVERIFY(std::abs(m.cer - (3.0 + 1.0) / (7.0 + 12.0)) < 1e-12);
        QVERIFY(std::abs(m.wer - (1.0 + 2.0) / (1.0 + 3.0)) < 1e-12);
        QCOMPARE(m.exactMatch, 50.0); // 13a makes "words." and "words ." the same tokens
        QCOMPARE(m.samples, std::int64_t(2));
        // Unicode: characters are code points, not bytes.
        m = sequenceMetrics({"我爱猫"}, {"我爱狗"});
        QVERIFY(std::abs(m.cer - 1.0 / 3.0) < 1e-12);
    }

    // Against scikit-learn 1.2.1 (mean_absolute_error, mean_squared_error(...) ** 0.5,
    // r2_score) and SciPy's pearsonr: the first pair is scikit-learn's documented r2_score
    // example (0.948...), the second numbers of our own.
    void regressionMatchesScikitLearn()
    {
        RegressionMetrics m = regressionMetrics({3.0, -0.5, 2.0, 7.0}, {2.5, 0.0, 2.0, 8.0});
        QCOMPARE(m.samples, std::int64_t(4));
        QVERIFY(near(m.mae, 0.5));
        QVERIFY(near(m.rmse, 0.6123724356957945));
        QVERIFY(near(m.r2, 0.9486081370449679));
        QVERIFY(near(m.pearson, 0.98486961844827));
        m = regressionMetrics({1.5, 2.25, 3.0, 10.0, -4.0, 0.125}, {1.0, 2.0, 3.5, 8.0, -3.0, 1.0});
        QVERIFY(near(m.mae, 0.8541666666666666));
        QVERIFY(near(m.rmse, 1.0269797953221864));
        QVERIFY(near(m.r2, 0.9395597562492227));
        QVERIFY(near(m.pearson, 0.9900072916244756));
        // A constant truth: r2_score gives 1 when predicted exactly, else 0 (force_finite);
        // Pearson's r is undefined there (SciPy: NaN), reported as 0.
        m = regressionMetrics({2, 2, 2}, {2, 2, 2});
        QVERIFY(near(m.r2, 1.0) && near(m.pearson, 0.0) && near(m.rmse, 0.0));
        m = regressionMetrics({2, 2, 2}, {1, 2, 3});
        QVERIFY(near(m.r2, 0.0) && near(m.mae, 2.0 / 3));
        const nlohmann::json j = EvaluationMetrics::of(regressionMetrics({3.0, -0.5, 2.0, 7.0}, {2.5, 0.0, 2.0, 8.0})).toJson();
        QCOMPARE(j["task"].get<std::string>(), std::string("regression"));
        for (const char *k : {"mae", "rmse", "pearson", "r2", "samples"})
            QVERIFY2(j.contains(k), k);
        const EvaluationMetrics e = EvaluationMetrics::of(m);
        QVERIFY(e.regression && near(e.value("mae"), 2.0 / 3) && near(e.value("r2"), 0.0));
    }

    void classificationWithANeverPredictedClass()
    {
        const std::vector<std::int64_t> truth{0, 0, 0, 1, 1, 2, 2, 2, 2, 3};
        const std::vector<std::int64_t> pred{0, 0, 1, 1, 0, 2, 2, 1, 2, 2};
        ClassificationAccumulator acc(4);
        for (std::size_t i = 0; i < truth.size(); ++i)
            acc.add(truth[i], pred[i]);
        const ClassificationMetrics m = acc.compute();
        QVERIFY(near(m.accuracy, 0.6));
        QVERIFY(near(m.precision[0], 2.0 / 3) && near(m.precision[1], 1.0 / 3) && near(m.precision[2], 0.75));
        QVERIFY(near(m.precision[3], 0.0)); // never predicted: zero_division = 0
        QVERIFY(near(m.recall[0], 2.0 / 3) && near(m.recall[1], 0.5) && near(m.recall[2], 0.75) && near(m.recall[3], 0.0));
        QVERIFY(near(m.f1[0], 2.0 / 3) && near(m.f1[1], 0.4) && near(m.f1[2], 0.75) && near(m.f1[3], 0.0));
        QCOMPARE(m.support, (std::vector<std::int64_t>{3, 2, 4, 1}));
        QVERIFY(near(m.macroPrecision, 0.4375));
        QVERIFY(near(m.macroRecall, (2.0 / 3 + 0.5 + 0.75) / 4));
        QVERIFY(near(m.macroF1, (2.0 / 3 + 0.4 + 0.75) / 4));
        QVERIFY(near(m.weightedPrecision, (2.0 + 2.0 / 3 + 3.0) / 10));
        QVERIFY(near(m.weightedRecall, 0.6));
        QVERIFY(near(m.weightedF1, 0.58));
        QCOMPARE(m.confusion[0], (std::vector<std::int64_t>{2, 1, 0, 0}));
        QCOMPARE(m.confusion[3], (std::vector<std::int64_t>{0, 0, 1, 0}));
    }

    void aClassAbsentFromTheTruth()
    {
        ClassificationAccumulator acc(3);
        acc.add(0, 2); // class 2 predicted but never true: precision 0, recall 0 (support 0)
        acc.add(1, 1);
        const auto m = acc.compute();
        QVERIFY(near(m.precision[2], 0.0) && near(m.recall[2], 0.0) && m.support[2] == 0);
        QVERIFY(near(m.recall[0], 0.0) && near(m.precision[1], 1.0));
        QVERIFY(near(m.macroF1, 1.0 / 3));
        QVERIFY(near(m.weightedF1, 0.5));
    }

    void topKFromScores()
    {
        const std::vector<float> scores{0.1f, 0.7f, 0.2f, /**/ 0.5f, 0.3f, 0.2f, /**/ 0.2f, 0.3f, 0.5f};
        const std::vector<std::int64_t> labels{2, 0, 0};
        ClassificationAccumulator acc(3, {1, 2});
        acc.addScores(scores.data(), labels.data(), 3);
        const auto m = acc.compute();
        QVERIFY(near(m.accuracy, 1.0 / 3));
        QCOMPARE(m.topK.size(), std::size_t(2));
        QVERIFY(near(m.topK[0].second, 1.0 / 3));
        QVERIFY(near(m.topK[1].second, 2.0 / 3));
        QCOMPARE(m.confusion[2][1], std::int64_t(1));
    }

    void emptyAndInvalid()
    {
        ClassificationAccumulator acc(2);
        const auto m = acc.compute();
        QVERIFY(near(m.accuracy, 0.0) && near(m.weightedF1, 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, acc.add(2, 0));
        QVERIFY_THROWS_EXCEPTION(Error, ClassificationAccumulator(0));
    }

    void multiLabel()
    {
        const std::vector<std::uint8_t> truth{1, 0, 1, /**/ 0, 1, 0, /**/ 1, 1, 0};
        const std::vector<std::uint8_t> pred{1, 0, 0, /**/ 0, 1, 1, /**/ 1, 0, 0};
        const auto m = multiLabelMetrics(truth, pred, 3);
        QVERIFY(near(m.f1[0], 1.0) && near(m.f1[1], 2.0 / 3) && near(m.f1[2], 0.0));
        QVERIFY(near(m.precision[2], 0.0) && near(m.recall[1], 0.5));
        QCOMPARE(m.support, (std::vector<std::int64_t>{2, 2, 1}));
        QVERIFY(near(m.microPrecision, 0.75) && near(m.microRecall, 0.6));
        QVERIFY(near(m.microF1, 2 * 0.75 * 0.6 / 1.35));
        QVERIFY(near(m.macroF1, (1.0 + 2.0 / 3) / 3));
        QVERIFY_THROWS_EXCEPTION(Error, multiLabelMetrics({1, 0}, {1}, 2));
    }

    // The same predictions plus a sample of no class predicted as none; every value below
    // is what scikit-learn 1.2 gives (accuracy_score, hamming_loss,
    // precision_recall_fscore_support(zero_division=0), multilabel_confusion_matrix).
    void multiLabelAveragesMatchScikitLearn()
    {
        const std::vector<float> truth{1, 0, 1, /**/ 0, 1, 0, /**/ 1, 1, 0, /**/ 0, 0, 0};
        const std::vector<float> logits{2.f, -1.f, -0.5f, /**/ -3.f, 0.7f, 0.1f, /**/ 4.f, -0.2f, -1.f, /**/ -1.f, -2.f, -0.01f};
        MultiLabelAccumulator acc(3);
        acc.addLogits(logits.data(), truth.data(), 2);
        acc.addLogits(logits.data() + 6, truth.data() + 6, 2);
        const MultiLabelMetrics m = acc.compute();
        QCOMPARE(m.samples, std::int64_t(4));
        QVERIFY(near(m.subsetAccuracy, 0.25));
        QVERIFY(near(m.hammingLoss, 0.25));
        QVERIFY(near(m.microPrecision, 0.75) && near(m.microRecall, 0.6) && near(m.microF1, 2.0 / 3));
        QVERIFY(near(m.macroPrecision, 2.0 / 3) && near(m.macroRecall, 0.5) && near(m.macroF1, 5.0 / 9));
        QVERIFY(near(m.weightedPrecision, 0.8) && near(m.weightedRecall, 0.6) && near(m.weightedF1, 2.0 / 3));
        using Row = std::array<std::int64_t, 4>;
        QCOMPARE(m.labelConfusion, (std::vector<Row>{{2, 0, 0, 2}, {2, 0, 1, 1}, {2, 1, 1, 0}}));
        const EvaluationMetrics e = EvaluationMetrics::of(m);
        QVERIFY(e.multiLabel && near(e.accuracy, 0.25) && near(e.macroF1, 5.0 / 9));
        const auto j = e.toJson();
        QCOMPARE(QString::fromStdString(j["task"].get<std::string>()), QStringLiteral("multi-label"));
        QCOMPARE(j["label_confusion"][2][0][1].get<std::int64_t>(), std::int64_t(1));
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
