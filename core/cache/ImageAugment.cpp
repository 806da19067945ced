// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/ImageAugment.h"

#include "core/util/Error.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

namespace fuselab {

nlohmann::json AugmentSettings::toJson() const
{
    nlohmann::json j = {{"crop_padding", cropPadding}, {"flip", flipProbability}, {"rotation_deg", rotationDegrees},
                        {"brightness", brightness}, {"contrast", contrast}};
    audio.addTo(j);
    return j;
}

AugmentSettings AugmentSettings::fromJson(const nlohmann::json &j)
{
    AugmentSettings a;
    try {
        a.cropPadding = j.value("crop_padding", 0);
        a.flipProbability = j.value("flip", 0.0);
        a.rotationDegrees = j.value("rotation_deg", 0.0);
        a.brightness = j.value("brightness", 0.0);
        a.contrast = j.value("contrast", 0.0);
    } catch (const nlohmann::json::exception &e) {
        throw Error(Message(FL_TR("Cache", "augmentation settings: %1"), e.what()));
    }
    a.audio = AudioAugmentSettings::fromJson(j);
    if (a.cropPadding < 0 || a.cropPadding > 256) throw Error(Message(FL_TR("Cache", "augmentation \"crop_padding\" must be 0 to 256")));
    if (a.flipProbability < 0 || a.flipProbability > 1) throw Error(Message(FL_TR("Cache", "augmentation \"flip\" must be a probability in [0, 1]")));
    if (a.rotationDegrees < 0 || a.rotationDegrees > 180) throw Error(Message(FL_TR("Cache", "augmentation \"rotation_deg\" must be 0 to 180")));
    if (a.brightness < 0 || a.brightness > 1) throw Error(Message(FL_TR("Cache", "augmentation \"brightness\" must be 0 to 1")));
    if (a.contrast < 0 || a.contrast > 1) throw Error(Message(FL_TR("Cache", "augmentation \"contrast\" must be 0 to 1")));
    return a;
}

at::Tensor augmentImages(const at::Tensor &images, const AugmentSettings &s, std::uint64_t seed)
{
    if (!s.anyImage() || images.size(0) == 0)
        return images;
    TORCH_CHECK(images.dim() == 4, "augmentImages expects [B, C, H, W]");
    const std::int64_t B = images.size(0), H = images.size(2), W = images.size(3);
    std::mt19937_64 rng(seed);
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * (double(rng() >> 11) * 0x1.0p-53); };

    at::Tensor x = images.clone();
    if (s.cropPadding > 0) {
        const int p = s.cropPadding;
        const at::Tensor padded = at::constant_pad_nd(x, {p, p, p, p}, 0.0);
        for (std::int64_t b = 0; b < B; ++b) {
            const std::int64_t dy = static_cast<std::int64_t>(rng() % (2 * p + 1));
            const std::int64_t dx = static_cast<std::int64_t>(rng() % (2 * p + 1));
            x[b].copy_(padded[b].slice(1, dy, dy + H).slice(2, dx, dx + W));
        }
    }
    if (s.flipProbability > 0) {
        for (std::int64_t b = 0; b < B; ++b)
            if (uniform(0, 1) < s.flipProbability)
                x[b] = x[b].flip({2});
    }
    if (s.rotationDegrees > 0) {
        // One affine grid per sample: rotation about the centre, bilinear, zeros outside.
        std::vector<float> theta(static_cast<std::size_t>(B) * 6);
        for (std::int64_t b = 0; b < B; ++b) {
            const double a = uniform(-s.rotationDegrees, s.rotationDegrees) * M_PI / 180.0;
            const double c = std::cos(a), sn = std::sin(a);
            // Normalised coordinates stretch with the aspect ratio; correct for it.
            const double r = double(W) / double(H);
            float *t = theta.data() + b * 6;
            t[0] = float(c); t[1] = float(-sn / r); t[2] = 0;
            t[3] = float(sn * r); t[4] = float(c); t[5] = 0;
        }
        const at::Tensor th = at::from_blob(theta.data(), {B, 2, 3}, at::kFloat).clone().to(x.device());
        const at::Tensor grid = at::affine_grid_generator(th, {B, x.size(1), H, W}, /*align_corners=*/false);
        x = at::grid_sampler(x, grid, /*bilinear*/ 0, /*zeros*/ 0, /*align_corners=*/false);
    }
    if (s.brightness > 0 || s.contrast > 0) {
        std::vector<float> scale(static_cast<std::size_t>(B)), shift(static_cast<std::size_t>(B));
        for (std::int64_t b = 0; b < B; ++b) {
            scale[b] = float(s.contrast > 0 ? uniform(1 - s.contrast, 1 + s.contrast) : 1.0);
            shift[b] = float(s.brightness > 0 ? uniform(-s.brightness, s.brightness) : 0.0);
        }
        const at::Tensor sc = at::from_blob(scale.data(), {B, 1, 1, 1}, at::kFloat).clone().to(x.device());
        const at::Tensor sh = at::from_blob(shift.data(), {B, 1, 1, 1}, at::kFloat).clone().to(x.device());
        const at::Tensor mean = x.mean({1, 2, 3}, /*keepdim=*/true);
        x = (x - mean) * sc + mean + sh;
    }
    return x.clamp(0.0, 1.0);
}

} // namespace fuselab
