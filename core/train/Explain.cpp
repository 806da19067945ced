// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Explain.h"

#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/train/Trainer.h"
#include "core/util/Error.h"

#include <filesystem>
#include <map>

namespace fuselab {

namespace {

class Recorder final : public ActivationTap {
public:
    void record(const torch::nn::Module *block, const torch::Tensor &featureMap) override
    {
        torch::Tensor f = featureMap;
        if (f.requires_grad())
            f.retain_grad();
        maps[block] = f;
    }
    std::map<const torch::nn::Module *, torch::Tensor> maps;
};

// The dataset column an encoder reads, through the graph's edges.
int columnOf(const FusionModel &model, const std::string &node)
{
    std::map<std::string, const FusionModelImpl::Step *> byNode;
    for (const auto &s : model->steps())
        byNode[s.node] = &s;
    std::string at = node;
    for (int hops = 0; hops < 64; ++hops) {
        const auto *s = byNode.at(at);
        if (s->column >= 0)
            return s->column;
        if (s->sources.empty() || s->sources[0].empty())
            return -1;
        at = s->sources[0][0].first;
    }
    return -1;
}

} // namespace

std::vector<GradCamMap> gradCam(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, int target)
{
    model->eval();
    Recorder recorder;
    setActivationTap(&recorder);
    torch::Tensor logits;
    try {
        logits = model->forward(inputs, present).logits;
    } catch (...) {
        setActivationTap(nullptr);
        throw;
    }
    setActivationTap(nullptr);
    if (target < 0 || target >= logits.size(1))
        throw Error(Message::plain("Grad-CAM: class " + std::to_string(target) + " is not one of the model's"));
    std::vector<GradCamMap> out;
    if (recorder.maps.empty())
        return out;
    model->zero_grad();
    logits[0][target].backward();
    for (const auto &s : model->steps()) {
        const auto it = recorder.maps.find(s.module.get());
        if (it == recorder.maps.end() || !it->second.grad().defined())
            continue;
        torch::NoGradGuard noGrad;
        const torch::Tensor A = it->second.detach(), G = it->second.grad();
        const torch::Tensor weights = G.mean({2, 3}, true);               // [1, C, 1, 1]
        torch::Tensor cam = torch::relu((weights * A).sum(1, true));       // [1, 1, h, w]
        const int column = columnOf(model, s.node);
        std::int64_t H = cam.size(2), W = cam.size(3);
        if (column >= 0 && inputs.at(static_cast<std::size_t>(column)).dim() == 4) {
            H = inputs[static_cast<std::size_t>(column)].size(2);
            W = inputs[static_cast<std::size_t>(column)].size(3);
            cam = torch::nn::functional::interpolate(
                cam, torch::nn::functional::InterpolateFuncOptions().size(std::vector<std::int64_t>{H, W}).mode(torch::kBilinear).align_corners(false));
        }
        const double top = cam.max().item<double>();
        if (top > 0)
            cam = cam / top;
        GradCamMap m;
        m.node = s.node;
        m.column = column;
        m.height = static_cast<int>(H);
        m.width = static_cast<int>(W);
        const torch::Tensor flat = cam.reshape({-1}).to(torch::kFloat).contiguous();
        m.values.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
        out.push_back(std::move(m));
    }
    model->zero_grad();
    return out;
}

SampleExplanation explainSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, int target, const std::string &device)
{
    const RunFolder run(runDir);
    const Experiment e = run.readExperiment();
    const RunRecord record = run.readRecord();
    const TensorCache cache = TensorCache::open(cacheDir);
    if (row < 0 || row >= cache.size())
        throw Error(Message::plain("row " + std::to_string(row) + " is not in the tensor cache " + cacheDir + " (it has " +
                                   std::to_string(cache.size()) + " rows)"));
    const torch::Device dev(Trainer::resolveDevice(device));
    if (!std::filesystem::exists(run.bestCheckpoint()))
        throw Error(Message(FL_TR("Services", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    FusionModel model = loadTrainedModel(e, record.experimentDir, run.bestCheckpoint(), dev);
    CacheBatch b = cache.batch({row});
    for (auto &x : b.inputs)
        x = x.to(dev);
    const torch::Tensor present = b.present.to(dev).to(torch::kFloat);
    SampleExplanation ex;
    ex.row = row;
    if (!cache.multiLabel())
        ex.label = static_cast<int>(b.labels[0].item<std::int64_t>());
    {
        torch::NoGradGuard noGrad;
        model->eval();
        const torch::Tensor p = torch::softmax(model->forward(b.inputs, present).logits.to(torch::kCPU).to(torch::kFloat), 1)[0].contiguous();
        ex.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
        ex.predicted = static_cast<int>(p.argmax().item<std::int64_t>());
    }
    ex.target = target >= 0 ? target : ex.predicted;
    ex.maps = gradCam(model, b.inputs, present, ex.target);
    return ex;
}

} // namespace fuselab
