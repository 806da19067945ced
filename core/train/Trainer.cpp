// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Trainer.h"
#include "core/train/TrainingRun.h"

#include "core/util/ArchiveCheck.h"

#include "core/train/Distributed.h"
#include "core/model/Checkpoint.h"
#include "core/train/MixedPrecision.h"
#include "core/train/BatchLoader.h"
#include "core/train/Evaluation.h"
#include "core/train/RunLogs.h"
#include "core/train/TrainingCheckpoint.h"

#include "core/formats/Safetensors.h"
#ifdef FUSELAB_WITH_INGEST
#endif

#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/train/BestEpochTracker.h"
#include "core/train/ClassBalance.h"
#include "core/train/LearningRateSchedule.h"
#include "core/train/TrainingSteps.h"
#include "core/model/FusionModel.h"
#include "core/model/ModalityDropout.h"
#include "core/util/FileIO.h"
#include "core/util/Random.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <random>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace fuselab {


std::string Trainer::rankDevice(const LaunchInfo &launch, const std::string &requested)
{
    std::string device = resolveDevice(requested);
    if (device.rfind("cuda", 0) == 0) {
        const int gpus = static_cast<int>(availableDevices().size()) - 1;
        device = "cuda:" + std::to_string(gpus > 0 ? launch.localRank % gpus : 0);
    }
    return device;
}

std::string Trainer::resolveDevice(const std::string &requested)
{
    if (requested == "cpu")
        return "cpu";
    const bool cuda = torch::cuda::is_available();
    if (requested == "cuda" || requested.rfind("cuda:", 0) == 0) {
        if (!isDeviceName(requested))
            throw Error(Message(FL_TR("Trainer", "device must be auto, cpu, cuda or cuda:N, not \"%1\""), requested));
        if (!cuda)
            throw Error(Message(FL_TR("Trainer", "device \"%1\" was requested, but this LibTorch build has no CUDA support or no GPU "
                                                 "is visible; choose the CPU or auto"),
                                requested));
        if (requested.size() > 5 && std::stoi(requested.substr(5)) >= static_cast<int>(torch::cuda::device_count()))
            throw Error(Message(FL_TR("Trainer", "device \"%1\" was requested, but this machine has %2 GPU(s)"), requested,
                                std::to_string(torch::cuda::device_count())));
        return requested;
    }
    if (requested != "auto")
        throw Error(Message(FL_TR("Trainer", "device must be auto, cpu, cuda or cuda:N, not \"%1\""), requested));
    return cuda ? "cuda" : "cpu";
}

std::vector<std::string> Trainer::availableDevices()
{
    std::vector<std::string> devices = {"cpu"};
    if (torch::cuda::is_available())
        for (std::size_t i = 0; i < torch::cuda::device_count(); ++i)
            devices.push_back("cuda:" + std::to_string(i));
    return devices;
}

Trainer::Trainer(Experiment experiment, TrainerOptions options) : m_experiment(std::move(experiment)), m_options(std::move(options)) {}


TrainingReport Trainer::run(TrainingObserver *observer)
{
    TrainingObserver silent;
    ObserverChain obs(observer ? *observer : silent);
    const RunFolder folder(m_options.runDir);
    // The run folder's logs hear the same events as the caller, on the rank that writes it.
    EventLog events(folder.eventsFile());
    MetricsTable metrics(folder.metricsFile(), m_experiment.dataset.effectiveTask());
    TensorBoardLog board(folder.dir(), {{"training", m_experiment.training.toJson()}, {"experiment", m_experiment.name}});
    ReportFile reportFile(folder.reportFile());
    if (!m_options.comm || m_options.comm->rank() == 0)
        for (TrainingObserver *sink : std::initializer_list<TrainingObserver *>{&events, &metrics, &board, &reportFile})
            obs.add(sink);
    try {
        return trainRun(m_experiment, m_options, obs, events, metrics);
    } catch (const std::exception &e) {
        const std::string message = e.what();
        obs.failed(message); // events.jsonl (if it can be written), then the caller
        if (dynamic_cast<const Error *>(&e))
            throw;
        throw Error(Message(FL_TR("Trainer", "training failed: %1"), message));
    }
}

} // namespace fuselab
