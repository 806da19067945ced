// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The steps of one training run (prepare, train one epoch, validate, end the epoch, test),
// behind Trainer::run, which attaches the run folder's logs and reports failures.
#include "core/cache/TensorCache.h"
#include "core/model/FusionModel.h"
#include "core/train/BestEpochTracker.h"
#include "core/train/ClassBalance.h"
#include "core/train/Evaluation.h"
#include "core/train/Launch.h"
#include "core/train/LearningRateSchedule.h"
#include "core/train/MixedPrecision.h"
#include "core/train/RunLogs.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingCheckpoint.h"

#include <torch/torch.h>

#include <chrono>
#include <optional>
#include <thread>

namespace fuselab {

// Holds the run between batches while the observer pauses it (telling it the phase), and
// throws Cancelled when it stops it.
class PhaseControl {
public:
    explicit PhaseControl(TrainingObserver &obs) : m_obs(obs) {}
    void enter(TrainingPhase p)
    {
        if (p == m_phase)
            return;
        m_phase = p;
        m_obs.phaseChanged(p);
    }
    TrainingPhase phase() const { return m_phase; }
    // Between two batches.
    void between()
    {
        if (m_obs.isPaused() && !m_obs.isCancelled()) {
            const TrainingPhase was = m_phase;
            enter(TrainingPhase::Paused);
            while (m_obs.isPaused() && !m_obs.isCancelled())
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            enter(was);
        }
        if (m_obs.isCancelled())
            throw Cancelled();
    }

private:
    TrainingObserver &m_obs;
    TrainingPhase m_phase = TrainingPhase::Paused; // none yet: the first enter() always reports
};

// Sets LibTorch's intra-op thread count for a run and puts the caller's back afterwards.
class ThreadCountGuard {
public:
    explicit ThreadCountGuard(int threads) : m_saved(torch::get_num_threads())
    {
        if (threads != m_saved)
            torch::set_num_threads(threads);
    }
    ~ThreadCountGuard()
    {
        if (torch::get_num_threads() != m_saved)
            torch::set_num_threads(m_saved);
    }

private:
    int m_saved;
};


// One run of the trainer. What the epochs share is its state; what a run does is its
// steps, in the order Trainer::run calls them, as PyTorch's reference examples read:
// prepare, then for each epoch trainOneEpoch and validate, then test.
class TrainingRun {
public:
    TrainingRun(const Experiment &experiment, const TrainerOptions &options, ObserverChain &obs, EventLog &events,
                MetricsTable &metrics)
        : m_experiment(experiment), t(experiment.training), m_options(options), m_obs(obs), m_events(events), m_metrics(metrics),
          m_folder(options.runDir), m_comm(options.comm.get()), m_rank(m_comm ? m_comm->rank() : 0), m_world(m_comm ? m_comm->size() : 1),
          m_writer(m_rank == 0), m_device(Trainer::resolveDevice(options.device.value_or(experiment.training.device))), m_phase(obs)
    {
    }

    // Threads, the run folder, the data, the model and its optimizer; a resume's state.
    void prepare();
    // The RunPlan, to every observer.
    void announce();
    int firstEpoch() const { return m_at.epoch + 1; }
    int lastEpoch() const { return t.epochs; }
    // Trains epoch `epoch` from where the run is; false when the user stopped it (then a
    // checkpoint of exactly where it stopped is saved).
    bool trainOneEpoch(int epoch);
    // Validates the epoch just trained and offers it to the best-epoch tracker; false when stopped.
    bool validate(int epoch, EpochResult &r);
    // The epoch's checkpoints, then its logs and the caller hear of it; true when early
    // stopping ends the run here.
    bool endEpoch(EpochResult &r);
    // The best weights on val and test (unless stopped), the predictions, the report.
    TrainingReport finish();

    void note(nlohmann::json e)
    {
        if (m_writer)
            m_events.note(std::move(e));
    }

private:
    void startFolder();
    void selectTrainRows();
    void buildModel();
    void resumeFromCheckpoint();
    void saveCheckpoint(const std::string &path, const RunPosition &p, bool withRng, const std::string &epochRow = {});
    TrainingState loadWeights(const std::string &path, torch::optim::Optimizer *withOptimizer = nullptr);
    void stopHere(const RunPosition &p);
    std::vector<std::int64_t> epochOrder(int epoch) const;
    // The losses summed since the last flush, checked: NaN or infinity stops the run.
    void flushLoss(int epoch, std::int64_t upTo);

    const Experiment &m_experiment;
    const TrainingSettings &t;
    const TrainerOptions &m_options;
    ObserverChain &m_obs;
    EventLog &m_events;
    MetricsTable &m_metrics;
    const RunFolder m_folder;
    Communicator *m_comm; // a group of one (FUSELAB_DISTRIBUTED=1) runs the collectives too
    const int m_rank, m_world;
    const bool m_writer; // rank 0 alone writes the run folder
    const torch::Device m_device;
    PhaseControl m_phase;
    std::optional<ThreadCountGuard> m_threads;
    const std::chrono::steady_clock::time_point m_runStart = std::chrono::steady_clock::now();

    // Data.
    std::optional<TensorCache> m_cache;
    std::vector<std::int64_t> m_trainRows, m_valRows, m_testRows;
    int m_classes = 0;
    bool m_multi = false;
    std::optional<BlockModule::RegressionOutput> m_regression; // the model predicts a number
    class SequenceHead *m_sequence = nullptr;                   // the model produces a text (owned by the model)
    std::optional<ClassBalance> m_balance;
    torch::Tensor m_classWeights;
    // Model and optimisation.
    std::optional<FusionModel> m_model;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::vector<torch::Tensor> m_parameters;
    torch::ScalarType m_amp = torch::kFloat;
    std::optional<GradScaler> m_scaler;
    std::int64_t m_batchSize = 0, m_stepsPerEpoch = 0;
    std::optional<LearningRateSchedule> m_schedule;
    std::optional<BestEpochTracker> m_tracker;
    bool m_haveVal = false;
    // Where the run is.
    RunPosition m_at;
    std::optional<torch::Tensor> m_rngState; // the generator's state at a mid-epoch checkpoint
    bool m_stopped = false;
    std::string m_earlyStop;
    int m_bestInMemory = 0; // the epoch whose weights are in memory, when it is the best
    Evaluation m_bestVal;
    // The epoch in progress.
    std::chrono::steady_clock::time_point m_epochStart;
    std::int64_t m_firstStep = 0;
    double m_lossSum = 0;
    std::int64_t m_seen = 0;
    torch::Tensor m_pendingLoss, m_pendingFinite;
    std::int64_t m_pendingSeen = 0, m_pendingFrom = -1;
};

// Trains as Trainer documents; `obs` carries the logs (rank 0) and then the caller.
TrainingReport trainRun(const Experiment &experiment, const TrainerOptions &options, ObserverChain &obs, EventLog &events,
                        MetricsTable &metrics);

} // namespace fuselab
