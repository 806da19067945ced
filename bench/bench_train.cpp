// SPDX-License-Identifier: GPL-3.0-or-later
// Training throughput of the compute alone: forward + backward + Adam step on a fixed
// random batch, for the model of an experiment file. Compare with reference_train.py,
// which builds the same network in Python PyTorch (same LibTorch, threads and batch).
// The first steps' losses are printed so that CPU and CUDA runs can be compared.
//   bench_train EXPERIMENT [steps] [threads] [cpu|cuda] [contiguous]
#include "core/model/FusionModel.h"

#include <chrono>
#include <cstdio>

using namespace fuselab;

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_train EXPERIMENT [steps] [threads]\n");
        return 2;
    }
    const Experiment e = Experiment::load(argv[1]);
    const int steps = argc > 2 ? std::atoi(argv[2]) : 100;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const torch::Device device(argc > 4 ? argv[4] : "cpu");
    torch::set_num_threads(threads);
    torch::manual_seed(0);
    FusionModel model(e.graph, inferContext(e));
    model->train();
    const std::int64_t B = e.training.batchSize;
    std::vector<torch::Tensor> columns;
    const PreprocessSettings &p = e.preprocessing;
    for (const auto &m : e.dataset.modalities) {
        if (m.kind == Modality::Image)
            columns.push_back(torch::randn({B, p.image.channels, p.image.height, p.image.width}));
        else if (m.kind == Modality::Audio)
            columns.push_back(torch::randn({B, p.audio.mel.nMels, p.audio.mel.frames(p.audio.samples())}));
        else
            columns.push_back(torch::randint(1, 1000, {B, p.text.maxLength}, torch::kLong));
    }
    torch::Tensor present = torch::ones({B, static_cast<std::int64_t>(columns.size())}, torch::kBool);
    torch::Tensor labels = torch::randint(0, static_cast<std::int64_t>(e.dataset.classes.size()), {B}, torch::kLong);
    // Everything is created on the CPU from one seed, then moved: CPU and CUDA runs see the
    // same initial weights and data. Dropout is off so that their losses can be compared.
    model->to(device);
    // As the trainer does; a fifth argument "contiguous" keeps the default layout, to measure it.
    const bool contiguous = argc > 5 && std::string(argv[5]) == "contiguous";
    model->setChannelsLast(device.is_cpu() && !contiguous);
    for (auto &c : columns)
        c = c.to(device);
    present = present.to(device);
    labels = labels.to(device);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(e.training.learningRate));
    auto step = [&] {
        const auto out = model->forward(columns, present);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(out.logits, labels) + out.auxLoss;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<double>();
    };
    model->eval(); // deterministic first steps: batch norm in eval mode, no dropout
    for (int i = 0; i < 5; ++i)
        std::printf("step %d loss %.6f\n", i + 1, step());
    model->train();
    for (int i = 0; i < 5; ++i)
        step(); // warm-up
    if (device.is_cuda())
        torch::cuda::synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i)
        step(); // loss.item() synchronises every step, as a training loop that logs does
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("fuselab_train_compute %.1f samples/s (%s, batch %lld, %d threads, %lld parameters)\n", steps * B / secs,
                device.str().c_str(), static_cast<long long>(B), threads, static_cast<long long>(model->parameterCount()));
    return 0;
}
