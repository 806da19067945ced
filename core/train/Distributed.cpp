// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Distributed.h"

#include "core/util/Error.h"

#include <cstdlib>
#include <cstring>

#ifdef FUSELAB_WITH_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef FUSELAB_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef FUSELAB_WITH_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace fuselab {

namespace {

const char *systemEnv(const char *name) { return std::getenv(name); }

int intVar(const std::function<const char *(const char *)> &get, const char *name, int fallback, bool required)
{
    const char *v = get(name);
    if (!v || !*v) {
        if (required)
            throw Error(Message(FL_TR("Distributed", "distributed launch: %1 is not set"), name));
        return fallback;
    }
    char *end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end || n < 0 || n > 1000000)
        throw Error(Message(FL_TR("Distributed", "distributed launch: %1 is \"%2\", not a number"), name, v));
    return static_cast<int>(n);
}

} // namespace

LaunchInfo launchFromEnvironment(const std::function<const char *(const char *)> &getter)
{
    const auto get = getter ? getter : std::function<const char *(const char *)>(systemEnv);
    LaunchInfo l;
    // FUSELAB_DISTRIBUTED=1 joins a process group of one too (to check the path on one GPU).
    const bool forced = get("FUSELAB_DISTRIBUTED") && std::string(get("FUSELAB_DISTRIBUTED")) == "1";
    if (get("WORLD_SIZE") && *get("WORLD_SIZE")) {
        l.worldSize = intVar(get, "WORLD_SIZE", 1, true);
        if (l.worldSize < 1 || (l.worldSize == 1 && !forced))
            return l;
        l.rank = intVar(get, "RANK", 0, true);
        l.localRank = intVar(get, "LOCAL_RANK", 0, false);
        l.launcher = get("TORCHELASTIC_RUN_ID") ? "torchrun" : "environment";
    } else if (get("SLURM_NTASKS") && *get("SLURM_NTASKS")) {
        l.worldSize = intVar(get, "SLURM_NTASKS", 1, true);
        if (l.worldSize <= 1)
            return l;
        l.rank = intVar(get, "SLURM_PROCID", 0, true);
        l.localRank = intVar(get, "SLURM_LOCALID", 0, false);
        l.launcher = "slurm";
    } else {
        return l;
    }
    if (l.rank >= l.worldSize)
        throw Error(Message(FL_TR("Distributed", "distributed launch: rank %1 is not below the world size %2"), std::to_string(l.rank),
                            std::to_string(l.worldSize)));
    const char *addr = get("MASTER_ADDR");
    if (!addr || !*addr)
        throw Error(Message(FL_TR("Distributed", "distributed launch: MASTER_ADDR is not set (the host of rank 0; under SLURM: "
                                                 "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1))")));
    l.masterAddr = addr;
    l.masterPort = intVar(get, "MASTER_PORT", 29500, l.launcher != "slurm");
    if (l.masterPort <= 0 || l.masterPort > 65535)
        throw Error(Message(FL_TR("Distributed", "distributed launch: MASTER_PORT %1 is not a port"), std::to_string(l.masterPort)));
    const char *agent = get("TORCHELASTIC_USE_AGENT_STORE");
    l.agentStore = agent && std::string(agent) == "True";
    if (l.agentStore)
        l.storePrefix = "/worker/attempt_" + std::to_string(intVar(get, "TORCHELASTIC_RESTART_COUNT", 0, false));
    l.distributed = true;
    return l;
}

std::chrono::milliseconds distributedTimeout(const std::function<const char *(const char *)> &getter)
{
    const auto get = getter ? getter : std::function<const char *(const char *)>(systemEnv);
    const char *v = get("FUSELAB_DISTRIBUTED_TIMEOUT");
    if (!v || !*v)
        return std::chrono::minutes(30);
    char *end = nullptr;
    const double s = std::strtod(v, &end);
    if (*end || !(s > 0))
        throw Error(Message(FL_TR("Distributed", "FUSELAB_DISTRIBUTED_TIMEOUT is \"%1\", not a number of seconds"), v));
    return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
}

