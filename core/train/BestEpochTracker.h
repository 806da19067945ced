// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cmath>
#include <string>

namespace fuselab {

// Which epoch is best, and when patience runs out. An epoch is better when its score is
// better by the metric, or equal with a lower loss: once accuracy saturates (easy data,
// small val sets) the best checkpoint still follows the loss. For "val_loss", "train_loss",
// "val_rmse", "val_mae", "val_wer" and "val_cer" lower is better.
class BestEpochTracker {
public:
    struct State {
        double best = NAN;     // NaN: no epoch offered yet
        double bestLoss = INFINITY;
        int bestEpoch = 0;
        int sinceBest = 0;
    };

    BestEpochTracker(std::string metric, int patience) : m_metric(std::move(metric)), m_patience(patience) {}

    // Offers an epoch's score and loss; returns whether it is the best so far.
    bool offer(int epoch, double score, double loss)
    {
        const bool first = std::isnan(m_state.best);
        const bool better = first || (lowerIsBetter() ? score < m_state.best
                                                      : (score > m_state.best || (score == m_state.best && loss < m_state.bestLoss)));
        if (better) {
            m_state.best = score;
            m_state.bestLoss = loss;
            m_state.bestEpoch = epoch;
            m_state.sinceBest = 0;
        } else {
            ++m_state.sinceBest;
        }
        return better;
    }
    // Patience ran out: no better epoch for `patience` epochs (0 = never).
    bool exhausted() const { return m_patience > 0 && m_state.sinceBest >= m_patience; }
    bool lowerIsBetter() const { return m_metric == "val_loss" || m_metric == "train_loss" || m_metric == "val_rmse" || m_metric == "val_mae"
                                                 || m_metric == "val_wer" || m_metric == "val_cer"; }

    const std::string &metric() const { return m_metric; }
    int patience() const { return m_patience; }
    const State &state() const { return m_state; }
    void restore(const State &s) { m_state = s; }

private:
    std::string m_metric;
    int m_patience;
    State m_state;
};

} // namespace fuselab
