// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Data-parallel training on PyTorch's distributed engine (c10d: TCPStore, ProcessGroupGloo
// on the CPU, ProcessGroupNCCL on CUDA), launched by the launchers people use: torchrun
// (which sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) or SLURM's srun.
// FuseLab has no cluster code of its own: the Communicator is a thin face over a c10d
// process group, and the helpers below are what the trainer does with it (docs/distributed.md).
#include "core/train/Launch.h"

#include <torch/torch.h>

#include <vector>

namespace fuselab {


// DistributedSampler's share of an epoch's order: padded by wrapping to a multiple of the
// world size, then every size-th row from `rank` on. Every rank gets the same count.
std::vector<std::int64_t> shardRows(const std::vector<std::int64_t> &rows, int rank, int size);
// The rank-ordered gather of shardRows' shares back into the order of `count` rows
// (padding dropped): element k of rank r's share is row k*size + r.
torch::Tensor unshard(const torch::Tensor &gathered, std::int64_t count);

// Copies rank 0's parameters (unless `parameters` is false) and buffers (batch
// normalisation's statistics) into every rank's module, flattened in buckets.
void broadcastModule(Communicator &comm, torch::nn::Module &module, bool parameters = true, std::int64_t bucketBytes = std::int64_t(25) << 20);
// The largest difference between any rank's parameters and rank 0's, by a checksum per
// parameter (sum and sum of squares): 0 when the ranks agree.
double parameterDisagreement(Communicator &comm, torch::nn::Module &module);
// Averages the gradients of `params` over the ranks, in buckets of about `bucketBytes` (one
// collective per bucket, not per parameter). A parameter without a gradient on some ranks
// counts zero there; one with none on every rank keeps none. `stop` is or-ed across ranks
// in the same collectives, so every rank learns at the same step that one wants to stop.
void allReduceGradients(Communicator &comm, const std::vector<torch::Tensor> &params, bool &stop,
                        std::int64_t bucketBytes = std::int64_t(25) << 20);

} // namespace fuselab