std::vector<std::int64_t> shardRows(const std::vector<std::int64_t> &rows, int rank, int size)
{
    if (size <= 1 || rows.empty())
        return rows;
    const auto n = static_cast<std::int64_t>(rows.size());
    const std::int64_t total = (n + size - 1) / size * size;
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(total / size));
    for (std::int64_t i = rank; i < total; i += size)
        out.push_back(rows[static_cast<std::size_t>(i % n)]);
    return out;
}

torch::Tensor unshard(const torch::Tensor &gathered, std::int64_t count)
{
    // [size, per, ...] → [per, size, ...] → rows in order, padding cut
    std::vector<std::int64_t> shape = gathered.sizes().vec();
    const std::int64_t size = shape[0], per = shape[1];
    shape.erase(shape.begin());
    shape[0] = size * per;
    return gathered.transpose(0, 1).contiguous().view(shape).narrow(0, 0, count);
}

namespace {

// Buckets of tensors (same dtype) of about `bytes` each.
std::vector<std::vector<torch::Tensor>> buckets(const std::vector<torch::Tensor> &ts, std::int64_t bytes)
{
    std::vector<std::vector<torch::Tensor>> out;
    std::int64_t size = 0;
    for (const torch::Tensor &t : ts) {
        if (out.empty() || size + t.nbytes() > static_cast<std::size_t>(bytes) || out.back().front().scalar_type() != t.scalar_type()) {
            out.emplace_back();
            size = 0;
        }
        out.back().push_back(t);
        size += static_cast<std::int64_t>(t.nbytes());
    }
    return out;
}

} // namespace

void broadcastModule(Communicator &comm, torch::nn::Module &module, bool parameters, std::int64_t bucketBytes)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> all;
    if (parameters)
        for (const auto &p : module.parameters())
            all.push_back(p);
    for (const auto &b : module.buffers())
        all.push_back(b);
    for (auto &bucket : buckets(all, bucketBytes)) {
        std::vector<torch::Tensor> flat;
        for (const auto &t : bucket)
            flat.push_back(t.reshape({-1}));
        torch::Tensor joined = torch::cat(flat);
        comm.broadcast(joined, 0);
        std::int64_t at = 0;
        for (auto &t : bucket) {
            t.copy_(joined.narrow(0, at, t.numel()).view_as(t));
            at += t.numel();
        }
    }
}

double parameterDisagreement(Communicator &comm, torch::nn::Module &module)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> sums;
    for (const auto &p : module.parameters()) {
        const torch::Tensor d = p.detach().to(torch::kDouble);
        sums.push_back(d.sum().reshape({1}));
        sums.push_back(d.pow(2).sum().reshape({1}));
    }
    if (sums.empty())
        return 0;
    const torch::Tensor mine = torch::cat(sums);
    const torch::Tensor all = comm.allGather(mine).to(torch::kCPU);
    return (all - all[0]).abs().max().item<double>();
}

void allReduceGradients(Communicator &comm, const std::vector<torch::Tensor> &params, bool &stop, std::int64_t bucketBytes)
{
    torch::NoGradGuard noGrad;
    // Which parameters have a gradient on each rank, and the stop flag: one small collective.
    const auto n = static_cast<std::int64_t>(params.size());
    torch::Tensor flags = torch::zeros({n + 1}, torch::kFloat);
    auto *f = flags.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i)
        f[i] = params[static_cast<std::size_t>(i)].grad().defined() ? 1.0f : 0.0f;
    f[n] = stop ? 1.0f : 0.0f;
    const torch::Device device = params.empty() ? torch::Device(torch::kCPU) : params[0].device();
    torch::Tensor onDevice = flags.to(device);
    comm.allReduceSum(onDevice);
    flags = onDevice.to(torch::kCPU);
    f = flags.data_ptr<float>();
    stop = f[n] > 0;
    std::vector<torch::Tensor> grads;
    std::vector<std::size_t> owners;
    for (std::int64_t i = 0; i < n; ++i) {
        if (f[i] == 0)
            continue; // no rank has one
        torch::Tensor p = params[static_cast<std::size_t>(i)];
        if (!p.grad().defined())
            p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
        owners.push_back(static_cast<std::size_t>(i));
    }
    const double scale = 1.0 / comm.size();
    for (auto &bucket : buckets(grads, bucketBytes)) {
        std::vector<torch::Tensor> flat;
        for (const auto &g : bucket)
            flat.push_back(g.reshape({-1}));
        torch::Tensor joined = torch::cat(flat);
        comm.allReduceSum(joined);
        joined.mul_(scale);
        std::int64_t at = 0;
        for (auto &g : bucket) {
            g.copy_(joined.narrow(0, at, g.numel()).view_as(g));
            at += g.numel();
        }
    }
}

