// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Metrics.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

namespace fuselab {

namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
double f1Of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }
} // namespace

ClassificationAccumulator::ClassificationAccumulator(std::int64_t classes, std::vector<int> topK)
    : m_classes(classes), m_topK(std::move(topK)), m_topKHits(m_topK.size(), 0),
      m_confusion(static_cast<std::size_t>(classes * classes), 0)
{
    if (classes < 1)
        throw Error("metrics need at least one class");
}

void ClassificationAccumulator::add(std::int64_t truth, std::int64_t predicted)
{
    if (truth < 0 || truth >= m_classes || predicted < 0 || predicted >= m_classes)
        throw Error("metrics: class index out of range");
    ++m_confusion[static_cast<std::size_t>(truth * m_classes + predicted)];
    ++m_total;
}

void ClassificationAccumulator::addScores(const float *scores, const std::int64_t *labels, std::int64_t n)
{
    std::vector<std::int64_t> order(static_cast<std::size_t>(m_classes));
    for (std::int64_t i = 0; i < n; ++i) {
        const float *row = scores + i * m_classes;
        const std::int64_t best = std::max_element(row, row + m_classes) - row;
        add(labels[i], best);
        for (std::size_t k = 0; k < m_topK.size(); ++k) {
            // Top-k hit: fewer than k classes score strictly higher than the true one.
            const float truthScore = row[labels[i]];
            std::int64_t higher = 0;
            for (std::int64_t c = 0; c < m_classes; ++c)
                higher += row[c] > truthScore;
            m_topKHits[k] += higher < m_topK[k];
        }
    }
}

ClassificationMetrics ClassificationAccumulator::compute() const
{
    ClassificationMetrics m;
    const std::int64_t C = m_classes;
    m.classes = C;
    m.confusion.assign(static_cast<std::size_t>(C), std::vector<std::int64_t>(static_cast<std::size_t>(C)));
    std::vector<std::int64_t> predicted(static_cast<std::size_t>(C), 0);
    std::int64_t correct = 0;
    for (std::int64_t t = 0; t < C; ++t)
        for (std::int64_t p = 0; p < C; ++p) {
            const std::int64_t n = m_confusion[static_cast<std::size_t>(t * C + p)];
            m.confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)] = n;
            predicted[static_cast<std::size_t>(p)] += n;
            if (t == p)
                correct += n;
        }
    m.accuracy = ratio(double(correct), double(m_total));
    for (std::int64_t c = 0; c < C; ++c) {
        const auto ci = static_cast<std::size_t>(c);
        const double tp = double(m.confusion[ci][ci]);
        const std::int64_t support = std::accumulate(m.confusion[ci].begin(), m.confusion[ci].end(), std::int64_t(0));
        const double p = ratio(tp, double(predicted[ci])), r = ratio(tp, double(support));
        m.precision.push_back(p);
        m.recall.push_back(r);
        m.f1.push_back(f1Of(p, r));
        m.support.push_back(support);
        m.macroPrecision += p / double(C);
        m.macroRecall += r / double(C);
        m.macroF1 += m.f1.back() / double(C);
        m.weightedPrecision += p * double(support);
        m.weightedRecall += r * double(support);
        m.weightedF1 += m.f1.back() * double(support);
    }
    m.weightedPrecision = ratio(m.weightedPrecision, double(m_total));
    m.weightedRecall = ratio(m.weightedRecall, double(m_total));
    m.weightedF1 = ratio(m.weightedF1, double(m_total));
    for (std::size_t k = 0; k < m_topK.size(); ++k)
        m.topK.emplace_back(m_topK[k], ratio(double(m_topKHits[k]), double(m_total)));
    return m;
}

nlohmann::json ClassificationMetrics::toJson() const
{
    nlohmann::json j = {{"accuracy", accuracy},
                        {"macro", {{"precision", macroPrecision}, {"recall", macroRecall}, {"f1", macroF1}}},
                        {"weighted", {{"precision", weightedPrecision}, {"recall", weightedRecall}, {"f1", weightedF1}}},
                        {"per_class", {{"precision", precision}, {"recall", recall}, {"f1", f1}, {"support", support}}},
                        {"confusion", confusion}};
    for (auto &[k, v] : topK)
        j["top_" + std::to_string(k) + "_accuracy"] = v;
    return j;
}

