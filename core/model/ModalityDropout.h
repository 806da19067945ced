// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace fuselab {

// Training-time modality dropout: each modality a sample has is dropped with probability
// `rate`, but every sample keeps at least one of the modalities it has. A dropped input
// is zeroed and marked absent, exactly as if it were missing from the data, so the model
// learns to cope with missing modalities. Reproducible from `seed`.
void dropModalities(std::vector<torch::Tensor> &columns, torch::Tensor &present, double rate, std::uint64_t seed);

} // namespace fuselab
