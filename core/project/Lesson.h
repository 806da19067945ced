// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The fusion lesson (docs/lessons.md): does fusing modalities help on this dataset, which
// fusion, and why? From one dataset it trains, one after another with the same seed and
// each template's defaults, a model per single modality and one per fusion strategy, then
// compares them (test accuracy, macro-F1, per-class recall, parameters, time, validation
// curves) and measures what each modality brings to the best fusion by removing it
// (its missing-modality mask). The runs are ordinary runs under <out>/runs.
#include "core/project/Services.h"
#include "core/train/Explanation.h"
#include "core/train/Trainer.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

struct LessonRequest {
    std::string dataset;
    std::string outDir;
    // Fusion templates to compare (the single-modality ones come from the dataset).
    std::vector<std::string> fusions = {"concat", "late-fusion", "attention-fusion", "gated-fusion"};
    std::optional<int> epochs;     // each template's own default otherwise
    std::uint64_t seed = 42;       // the same for every run
    std::optional<std::string> device;
    CacheRequest cacheRequest;
};

struct LessonRun {
    std::string name;     // "image only", "concat", ...
    std::string kind;     // "single" or "fusion"
    std::string templateName;
    std::string modality; // single: the modality's column
    std::string runDir;
    std::string status;   // "finished", "stopped", "failed", "skipped"
    std::string error;
    std::optional<EvaluationMetrics> test;
    std::int64_t parameters = 0;
    double seconds = 0;
    std::vector<double> valAccuracy; // per epoch
    // Fusions with explicit modality weights (attention, gated, learned late fusion): those
    // weights averaged per true class over the test split.
    std::vector<FusionWeightsByClass> weights;
};

struct Lesson {
    std::string dataset;
    std::vector<std::string> classes;
    std::vector<LessonRun> runs;
    int best = -1, bestSingle = -1, bestFusion = -1; // indices by test accuracy
    // Each modality removed from the best fusion in turn (the first: nothing removed).
    std::vector<ModalityContribution> contributions;
    std::string verdict; // in words

    nlohmann::json toJson() const;
    std::string markdown() const; // the table, the verdict and the contributions
    void conclude();              // best rows and the verdict from the runs
};

// The fusion lesson's conclusion, as a translatable sentence: the GUI shows it translated,
// lesson.json ("verdict") and lesson.md in English.
Message fusionVerdict(const Lesson &lesson);

class LessonObserver : public TrainingObserver {
public:
    // Before each run (index from 0).
    virtual void lessonRun(int /*index*/, int /*count*/, const LessonRun & /*run*/) {}
};

// Trains the lesson's runs into request.outDir (lesson.json and lesson.md written after
// each run, atomically, so a stopped lesson keeps what it has). A stop (the observer's
// isCancelled) ends the current run as a stopped run and skips the rest. Throws Error when
// the dataset has fewer than two modalities or cannot be read.
Lesson runLesson(const LessonRequest &request, LessonObserver *observer = nullptr);
Lesson readLesson(const std::string &dir); // lesson.json; Error naming the file

// The imbalance lesson (docs/lessons.md): one class made rare in the training split only
// (dataset.imbalance: it keeps so many of that class's samples that it makes up `ratio` of
// the split; validation and test untouched), then four runs of the same experiment: no
// remedy, class weights in the loss, the class-balanced sampler, and oversampling with
// augmentation (the balanced sampler's draws with image and audio augmentation on);
// compared by per-class recall and macro-F1, the rare class's recall beside each.
struct ImbalanceRequest {
    std::string dataset;
    std::string outDir;
    std::string rareClass;
    double ratio = 0.05;
    std::string templateName; // "" = concat for several modalities, else the modality's template
    std::optional<int> epochs;
    std::uint64_t seed = 42;
    std::optional<std::string> device;
    CacheRequest cacheRequest;
};

struct ImbalanceRun {
    std::string remedy; // "none", "class weights", "balanced sampler", "oversampling + augmentation"
    std::string runDir, status, error;
    std::optional<EvaluationMetrics> test;
    double rareRecall = 0;
    std::int64_t trainSamples = 0, rareTrainSamples = 0;
};

struct ImbalanceLesson {
    std::string dataset, rareClass, templateName;
    double ratio = 0;
    std::vector<std::string> classes;
    std::vector<ImbalanceRun> runs;
    nlohmann::json toJson() const;
    std::string markdown() const;
    int bestRun() const; // the run with the best test macro-F1, or -1
};

// Writes imbalance.json and imbalance.md into request.outDir after each run. Error for an
// unknown class or a multi-label dataset.
ImbalanceLesson runImbalanceLesson(const ImbalanceRequest &request, LessonObserver *observer = nullptr);
ImbalanceLesson readImbalanceLesson(const std::string &dir); // imbalance.json; Error naming the file
// The imbalance lesson's conclusion (best macro-F1 against no remedy, and the remedy that
// finds most of the rare class), translatable; and a remedy's name for people.
Message imbalanceVerdict(const ImbalanceLesson &lesson);
Message remedyTitle(const std::string &remedy);

} // namespace fuselab
