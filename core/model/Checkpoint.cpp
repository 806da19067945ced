// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/Checkpoint.h"

#include "core/document/Experiment.h"
#include "core/util/ArchiveCheck.h"
#include "core/util/Error.h"

namespace fuselab {

namespace {

torch::serialize::InputArchive readArchive(const std::string &path, const torch::Device &device)
{
    // The archive's structure first: LibTorch's reader trusts its offsets and sizes.
    if (const std::string problem = archiveFileProblem(path); !problem.empty())
        throw Error(Message(FL_TR("Trainer", "%1 is not a usable checkpoint: %2"), path, problem));
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path, device);
    } catch (const c10::Error &e) {
        throw Error(Message(FL_TR("Trainer", "%1: unreadable checkpoint (%2)"), path,
                            std::string(e.what_without_backtrace()).substr(0, 200)));
    }
    return archive;
}

// Every parameter and buffer of `module` is in the archive with the same shape (LibTorch's
// Module::load would silently take the checkpoint's shapes: a model for another class count
// or graph would then fail later, obscurely).
void checkShapes(torch::nn::Module &module, torch::serialize::InputArchive &archive, const std::string &prefix, const std::string &path)
{
    auto check = [&](const std::string &key, const torch::Tensor &mine) {
        torch::Tensor saved;
        bool found = false;
        try {
            found = archive.try_read(key, saved);
        } catch (const c10::Error &) {
        }
        if (!found)
            throw Error(Message(FL_TR("Trainer", "%1 was saved for another model: it has no %2 (was the graph changed?)"), path, prefix + key));
        if (saved.sizes() != mine.sizes()) {
            auto shape = [](const torch::Tensor &t) {
                std::string s = "[";
                for (std::int64_t i = 0; i < t.dim(); ++i)
                    s += (i ? ", " : "") + std::to_string(t.size(i));
                return s + "]";
            };
            throw Error(Message(FL_TR("Trainer", "%1 was saved for another model: %2 is %3 there and %4 here (another class count, input size or graph)"),
                                path, prefix + key, shape(saved), shape(mine)));
        }
    };
    for (const auto &p : module.named_parameters(false))
        check(p.key(), p.value());
    for (const auto &b : module.named_buffers(false))
        check(b.key(), b.value());
    for (const auto &c : module.named_children()) {
        if (!c.value()->is_serializable())
            continue;
        torch::serialize::InputArchive child;
        bool found = false;
        try {
            found = archive.try_read(c.key(), child);
        } catch (const c10::Error &) {
        }
        if (!found)
            throw Error(Message(FL_TR("Trainer", "%1 was saved for another model: it has no %2 (was the graph changed?)"), path, prefix + c.key()));
        checkShapes(*c.value(), child, prefix + c.key() + ".", path);
    }
}

} // namespace

torch::serialize::InputArchive loadCheckpoint(torch::nn::Module &model, const std::string &checkpoint, const torch::Device &device)
{
    torch::serialize::InputArchive archive = readArchive(checkpoint, device);
    checkShapes(model, archive, "", checkpoint);
    model.load(archive);
    return archive;
}

FusionModel loadTrainedModel(const Experiment &experiment, const std::string &experimentDir, const std::string &checkpoint,
                             const torch::Device &device)
{
    FusionModel model(experiment.graph, inferContext(experiment, experimentDir));
    loadCheckpoint(*model, checkpoint, device);
    model->to(device);
    model->setChannelsLast(device.is_cpu());
    return model;
}

} // namespace fuselab
