// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/train/SequenceMetrics.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

// Single-label classification metrics with scikit-learn's definitions and
// zero_division=0: a class never predicted has precision 0, a class absent from the truth
// has recall 0, and F1 is 0 whenever precision + recall is 0. Macro averages are over all
// classes of the dataset (labels=range(C)); weighted averages weight by support.
struct ClassificationMetrics {
    std::int64_t classes = 0;
    std::vector<std::vector<std::int64_t>> confusion; // [true][predicted]
    std::vector<double> precision, recall, f1;
    std::vector<std::int64_t> support;
    double accuracy = 0;
    double macroPrecision = 0, macroRecall = 0, macroF1 = 0;
    double weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0;
    std::vector<std::pair<int, double>> topK; // (k, top-k accuracy), when scores were given

    nlohmann::json toJson() const;
};

// Accumulates predictions batch by batch.
class ClassificationAccumulator {
public:
    explicit ClassificationAccumulator(std::int64_t classes, std::vector<int> topK = {});
    void add(std::int64_t truth, std::int64_t predicted);
    // Scores [n × classes] (logits or probabilities, row-major) with their labels: counts the
    // argmax prediction and the top-k hits.
    void addScores(const float *scores, const std::int64_t *labels, std::int64_t n);
    ClassificationMetrics compute() const;
    std::int64_t count() const { return m_total; }

private:
    std::int64_t m_classes;
    std::vector<int> m_topK;
    std::vector<std::int64_t> m_topKHits;
    std::vector<std::int64_t> m_confusion;
    std::int64_t m_total = 0;
};

// Multi-label metrics with scikit-learn's definitions (zero_division=0): per label
// precision/recall/F1/support and its 2×2 confusion matrix [[tn, fp], [fn, tp]]
// (multilabel_confusion_matrix); micro (pooled counts), macro (mean over labels) and
// weighted (by support) averages; subset accuracy (accuracy_score: every label right) and
// Hamming loss (the fraction of wrong label decisions).
struct MultiLabelMetrics {
    std::int64_t labels = 0, samples = 0;
    std::vector<double> precision, recall, f1;
    std::vector<std::int64_t> support;
    std::vector<std::array<std::int64_t, 4>> labelConfusion; // tn, fp, fn, tp per label
    double subsetAccuracy = 0, hammingLoss = 0;
    double microPrecision = 0, microRecall = 0, microF1 = 0;
    double macroPrecision = 0, macroRecall = 0, macroF1 = 0;
    double weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0;
    nlohmann::json toJson() const;
    nlohmann::json labelConfusionJson() const; // [label][[tn, fp], [fn, tp]]
};

// truth, predicted: [n × labels] row-major 0/1.
MultiLabelMetrics multiLabelMetrics(const std::vector<std::uint8_t> &truth, const std::vector<std::uint8_t> &predicted,
                                    std::int64_t labels);

// Accumulates multi-label predictions batch by batch: a label is predicted when its logit
// is above 0 (probability above 0.5).
class MultiLabelAccumulator {
public:
    explicit MultiLabelAccumulator(std::int64_t labels);
    // logits and truth (0/1): [n × labels] row-major.
    void addLogits(const float *logits, const float *truth, std::int64_t n);
    MultiLabelMetrics compute() const { return multiLabelMetrics(m_truth, m_predicted, m_labels); }

private:
    std::int64_t m_labels;
    std::vector<std::uint8_t> m_truth, m_predicted;
};

// Regression metrics with scikit-learn's definitions: mean absolute error, root mean
// squared error, Pearson's r (0 where either side is constant, where SciPy says NaN) and
// the coefficient of determination R² = 1 - SS_res / SS_tot (r2_score with force_finite: a
// constant truth gives 1 when predicted exactly, else 0).
struct RegressionMetrics {
    std::int64_t samples = 0;
    double mae = 0, rmse = 0, pearson = 0, r2 = 0;
    nlohmann::json toJson() const; // "task": "regression", samples, mae, rmse, pearson, r2
};
RegressionMetrics regressionMetrics(const std::vector<double> &truth, const std::vector<double> &predicted);

// The metrics of one evaluation, whichever the task: the two numbers every task has
// (accuracy — subset accuracy for multi-label — and macro-F1) and the task's full metrics.
struct EvaluationMetrics {
    bool multiLabel = false, regression = false, sequence = false;
    double accuracy = 0, macroF1 = 0; // regression: both 0 (no classes)
    ClassificationMetrics single; // when neither
    MultiLabelMetrics multi;      // when multiLabel
    RegressionMetrics numbers;    // when regression
    SequenceMetrics text;         // when sequence

    static EvaluationMetrics of(ClassificationMetrics m);
    static EvaluationMetrics of(MultiLabelMetrics m);
    static EvaluationMetrics of(RegressionMetrics m);
    static EvaluationMetrics of(SequenceMetrics m);
    // The value of a selection metric ("val_accuracy", "val_macro_f1", "val_rmse", ...,
    // without the split prefix: "accuracy", "macro_f1", "mae", "rmse", "pearson", "r2",
    // "bleu", "chrf", "exact_match", "wer", "cer").
    double value(const std::string &name) const;
    // single.toJson(), multi.toJson() ("task": "multi-label") or numbers.toJson().
    nlohmann::json toJson() const;
    // The confusion matrix [true][predicted], or per label [[tn, fp], [fn, tp]].
    nlohmann::json confusionJson() const;
};

} // namespace fuselab