MultiLabelMetrics multiLabelMetrics(const std::vector<std::uint8_t> &truth, const std::vector<std::uint8_t> &predicted,
                                    std::int64_t labels)
{
    if (labels < 1 || truth.size() != predicted.size() || truth.size() % static_cast<std::size_t>(labels) != 0)
        throw Error("multi-label metrics: truth and predictions must both be n x labels");
    const std::size_t n = truth.size() / static_cast<std::size_t>(labels);
    const auto L = static_cast<std::size_t>(labels);
    MultiLabelMetrics m;
    m.labels = labels;
    m.samples = static_cast<std::int64_t>(n);
    std::int64_t exact = 0, wrong = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t rowWrong = 0;
        for (std::size_t l = 0; l < L; ++l)
            rowWrong += (truth[i * L + l] != 0) != (predicted[i * L + l] != 0);
        exact += rowWrong == 0;
        wrong += rowWrong;
    }
    m.subsetAccuracy = ratio(double(exact), double(n));
    m.hammingLoss = ratio(double(wrong), double(n) * double(L));
    double tpAll = 0, fpAll = 0, fnAll = 0, supportAll = 0;
    for (std::size_t l = 0; l < L; ++l) {
        std::int64_t tp = 0, fp = 0, fn = 0, tn = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const bool t = truth[i * L + l] != 0;
            const bool p = predicted[i * L + l] != 0;
            tp += t && p;
            fp += !t && p;
            fn += t && !p;
            tn += !t && !p;
        }
        const double pr = ratio(double(tp), double(tp + fp)), re = ratio(double(tp), double(tp + fn));
        m.precision.push_back(pr);
        m.recall.push_back(re);
        m.f1.push_back(f1Of(pr, re));
        m.support.push_back(tp + fn);
        m.labelConfusion.push_back({tn, fp, fn, tp});
        m.macroPrecision += pr / double(labels);
        m.macroRecall += re / double(labels);
        m.macroF1 += m.f1.back() / double(labels);
        m.weightedPrecision += pr * double(tp + fn);
        m.weightedRecall += re * double(tp + fn);
        m.weightedF1 += m.f1.back() * double(tp + fn);
        tpAll += double(tp);
        fpAll += double(fp);
        fnAll += double(fn);
        supportAll += double(tp + fn);
    }
    m.weightedPrecision = ratio(m.weightedPrecision, supportAll);
    m.weightedRecall = ratio(m.weightedRecall, supportAll);
    m.weightedF1 = ratio(m.weightedF1, supportAll);
    m.microPrecision = ratio(tpAll, tpAll + fpAll);
    m.microRecall = ratio(tpAll, tpAll + fnAll);
    m.microF1 = f1Of(m.microPrecision, m.microRecall);
    return m;
}

nlohmann::json MultiLabelMetrics::labelConfusionJson() const
{
    nlohmann::json confusion = nlohmann::json::array();
    for (auto &c : labelConfusion)
        confusion.push_back({{c[0], c[1]}, {c[2], c[3]}});
    return confusion;
}

nlohmann::json MultiLabelMetrics::toJson() const
{
    return {{"task", "multi-label"},
            {"samples", samples},
            {"subset_accuracy", subsetAccuracy},
            {"hamming_loss", hammingLoss},
            {"micro", {{"precision", microPrecision}, {"recall", microRecall}, {"f1", microF1}}},
            {"macro", {{"precision", macroPrecision}, {"recall", macroRecall}, {"f1", macroF1}}},
            {"weighted", {{"precision", weightedPrecision}, {"recall", weightedRecall}, {"f1", weightedF1}}},
            {"per_label", {{"precision", precision}, {"recall", recall}, {"f1", f1}, {"support", support}}},
            {"label_confusion", labelConfusionJson()}};
}

