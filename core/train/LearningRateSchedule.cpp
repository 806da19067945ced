// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/LearningRateSchedule.h"

#include <algorithm>
#include <cmath>

namespace fuselab {

LearningRateSchedule::LearningRateSchedule(const TrainingSettings &settings, std::int64_t stepsPerEpoch)
    : m_settings(settings), m_steps(std::max<std::int64_t>(1, stepsPerEpoch))
{
}

double LearningRateSchedule::at(int epoch, std::int64_t step) const
{
    const TrainingSettings &t = m_settings;
    double factor = 1.0;
    if (t.warmupEpochs > 0) {
        const double done = double(epoch - 1) * double(m_steps) + double(step) + 1.0;
        factor = std::min(1.0, done / (double(t.warmupEpochs) * double(m_steps)));
    }
    if (t.schedule == "step")
        factor *= std::pow(t.gamma, (epoch - 1) / t.stepSize);
    else if (t.schedule == "cosine")
        factor *= 0.5 * (1 + std::cos(M_PI * double(epoch - 1) / double(t.epochs)));
    return t.learningRate * factor;
}

} // namespace fuselab
