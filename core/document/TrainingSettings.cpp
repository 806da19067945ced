// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/document/TrainingSettings.h"

#include <algorithm>

#include "core/util/JsonFields.h"

namespace fuselab {

bool isDeviceName(const std::string &d)
{
    if (d == "auto" || d == "cpu" || d == "cuda")
        return true;
    if (d.rfind("cuda:", 0) != 0 || d.size() == 5 || d.size() > 8)
        return false;
    return std::all_of(d.begin() + 5, d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

nlohmann::json TrainingSettings::toJson() const
{
    return {{"epochs", epochs}, {"batch_size", batchSize}, {"optimizer", optimizer}, {"learning_rate", learningRate},
            {"weight_decay", weightDecay}, {"momentum", momentum}, {"nesterov", nesterov}, {"schedule", schedule},
            {"warmup_epochs", warmupEpochs}, {"step_size", stepSize}, {"gamma", gamma}, {"grad_clip", gradClip},
            {"early_stopping", {{"metric", earlyStopMetric}, {"patience", patience}}},
            {"class_weights", classWeights}, {"weighted_sampler", weightedSampler},
            {"modality_dropout", modalityDropout}, {"device", device}, {"mixed_precision", mixedPrecision}, {"seed", seed}, {"threads", threads}};
}

namespace {
void check(bool ok, const std::string &field, const std::string &why)
{
    if (!ok)
        throw Error(field + ": " + why);
}
bool oneOf(const std::string &v, std::initializer_list<const char *> list)
{
    for (auto *s : list)
        if (v == s)
            return true;
    return false;
}
} // namespace

TrainingSettings TrainingSettings::fromJson(const nlohmann::json &j, const std::string &p)
{
    using json_fields::optional;
    json_fields::requireObject(j, p);
    TrainingSettings t;
    optional(j, "epochs", p, t.epochs);
    optional(j, "batch_size", p, t.batchSize);
    optional(j, "optimizer", p, t.optimizer);
    optional(j, "learning_rate", p, t.learningRate);
    optional(j, "weight_decay", p, t.weightDecay);
    optional(j, "momentum", p, t.momentum);
    optional(j, "nesterov", p, t.nesterov);
    optional(j, "schedule", p, t.schedule);
    optional(j, "warmup_epochs", p, t.warmupEpochs);
    optional(j, "step_size", p, t.stepSize);
    optional(j, "gamma", p, t.gamma);
    optional(j, "grad_clip", p, t.gradClip);
    if (j.contains("early_stopping")) {
        const auto &e = j["early_stopping"];
        json_fields::requireObject(e, p + ".early_stopping");
        optional(e, "metric", p + ".early_stopping", t.earlyStopMetric);
        optional(e, "patience", p + ".early_stopping", t.patience);
    }
    optional(j, "class_weights", p, t.classWeights);
    optional(j, "weighted_sampler", p, t.weightedSampler);
    optional(j, "modality_dropout", p, t.modalityDropout);
    optional(j, "device", p, t.device);
    optional(j, "mixed_precision", p, t.mixedPrecision);
    optional(j, "seed", p, t.seed);
    optional(j, "threads", p, t.threads);

    check(t.epochs >= 1 && t.epochs <= 100000, p + ".epochs", "must be 1 to 100000");
    check(t.batchSize >= 1 && t.batchSize <= 65536, p + ".batch_size", "must be 1 to 65536");
    check(oneOf(t.optimizer, {"sgd", "adam", "adamw"}), p + ".optimizer", "must be sgd, adam or adamw");
    check(t.learningRate > 0 && t.learningRate < 10, p + ".learning_rate", "must be in (0, 10)");
    check(t.weightDecay >= 0, p + ".weight_decay", "must be >= 0");
    check(t.momentum >= 0 && t.momentum < 1, p + ".momentum", "must be in [0, 1)");
    check(oneOf(t.schedule, {"constant", "step", "cosine"}), p + ".schedule", "must be constant, step or cosine");
    check(t.warmupEpochs >= 0 && t.warmupEpochs < t.epochs + 1, p + ".warmup_epochs", "must be 0 to epochs");
    check(t.stepSize >= 1, p + ".step_size", "must be >= 1");
    check(t.gamma > 0 && t.gamma <= 1, p + ".gamma", "must be in (0, 1]");
    check(t.gradClip >= 0, p + ".grad_clip", "must be >= 0 (0 turns clipping off)");
    check(oneOf(t.earlyStopMetric, {"val_accuracy", "val_macro_f1", "val_loss", "val_rmse", "val_mae", "val_r2", "val_pearson",
                                         "val_bleu", "val_chrf", "val_exact_match", "val_wer", "val_cer"}),
          p + ".early_stopping.metric",
          "must be val_accuracy, val_macro_f1, val_loss, for regression val_rmse, val_mae, val_r2 or val_pearson, or for sequences "
          "val_bleu, val_chrf, val_exact_match, val_wer or val_cer");
    check(t.patience >= 0, p + ".early_stopping.patience", "must be >= 0 (0 turns early stopping off)");
    check(t.modalityDropout >= 0 && t.modalityDropout < 1, p + ".modality_dropout", "must be in [0, 1)");
    check(isDeviceName(t.device), p + ".device", "must be auto, cpu, cuda or cuda:N (a GPU's index)");
    check(oneOf(t.mixedPrecision, {"off", "float16", "bfloat16"}), p + ".mixed_precision", "must be off, float16 or bfloat16");
    check(t.threads >= 0 && t.threads <= 1024, p + ".threads", "must be 0 to 1024");
    return t;
}

} // namespace fuselab
