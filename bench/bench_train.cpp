// SPDX-License-Identifier: GPL-3.0-or-later
// Training throughput of the compute alone: forward + backward + Adam step on a fixed
// random batch, for the model of an experiment file. Compare with reference_train.py,
// which builds the same network in Python PyTorch (same LibTorch, threads and batch).
//   bench_train EXPERIMENT [steps] [threads]
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
    torch::set_num_threads(threads);
    torch::manual_seed(0);
    FusionModel model(e.graph, inferContext(e));
    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(e.training.learningRate));
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
    const torch::Tensor present = torch::ones({B, static_cast<std::int64_t>(columns.size())}, torch::kBool);
    const torch::Tensor labels = torch::randint(0, static_cast<std::int64_t>(e.dataset.classes.size()), {B}, torch::kLong);
    auto step = [&] {
        const auto out = model->forward(columns, present);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(out.logits, labels) + out.auxLoss;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    };
    for (int i = 0; i < 5; ++i)
        step(); // warm-up
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i)
        step();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("fuselab_train_compute %.1f samples/s (batch %lld, %d threads, %lld parameters)\n", steps * B / secs,
                static_cast<long long>(B), threads, static_cast<long long>(model->parameterCount()));
    return 0;
}
