// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/TrainingObserver.h"

#include <nlohmann/json.hpp>

namespace fuselab {

const char *phaseName(TrainingPhase p)
{
    switch (p) {
    case TrainingPhase::PreparingData: return "preparing_data";
    case TrainingPhase::Training: return "training";
    case TrainingPhase::Validating: return "validating";
    case TrainingPhase::Testing: return "testing";
    case TrainingPhase::Paused: return "paused";
    }
    return "?";
}

nlohmann::json TrainingReport::toJson() const
{
    nlohmann::json j = {{"run_dir", runDir}, {"epochs_completed", epochsCompleted}, {"stopped", stopped},
                        {"selected_by", selectionMetric}, {"seconds", seconds}};
    if (!earlyStopReason.empty())
        j["early_stop"] = earlyStopReason;
    if (bestEpoch > 0)
        j["best_epoch"] = bestEpoch;
    if (val)
        j["val"] = val->toJson();
    if (test)
        j["test"] = test->toJson();
    if (!classes.empty())
        j["classes"] = classes;
    return j;
}

} // namespace fuselab
