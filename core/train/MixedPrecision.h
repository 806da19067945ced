// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Automatic mixed precision for CUDA training (training.mixed_precision): LibTorch's
// autocast behind a small version shim (its C++ functions were renamed in PyTorch 2.4), and
// a gradient scaler, which LibTorch's C++ API lacks: the loss is multiplied by a large scale
// before backward so that float16 gradients do not underflow; the gradients are divided by
// it before the optimiser step, a step whose gradients hold inf or NaN is skipped and the
// scale halved, and after `growthInterval` good steps in a row the scale doubles — as
// torch.cuda.amp.GradScaler does, with its defaults.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace fuselab {

// "off", "float16", "bfloat16" → the autocast dtype (kFloat for off).
torch::ScalarType mixedPrecisionType(const std::string &setting);

// Autocast on CUDA for its lifetime (nothing on the CPU or when `type` is kFloat).
class AutocastGuard {
public:
    AutocastGuard(const torch::Device &device, torch::ScalarType type);
    ~AutocastGuard();
    AutocastGuard(const AutocastGuard &) = delete;
    AutocastGuard &operator=(const AutocastGuard &) = delete;
    bool active() const { return m_active; }

private:
    bool m_active = false, m_wasEnabled = false;
    torch::ScalarType m_previous = torch::kHalf;
};

class GradScaler {
public:
    struct Options {
        double initScale = 65536.0;
        double growthFactor = 2.0;
        double backoffFactor = 0.5;
        int growthInterval = 2000;
        bool enabled = true; // false: every call passes through (float32 or bfloat16 training)
    };
    explicit GradScaler(Options options);

    // loss × scale (the loss itself when disabled).
    torch::Tensor scale(const torch::Tensor &loss) const;
    // Divides every gradient by the scale; returns whether all are finite (one host read).
    bool unscale(const std::vector<torch::Tensor> &params);
    // Steps the optimiser unless unscale() found inf or NaN; returns whether it stepped.
    // Then updates the scale (backoff after a skipped step, growth after the interval).
    bool step(torch::optim::Optimizer &optimizer);

    bool enabled() const { return m_options.enabled; }
    double scaleValue() const { return m_scale; }
    int goodSteps() const { return m_goodSteps; }
    std::int64_t skippedSteps() const { return m_skipped; }
    // For checkpoints: the scale and the count of good steps since the last change.
    void restore(double scale, int goodSteps);

private:
    Options m_options;
    double m_scale;
    int m_goodSteps = 0;
    std::int64_t m_skipped = 0;
    bool m_finite = true, m_unscaled = false;
};

} // namespace fuselab