#ifdef FUSELAB_WITH_C10D

namespace {

class ProcessGroupCommunicator final : public Communicator {
public:
#ifdef FUSELAB_WITH_GLOO
    ProcessGroupCommunicator(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo, int rank, int size)
        : m_store(std::move(store)), m_gloo(std::move(gloo)), m_rank(rank), m_size(size)
    {
    }
#endif
#ifdef FUSELAB_WITH_NCCL
    ProcessGroupCommunicator(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl, int rank, int size)
        : m_store(std::move(store)), m_nccl(std::move(nccl)), m_rank(rank), m_size(size)
    {
    }
#endif
    int rank() const override { return m_rank; }
    int size() const override { return m_size; }

    void allReduceSum(torch::Tensor &t) override
    {
        run("all-reduce", [&](auto &pg) {
            std::vector<at::Tensor> v = {t};
            pg.allreduce(v)->wait();
        });
    }
    void broadcast(torch::Tensor &t, int root) override
    {
        run("broadcast", [&](auto &pg) {
            std::vector<at::Tensor> v = {t};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            pg.broadcast(v, o)->wait();
        });
    }
    torch::Tensor allGather(const torch::Tensor &t) override
    {
        std::vector<std::vector<at::Tensor>> out(1);
        for (int r = 0; r < m_size; ++r)
            out[0].push_back(torch::empty_like(t));
        run("all-gather", [&](auto &pg) {
            std::vector<at::Tensor> in = {t.contiguous()};
            pg.allgather(out, in)->wait();
        });
        return torch::stack(out[0]);
    }
    void barrier() override
    {
        run("barrier", [&](auto &pg) { pg.barrier()->wait(); });
    }
    bool agree(bool ok) override
    {
        torch::Tensor flag = torch::full({1}, ok ? 0.0f : 1.0f).to(m_device);
        allReduceSum(flag);
        return flag.to(torch::kCPU).item<float>() == 0;
    }
    std::string broadcastText(const std::string &text, int root) override
    {
        torch::Tensor length = torch::full({1}, static_cast<std::int64_t>(text.size()), torch::kLong).to(m_device);
        broadcast(length, root);
        const std::int64_t n = length.to(torch::kCPU).item<std::int64_t>();
        torch::Tensor bytes = torch::zeros({std::max<std::int64_t>(n, 1)}, torch::kUInt8);
        if (rank() == root)
            std::memcpy(bytes.data_ptr(), text.data(), text.size());
        bytes = bytes.to(m_device);
        broadcast(bytes, root);
        bytes = bytes.to(torch::kCPU).contiguous();
        return std::string(static_cast<const char *>(bytes.data_ptr()), static_cast<std::size_t>(n));
    }
    torch::Device m_device = torch::kCPU;

private:
    template <typename F>
    void run(const char *what, F f)
    {
        try {
#ifdef FUSELAB_WITH_NCCL
            if (m_nccl) {
                f(*m_nccl);
                return;
            }
#endif
#ifdef FUSELAB_WITH_GLOO
            f(*m_gloo);
#endif
        } catch (const std::exception &x) {
            std::string why = x.what();
            if (const auto *c = dynamic_cast<const c10::Error *>(&x))
                why = c->what_without_backtrace();
            if (why.size() > 400)
                why = why.substr(0, 400) + "…";
            throw Error(Message(FL_TR("Distributed", "distributed training stopped on rank %1 of %2: the %3 with the other ranks failed (%4); "
                                                     "another rank has probably failed or stopped: see its output"),
                                std::to_string(m_rank), std::to_string(m_size), what, why));
        }
    }

