// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/TrainingSettings.h"

#include <cstdint>

namespace fuselab {

// The learning rate at every optimiser step: a per-step linear warm-up times a per-epoch
// schedule. With s steps per epoch, epoch e (1-based) and step k (0-based) in it:
//
//   warm-up  w(e, k) = min(1, ((e-1)·s + k + 1) / (W·s))   (W = warmup_epochs; 1 when W = 0)
//   constant f(e) = 1
//   step     f(e) = gamma^floor((e-1) / step_size)
//   cosine   f(e) = (1 + cos(pi·(e-1) / epochs)) / 2
//   lr(e, k) = learning_rate · w(e, k) · f(e)
//
// This equals PyTorch's LinearLR(start_factor=1/(W·s), total_iters=W·s-1) stepped every
// batch, times StepLR(step_size, gamma) or CosineAnnealingLR(T_max=epochs, eta_min=0)
// stepped every epoch (tests/data/lr holds values from torch.optim.lr_scheduler).
class LearningRateSchedule {
public:
    LearningRateSchedule(const TrainingSettings &settings, std::int64_t stepsPerEpoch);
    double at(int epoch, std::int64_t step) const;

private:
    TrainingSettings m_settings;
    std::int64_t m_steps;
};

} // namespace fuselab
