// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
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

// Multi-label metrics: per label precision/recall/F1/support, micro (pooled counts) and
// macro (mean over labels) F1, with zero_division=0.
struct MultiLabelMetrics {
    std::vector<double> precision, recall, f1;
    std::vector<std::int64_t> support;
    double microPrecision = 0, microRecall = 0, microF1 = 0, macroF1 = 0;
    nlohmann::json toJson() const;
};

// truth, predicted: [n × labels] row-major 0/1.
MultiLabelMetrics multiLabelMetrics(const std::vector<std::uint8_t> &truth, const std::vector<std::uint8_t> &predicted,
                                    std::int64_t labels);

} // namespace fuselab
