// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/ModalityDropout.h"

#include <random>

namespace fuselab {

void dropModalities(std::vector<torch::Tensor> &columns, torch::Tensor &present, double rate, std::uint64_t seed)
{
    if (rate <= 0 || columns.empty())
        return;
    const torch::Tensor mask = present.to(torch::kCPU).to(torch::kBool).contiguous();
    const std::int64_t B = mask.size(0), M = mask.size(1);
    std::mt19937_64 rng(seed);
    std::vector<std::uint8_t> keep(static_cast<std::size_t>(B * M));
    const bool *p = mask.data_ptr<bool>();
    for (std::int64_t b = 0; b < B; ++b) {
        std::vector<std::int64_t> had;
        int kept = 0;
        for (std::int64_t m = 0; m < M; ++m) {
            const bool has = p[b * M + m];
            if (has)
                had.push_back(m);
            const bool k = has && double(rng() >> 11) * 0x1.0p-53 >= rate;
            keep[static_cast<std::size_t>(b * M + m)] = k;
            kept += k;
        }
        if (kept == 0 && !had.empty()) // never drop everything a sample has
            keep[static_cast<std::size_t>(b * M + had[rng() % had.size()])] = 1;
    }
    const torch::Tensor keepMask = torch::from_blob(keep.data(), {B, M}, torch::kUInt8).to(torch::kBool).to(present.device());
    present = keepMask.to(present.scalar_type());
    for (std::int64_t m = 0; m < M && m < static_cast<std::int64_t>(columns.size()); ++m) {
        torch::Tensor &c = columns[static_cast<std::size_t>(m)];
        std::vector<std::int64_t> shape(static_cast<std::size_t>(c.dim()), 1);
        shape[0] = B;
        c = c * keepMask.select(1, m).view(shape).to(c.scalar_type());
    }
}

} // namespace fuselab
