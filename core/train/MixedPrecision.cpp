// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/MixedPrecision.h"

#include "core/util/Error.h"

#include <ATen/autocast_mode.h>

namespace fuselab {

torch::ScalarType mixedPrecisionType(const std::string &setting)
{
    if (setting == "float16")
        return torch::kHalf;
    if (setting == "bfloat16")
        return torch::kBFloat16;
    return torch::kFloat;
}

// PyTorch 2.4 renamed the device-specific autocast functions to ones taking the device.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
static bool cudaAutocastEnabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
static void setCudaAutocast(bool on) { at::autocast::set_autocast_enabled(at::kCUDA, on); }
static torch::ScalarType cudaAutocastType() { return at::autocast::get_autocast_dtype(at::kCUDA); }
static void setCudaAutocastType(torch::ScalarType t) { at::autocast::set_autocast_dtype(at::kCUDA, t); }
#else
static bool cudaAutocastEnabled() { return at::autocast::is_enabled(); }
static void setCudaAutocast(bool on) { at::autocast::set_enabled(on); }
static torch::ScalarType cudaAutocastType() { return at::autocast::get_autocast_gpu_dtype(); }
static void setCudaAutocastType(torch::ScalarType t) { at::autocast::set_autocast_gpu_dtype(t); }
#endif

AutocastGuard::AutocastGuard(const torch::Device &device, torch::ScalarType type)
{
    if (!device.is_cuda() || type == torch::kFloat)
        return;
    m_wasEnabled = cudaAutocastEnabled();
    m_previous = cudaAutocastType();
    setCudaAutocastType(type);
    setCudaAutocast(true);
    at::autocast::increment_nesting();
    m_active = true;
}

AutocastGuard::~AutocastGuard()
{
    if (!m_active)
        return;
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    setCudaAutocast(m_wasEnabled);
    setCudaAutocastType(m_previous);
}

GradScaler::GradScaler(Options options) : m_options(options), m_scale(options.initScale) {}

torch::Tensor GradScaler::scale(const torch::Tensor &loss) const { return m_options.enabled ? loss * m_scale : loss; }

bool GradScaler::unscale(const std::vector<torch::Tensor> &params)
{
    m_unscaled = true;
    m_finite = true;
    if (!m_options.enabled)
        return true;
    torch::NoGradGuard noGrad;
    const double inverse = 1.0 / m_scale;
    torch::Tensor bad;
    for (const torch::Tensor &p : params) {
        if (!p.grad().defined())
            continue;
        torch::Tensor g = p.grad();
        g.mul_(inverse);
        const torch::Tensor nonFinite = torch::logical_not(torch::isfinite(g)).any();
        bad = bad.defined() ? torch::logical_or(bad, nonFinite) : nonFinite;
    }
    m_finite = !bad.defined() || !bad.item<bool>();
    return m_finite;
}

bool GradScaler::step(torch::optim::Optimizer &optimizer)
{
    if (!m_options.enabled) {
        optimizer.step();
        return true;
    }
    if (!m_unscaled)
        throw Error(Message::plain("GradScaler::step: unscale() the gradients first"));
    m_unscaled = false;
    if (!m_finite) { // skip, and back off
        ++m_skipped;
        m_scale *= m_options.backoffFactor;
        m_goodSteps = 0;
        return false;
    }
    optimizer.step();
    if (++m_goodSteps >= m_options.growthInterval) {
        m_scale *= m_options.growthFactor;
        m_goodSteps = 0;
    }
    return true;
}

void GradScaler::restore(double scale, int goodSteps)
{
    m_scale = scale;
    m_goodSteps = goodSteps;
}

} // namespace fuselab
