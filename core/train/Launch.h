// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A distributed launch as a front end sees it (no LibTorch headers): where this process
// sits, read from the launcher's environment, the collectives of its process group, and
// joining it. What the trainer does with them is core/train/Distributed.h.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace at {
class Tensor;
}

namespace fuselab {

// The collectives the trainer needs. Every call is collective: all ranks make it, in the
// same order, with tensors of the same shape. A failure or a timeout on any rank throws
// Error naming this rank and the reason (never a hang past the timeout).
class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual void allReduceSum(at::Tensor &t) = 0;          // in place
    virtual void broadcast(at::Tensor &t, int root) = 0;   // in place
    virtual at::Tensor allGather(const at::Tensor &t) = 0; // [size, ...t's shape], rank order
    virtual void barrier() = 0;
    // Every rank says whether its part went well; true when all did (a barrier that carries
    // a failure: the others learn that rank 0 could not prepare the run, not a timeout).
    virtual bool agree(bool ok) = 0;
    // Rank `root`'s text on every rank (a run folder's name decided once, by rank 0).
    virtual std::string broadcastText(const std::string &text, int root) = 0;
};

// Where this process sits in a distributed launch, read from the environment.
struct LaunchInfo {
    bool distributed = false; // WORLD_SIZE (or SLURM_NTASKS) > 1
    int rank = 0, worldSize = 1, localRank = 0;
    std::string masterAddr;
    int masterPort = 0;
    // torchrun's static launch (TORCHELASTIC_USE_AGENT_STORE=True): its agent already serves
    // the store; workers join it as clients under /worker/attempt_<restart count>.
    bool agentStore = false;
    std::string storePrefix;
    std::string launcher; // "torchrun", "slurm", "environment" (RANK etc. set by hand)
};

// Reads torchrun's variables, or SLURM's (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, with
// MASTER_ADDR given and MASTER_PORT defaulting to 29500) when those are absent. Throws
// Error naming the variable that is missing or wrong. A world of one is no distributed
// launch unless FUSELAB_DISTRIBUTED=1 (to check the path on one GPU). `get` defaults to
// std::getenv.
LaunchInfo launchFromEnvironment(const std::function<const char *(const char *)> &get = {});

// Whether this build has c10d (a CMake option, on where LibTorch's c10d and gloo's headers
// are found).
bool distributedBuild();
// Joins the process group of a launch: Gloo for "cpu", NCCL for CUDA (its LOCAL_RANK
// device). Collectives time out after `timeout`. Throws Error when the build has no
// c10d, NCCL is missing for CUDA, or the store cannot be reached.
std::shared_ptr<Communicator> joinProcessGroup(const LaunchInfo &launch, const std::string &device, std::chrono::milliseconds timeout);
// FUSELAB_DISTRIBUTED_TIMEOUT (seconds), else 30 minutes.
std::chrono::milliseconds distributedTimeout(const std::function<const char *(const char *)> &get = {});

} // namespace fuselab