MultiLabelAccumulator::MultiLabelAccumulator(std::int64_t labels) : m_labels(labels)
{
    if (labels < 1)
        throw Error("metrics need at least one label");
}

void MultiLabelAccumulator::addLogits(const float *logits, const float *truth, std::int64_t n)
{
    const auto count = static_cast<std::size_t>(n * m_labels);
    for (std::size_t k = 0; k < count; ++k) {
        m_truth.push_back(truth[k] > 0.5f);
        m_predicted.push_back(logits[k] > 0.f);
    }
}

EvaluationMetrics EvaluationMetrics::of(ClassificationMetrics m)
{
    EvaluationMetrics e;
    e.accuracy = m.accuracy;
    e.macroF1 = m.macroF1;
    e.single = std::move(m);
    return e;
}

EvaluationMetrics EvaluationMetrics::of(MultiLabelMetrics m)
{
    EvaluationMetrics e;
    e.multiLabel = true;
    e.accuracy = m.subsetAccuracy;
    e.macroF1 = m.macroF1;
    e.multi = std::move(m);
    return e;
}

EvaluationMetrics EvaluationMetrics::of(RegressionMetrics m)
{
    EvaluationMetrics e;
    e.regression = true;
    e.numbers = m;
    return e;
}

EvaluationMetrics EvaluationMetrics::of(SequenceMetrics m)
{
    EvaluationMetrics e;
    e.sequence = true;
    e.text = m;
    return e;
}

double EvaluationMetrics::value(const std::string &name) const
{
    if (name == "bleu")
        return text.bleu;
    if (name == "chrf")
        return text.chrf;
    if (name == "exact_match")
        return text.exactMatch;
    if (name == "wer")
        return text.wer;
    if (name == "cer")
        return text.cer;
    if (name == "accuracy")
        return accuracy;
    if (name == "macro_f1")
        return macroF1;
    if (name == "mae")
        return numbers.mae;
    if (name == "rmse")
        return numbers.rmse;
    if (name == "pearson")
        return numbers.pearson;
    if (name == "r2")
        return numbers.r2;
    return 0;
}

RegressionMetrics regressionMetrics(const std::vector<double> &truth, const std::vector<double> &predicted)
{
    RegressionMetrics m;
    const std::size_t n = std::min(truth.size(), predicted.size());
    m.samples = static_cast<std::int64_t>(n);
    if (n == 0)
        return m;
    double meanT = 0, meanP = 0;
    for (std::size_t i = 0; i < n; ++i) {
        meanT += truth[i];
        meanP += predicted[i];
    }
    meanT /= double(n);
    meanP /= double(n);
    double abs = 0, sq = 0, tt = 0, pp = 0, tp = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double e = predicted[i] - truth[i], dt = truth[i] - meanT, dp = predicted[i] - meanP;
        abs += std::fabs(e);
        sq += e * e;
        tt += dt * dt;
        pp += dp * dp;
        tp += dt * dp;
    }
    m.mae = abs / double(n);
    m.rmse = std::sqrt(sq / double(n));
    m.pearson = tt > 0 && pp > 0 ? tp / std::sqrt(tt * pp) : 0.0;
    // scikit-learn's r2_score (force_finite): a constant truth gives 1 when predicted exactly, else 0.
    m.r2 = tt > 0 ? 1.0 - sq / tt : (sq == 0 ? 1.0 : 0.0);
    return m;
}

nlohmann::json RegressionMetrics::toJson() const
{
    return {{"task", "regression"}, {"samples", samples}, {"mae", mae}, {"rmse", rmse}, {"pearson", pearson}, {"r2", r2}};
}

nlohmann::json EvaluationMetrics::toJson() const
{
    if (sequence)
        return text.toJson();
    if (regression)
        return numbers.toJson();
    return multiLabel ? multi.toJson() : single.toJson();
}

nlohmann::json EvaluationMetrics::confusionJson() const
{
    if (regression || sequence)
        return nlohmann::json::array();
    return multiLabel ? multi.labelConfusionJson() : nlohmann::json(single.confusion);
}

} // namespace fuselab