    c10::intrusive_ptr<c10d::Store> m_store;
#ifdef FUSELAB_WITH_GLOO
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_gloo;
#endif
#ifdef FUSELAB_WITH_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> m_nccl;
#endif
    int m_rank, m_size;
};

} // namespace

bool distributedBuild() { return true; }

std::shared_ptr<Communicator> joinProcessGroup(const LaunchInfo &l, const std::string &device, std::chrono::milliseconds timeout)
{
    c10::intrusive_ptr<c10d::Store> store;
    try {
        c10d::TCPStoreOptions o;
        o.port = static_cast<std::uint16_t>(l.masterPort);
        o.isServer = l.rank == 0 && !l.agentStore;
        o.numWorkers = l.worldSize;
        o.timeout = timeout;
        auto tcp = c10::make_intrusive<c10d::TCPStore>(l.masterAddr, o);
        if (l.storePrefix.empty())
            store = tcp;
        else
            store = c10::make_intrusive<c10d::PrefixStore>(l.storePrefix, tcp);
    } catch (const std::exception &x) {
        throw Error(Message(FL_TR("Distributed", "rank %1 could not reach the rendezvous store at %2:%3: %4"), std::to_string(l.rank), l.masterAddr,
                            std::to_string(l.masterPort), std::string(x.what()).substr(0, 300)));
    }
    const bool cuda = device.rfind("cuda", 0) == 0;
    if (cuda) {
#ifdef FUSELAB_WITH_NCCL
        // LibTorch enforces NCCL's timeout only with asynchronous error handling on (torchrun
        // sets it, srun does not); the 2.x name first.
        ::setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1", 0);
        ::setenv("NCCL_ASYNC_ERROR_HANDLING", "1", 0);
        const torch::Device gpu(device);
        c10::cuda::set_device(gpu.has_index() ? gpu.index() : 0);
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = timeout;
        auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, l.rank, l.worldSize, opts);
        auto comm = std::make_shared<ProcessGroupCommunicator>(store, pg, l.rank, l.worldSize);
        comm->m_device = gpu;
        return comm;
#else
        throw Error(Message(FL_TR("Distributed", "this FuseLab was built without NCCL, which distributed training on CUDA needs "
                                                 "(rebuild where nccl.h is found, or train the ranks on the CPU)")));
#endif
    }
#ifndef FUSELAB_WITH_GLOO
    throw Error(Message(FL_TR("Distributed", "this FuseLab was built without Gloo, which distributed training on the CPU needs (its "
                                             "headers were not found when it was built); train the ranks on CUDA")));
#else
    auto opts = c10d::ProcessGroupGloo::Options::create();
    opts->timeout = timeout;
    if (const char *iface = std::getenv("GLOO_SOCKET_IFNAME"); iface && *iface)
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
    else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    try {
        auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, l.rank, l.worldSize, opts);
        return std::make_shared<ProcessGroupCommunicator>(store, pg, l.rank, l.worldSize);
    } catch (const std::exception &x) {
        throw Error(Message(FL_TR("Distributed", "rank %1 could not join the process group: %2"), std::to_string(l.rank),
                            std::string(x.what()).substr(0, 300)));
    }
#endif
}

#else

bool distributedBuild() { return false; }

std::shared_ptr<Communicator> joinProcessGroup(const LaunchInfo &, const std::string &, std::chrono::milliseconds)
{
    throw Error(Message(FL_TR("Distributed", "this FuseLab was built without distributed training (LibTorch's c10d and gloo's headers were "
                                             "not found when it was built; see docs/distributed.md)")));
}

#endif

} // namespace fuselab
