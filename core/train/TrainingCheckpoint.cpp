// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/TrainingCheckpoint.h"

#include "core/util/FileIO.h"

#include <cmath>
#include <sstream>

namespace fuselab {

namespace {
// The keys (docs/formats.md, "Checkpoints"): one spelling for the writer and the reader.
constexpr const char *kOptimizer = "optimizer", *kEpoch = "epoch", *kNextStep = "next_step", *kWorldSize = "world_size",
                     *kGradScale = "grad_scale", *kGradScaleGoodSteps = "grad_scale_good_steps", *kPartialLoss = "partial_loss",
                     *kPartialSeen = "partial_seen", *kBest = "best", *kBestLoss = "best_loss", *kBestEpoch = "best_epoch",
                     *kSinceBest = "since_best", *kExperiment = "experiment", *kRngState = "rng_state", *kEpochRow = "epoch_row";
} // namespace

void saveTrainingCheckpoint(const std::string &path, torch::nn::Module &model, torch::optim::Optimizer &optimizer,
                            const TrainingState &s)
{
    torch::serialize::OutputArchive archive;
    model.save(archive);
    torch::serialize::OutputArchive opt;
    optimizer.save(opt);
    archive.write(kOptimizer, opt);
    archive.write(kEpoch, c10::IValue(static_cast<std::int64_t>(s.at.epoch)));
    archive.write(kNextStep, c10::IValue(s.at.nextStep));
    archive.write(kWorldSize, c10::IValue(s.worldSize));
    archive.write(kGradScale, c10::IValue(s.gradScale.value_or(1.0)));
    archive.write(kGradScaleGoodSteps, c10::IValue(static_cast<std::int64_t>(s.gradScaleGoodSteps)));
    archive.write(kPartialLoss, c10::IValue(s.at.partialLoss));
    archive.write(kPartialSeen, c10::IValue(s.at.partialSeen));
    archive.write(kBest, c10::IValue(s.tracker.best));
    archive.write(kBestLoss, c10::IValue(s.tracker.bestLoss));
    archive.write(kBestEpoch, c10::IValue(static_cast<std::int64_t>(s.tracker.bestEpoch)));
    archive.write(kSinceBest, c10::IValue(static_cast<std::int64_t>(s.tracker.sinceBest)));
    archive.write(kExperiment, c10::IValue(s.experiment));
    if (s.rngState)
        archive.write(kRngState, *s.rngState);
    if (!s.epochRow.empty())
        archive.write(kEpochRow, c10::IValue(s.epochRow));
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomically(path, bytes.str());
}

TrainingState readTrainingState(torch::serialize::InputArchive &archive, torch::optim::Optimizer *optimizer)
{
    TrainingState s;
    c10::IValue v;
    if (optimizer) {
        torch::serialize::InputArchive opt;
        archive.read(kOptimizer, opt);
        optimizer->load(opt);
    }
    archive.read(kEpoch, v);
    s.at.epoch = static_cast<int>(v.toInt());
    if (archive.try_read(kNextStep, v))
        s.at.nextStep = v.toInt();
    if (archive.try_read(kPartialLoss, v))
        s.at.partialLoss = v.toDouble();
    if (archive.try_read(kPartialSeen, v))
        s.at.partialSeen = v.toInt();
    s.worldSize = archive.try_read(kWorldSize, v) ? v.toInt() : 1;
    if (archive.try_read(kGradScale, v)) {
        c10::IValue good;
        archive.read(kGradScaleGoodSteps, good);
        s.gradScale = v.toDouble();
        s.gradScaleGoodSteps = static_cast<int>(good.toInt());
    }
    archive.read(kBest, v);
    s.tracker.best = v.toDouble();
    if (archive.try_read(kBestLoss, v))
        s.tracker.bestLoss = v.toDouble();
    archive.read(kSinceBest, v);
    s.tracker.sinceBest = static_cast<int>(v.toInt());
    s.tracker.bestEpoch = archive.try_read(kBestEpoch, v) ? static_cast<int>(v.toInt()) : (s.tracker.sinceBest == 0 ? s.at.epoch : 0);
    if (std::isinf(s.tracker.best) && s.tracker.bestEpoch == 0)
        s.tracker.best = NAN; // checkpoints before best_epoch stored +-inf for "none yet"
    if (archive.try_read(kExperiment, v))
        s.experiment = v.toStringRef();
    torch::Tensor state;
    if (archive.try_read(kRngState, state))
        s.rngState = state.to(torch::kCPU);
    if (archive.try_read(kEpochRow, v))
        s.epochRow = v.toStringRef();
    return s;
}

} // namespace fuselab
