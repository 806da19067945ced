// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/project/Lesson.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/data/DatasetLoader.h"
#endif
#include "core/document/Templates.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace fuselab {

namespace {

[[maybe_unused]] const char *singleTemplate(Modality m)
{
    switch (m) {
    case Modality::Image: return "image-cnn";
    case Modality::Audio: return "audio-cnn";
    default: return "text-gru";
    }
}

std::string percent(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", 100.0 * v);
    return b;
}

nlohmann::json recallOf(const EvaluationMetrics &m)
{
    return m.multiLabel ? nlohmann::json(m.multi.recall) : nlohmann::json(m.single.recall);
}

} // namespace

void Lesson::conclude()
{
    best = bestSingle = bestFusion = -1;
    auto better = [&](int i, int j) { return j < 0 || runs[static_cast<std::size_t>(i)].test->accuracy > runs[static_cast<std::size_t>(j)].test->accuracy; };
    for (int i = 0; i < static_cast<int>(runs.size()); ++i) {
        const LessonRun &r = runs[static_cast<std::size_t>(i)];
        if (!r.test)
            continue;
        if (better(i, best))
            best = i;
        if (r.kind == "single" && better(i, bestSingle))
            bestSingle = i;
        if (r.kind == "fusion" && better(i, bestFusion))
            bestFusion = i;
    }
    verdict = fusionVerdict(*this).str();
}

Message fusionVerdict(const Lesson &lesson)
{
    if (lesson.bestSingle < 0 || lesson.bestFusion < 0)
        return Message(FL_TR("Lesson", "Not enough finished runs yet to compare fusion with a single modality."));
    const LessonRun &s = lesson.runs[static_cast<std::size_t>(lesson.bestSingle)], &f = lesson.runs[static_cast<std::size_t>(lesson.bestFusion)];
    const double gain = f.test->accuracy - s.test->accuracy;
    auto points = [](double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f", 100.0 * v);
        return std::string(b);
    };
    if (gain > 1e-9)
        return Message(FL_TR("Lesson", "Fusion (%1) gains %2 points of test accuracy over the best single modality (%3 alone: %4 → %5)."), f.name,
                       points(gain), s.modality, percent(s.test->accuracy), percent(f.test->accuracy));
    if (gain > -1e-9)
        return Message(FL_TR("Lesson", "Fusion does not beat %1 alone here: the best fusion (%2) ties with it at %3."), s.modality, f.name,
                       percent(s.test->accuracy));
    return Message(FL_TR("Lesson", "Fusion does not beat %1 alone here: the best fusion (%2) is %3 points below it (%4 against %5)."),
                   s.modality, f.name, points(-gain), percent(f.test->accuracy), percent(s.test->accuracy));
}

Message remedyTitle(const std::string &remedy)
{
    if (remedy == "none")
        return Message(FL_TR("Lesson", "no remedy"));
    if (remedy == "class weights")
        return Message(FL_TR("Lesson", "class weights"));
    if (remedy == "balanced sampler")
        return Message(FL_TR("Lesson", "balanced sampler"));
    if (remedy == "oversampling + augmentation")
        return Message(FL_TR("Lesson", "oversampling + augmentation"));
    return Message(MessageText{"", "%1"}, remedy);
}

int ImbalanceLesson::bestRun() const
{
    int best = -1;
    for (int i = 0; i < static_cast<int>(runs.size()); ++i)
        if (runs[static_cast<std::size_t>(i)].test &&
            (best < 0 || runs[static_cast<std::size_t>(i)].test->macroF1 > runs[static_cast<std::size_t>(best)].test->macroF1))
            best = i;
    return best;
}

Message imbalanceVerdict(const ImbalanceLesson &lesson)
{
    const int best = lesson.bestRun();
    const ImbalanceRun *none = nullptr;
    for (const ImbalanceRun &r : lesson.runs)
        if (r.remedy == "none" && r.test)
            none = &r;
    if (best < 0 || !none)
        return Message(FL_TR("Lesson", "Not enough finished runs yet to compare the remedies."));
    const ImbalanceRun &b = lesson.runs[static_cast<std::size_t>(best)];
    const ImbalanceRun *rarest = none; // the remedy that finds most of the rare class
    for (const ImbalanceRun &r : lesson.runs)
        if (r.test && r.rareRecall > rarest->rareRecall)
            rarest = &r;
    const Message f1 = b.test->macroF1 - none->test->macroF1 >= 0.0005
                           ? Message(FL_TR("Lesson", "Best macro-F1: %1 (%2, against %3 with no remedy)."), remedyTitle(b.remedy),
                                     percent(b.test->macroF1), percent(none->test->macroF1))
                           : Message(FL_TR("Lesson", "No remedy raises the macro-F1 here (%1 without one)."), percent(none->test->macroF1));
    const Message recall = rarest != none ? Message(FL_TR("Lesson", "The rare class's recall rises most with %1: %2 → %3."), remedyTitle(rarest->remedy),
                                                    percent(none->rareRecall), percent(rarest->rareRecall))
                                          : Message(FL_TR("Lesson", "No remedy finds more of the rare class (recall %1)."), percent(none->rareRecall));
    return Message(FL_TR("Lesson", "%1 %2"), f1, recall); // two sentences
}

nlohmann::json Lesson::toJson() const
{
    nlohmann::json rs = nlohmann::json::array();
    for (const LessonRun &r : runs) {
        nlohmann::json j = {{"name", r.name},         {"kind", r.kind},       {"template", r.templateName}, {"modality", r.modality},
                            {"run_dir", r.runDir},    {"status", r.status},   {"parameters", r.parameters}, {"seconds", r.seconds},
                            {"val_accuracy", r.valAccuracy}};
        if (!r.error.empty())
            j["error"] = r.error;
        if (r.test) {
            j["test_accuracy"] = r.test->accuracy;
            j["test_macro_f1"] = r.test->macroF1;
            j["test_recall"] = recallOf(*r.test);
        }
        if (!r.weights.empty()) {
            nlohmann::json ws = nlohmann::json::array();
            for (const FusionWeightsByClass &w : r.weights)
                ws.push_back({{"node", w.node}, {"kind", w.kind}, {"modalities", w.modalities}, {"per_class", w.perClass},
                              {"samples", w.samples}, {"overall", w.overall}});
            j["modality_weights"] = ws;
        }
        rs.push_back(std::move(j));
    }
    nlohmann::json cs = nlohmann::json::array();
    for (const ModalityContribution &c : contributions)
        cs.push_back({{"removed", c.removed}, {"accuracy", c.metrics.accuracy}, {"macro_f1", c.metrics.macroF1}, {"recall", recallOf(c.metrics)}});
    return {{"format", "fuselab-lesson"}, {"version", 1}, {"dataset", dataset}, {"classes", classes}, {"runs", rs}, {"best", best},
            {"best_single", bestSingle}, {"best_fusion", bestFusion}, {"verdict", verdict}, {"contributions", cs}};
}

std::string Lesson::markdown() const
{
    std::ostringstream o;
    o << "# Fusion lesson: " << dataset << "\n\n";
    o << "| model | kind | test accuracy | macro-F1 | parameters | seconds | status |\n| --- | --- | --- | --- | --- | --- | --- |\n";
    for (int i = 0; i < static_cast<int>(runs.size()); ++i) {
        const LessonRun &r = runs[static_cast<std::size_t>(i)];
        const std::string mark = i == best ? " **(best)**" : "";
        o << "| " << r.name << mark << " | " << r.kind << " | " << (r.test ? percent(r.test->accuracy) : "–") << " | "
          << (r.test ? percent(r.test->macroF1) : "–") << " | " << r.parameters << " | " << static_cast<long>(std::lround(r.seconds)) << " | "
          << r.status << " |\n";
    }
    o << "\n" << verdict << "\n";
    if (!contributions.empty() && bestFusion >= 0) {
        o << "\n## What each modality brings to " << runs[static_cast<std::size_t>(bestFusion)].name << "\n\n"
          << "Test accuracy with each modality removed (its missing-modality mask):\n\n| removed | test accuracy | macro-F1 |\n| --- | --- | --- |\n";
        for (const ModalityContribution &c : contributions)
            o << "| " << (c.removed.empty() ? "nothing" : c.removed) << " | " << percent(c.metrics.accuracy) << " | " << percent(c.metrics.macroF1)
              << " |\n";
    }
    for (const LessonRun &r : runs)
        for (const FusionWeightsByClass &w : r.weights) {
            o << "\n## Modality weights of " << r.name << " (" << w.kind << ", " << w.node << "), per class\n\n| class |";
            for (const std::string &m : w.modalities)
                o << " " << m << " |";
            o << "\n| --- |";
            for (std::size_t m = 0; m < w.modalities.size(); ++m)
                o << " --- |";
            o << "\n";
            for (std::size_t c = 0; c < w.perClass.size() && c < classes.size(); ++c) {
                o << "| " << classes[c] << " |";
                for (double v : w.perClass[c])
                    o << " " << percent(v) << " |";
                o << "\n";
            }
            o << "| all |";
            for (double v : w.overall)
                o << " " << percent(v) << " |";
            o << "\n";
        }
    return o.str();
}

Lesson readLesson(const std::string &dir)
{
    const std::string file = (fs::path(dir) / "lesson.json").string();
    const auto j = readJsonObject(file);
    if (!j || j->value("format", "") != "fuselab-lesson")
        throw Error(Message(FL_TR("Lesson", "%1 is not a FuseLab lesson (lesson.json missing or not one)"), file));
    Lesson l;
    try {
        l.dataset = j->value("dataset", "");
        l.classes = j->value("classes", std::vector<std::string>{});
        for (const auto &r : j->value("runs", nlohmann::json::array())) {
            LessonRun run;
            run.name = r.value("name", "");
            run.kind = r.value("kind", "");
            run.templateName = r.value("template", "");
            run.modality = r.value("modality", "");
            run.runDir = r.value("run_dir", "");
            run.status = r.value("status", "");
            run.error = r.value("error", "");
            run.parameters = r.value("parameters", std::int64_t(0));
            run.seconds = r.value("seconds", 0.0);
            run.valAccuracy = r.value("val_accuracy", std::vector<double>{});
            if (r.contains("test_accuracy")) {
                EvaluationMetrics m;
                m.accuracy = r["test_accuracy"].get<double>();
                m.macroF1 = r.value("test_macro_f1", 0.0);
                m.single.recall = r.value("test_recall", std::vector<double>{});
                run.test = m;
            }
            for (const auto &w : r.value("modality_weights", nlohmann::json::array())) {
                FusionWeightsByClass f;
                f.node = w.value("node", "");
                f.kind = w.value("kind", "");
                f.modalities = w.value("modalities", std::vector<std::string>{});
                f.perClass = w.value("per_class", std::vector<std::vector<double>>{});
                f.samples = w.value("samples", std::vector<std::int64_t>{});
                f.overall = w.value("overall", std::vector<double>{});
                run.weights.push_back(std::move(f));
            }
            l.runs.push_back(std::move(run));
        }
        for (const auto &c : j->value("contributions", nlohmann::json::array())) {
            ModalityContribution mc;
            mc.removed = c.value("removed", "");
            mc.metrics.accuracy = c.value("accuracy", 0.0);
            mc.metrics.macroF1 = c.value("macro_f1", 0.0);
            mc.metrics.single.recall = c.value("recall", std::vector<double>{});
            l.contributions.push_back(mc);
        }
    } catch (const nlohmann::json::exception &e) {
        throw Error(Message(FL_TR("Lesson", "%1: %2"), file, std::string(e.what())));
    }
    l.conclude();
    return l;
}

Lesson runLesson(const LessonRequest &request, LessonObserver *observer)
{
#ifndef FUSELAB_WITH_INGEST
    (void)request, (void)observer;
    throw Error(Message(FL_TR("Lesson", "this build cannot read raw data (it was built for a server): run lessons on a full build")));
#else
    const LoadOptions options;
    const Dataset dataset = openDataset(request.dataset, options, observer);
    if (dataset.columns.size() < 2)
        throw Error(Message(FL_TR("Lesson", "%1 has one modality: the fusion lesson compares modalities and their fusions, so it needs two or more"),
                            request.dataset));
    fs::create_directories(request.outDir);
    const std::string out = fs::absolute(request.outDir).string();
    Lesson lesson;
    lesson.dataset = request.dataset;
    lesson.classes = dataset.classes;

    struct Plan {
        LessonRun run;
        Experiment experiment;
    };
    std::vector<Plan> plans;
    std::vector<Modality> kinds;
    for (const auto &m : dataset.columns) { // one model per kind of modality (its template reads the first such column)
        if (std::find(kinds.begin(), kinds.end(), m.kind) != kinds.end())
            continue;
        kinds.push_back(m.kind);
        Plan p;
        p.run.kind = "single";
        p.run.modality = m.name;
        p.run.name = Message(FL_TR("Lesson", "%1 only"), m.name).str();
        p.run.templateName = singleTemplate(m.kind);
        try {
            p.experiment = newExperiment(p.run.templateName, dataset, request.dataset, options, out);
        } catch (const Error &e) {
            p.run.status = "skipped";
            p.run.error = e.what();
        }
        plans.push_back(std::move(p));
    }
    for (const std::string &f : request.fusions) {
        Plan p;
        p.run.kind = "fusion";
        p.run.name = f;
        p.run.templateName = f;
        p.experiment = newExperiment(f, dataset, request.dataset, options, out); // an unknown template is an error up front
        plans.push_back(std::move(p));
    }

    auto save = [&] {
        lesson.conclude();
        writeFileAtomically((fs::path(out) / "lesson.json").string(), lesson.toJson().dump(2) + "\n");
        writeFileAtomically((fs::path(out) / "lesson.md").string(), lesson.markdown());
    };
    bool stopping = false;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        Plan &p = plans[i];
        std::string slug = p.run.kind + "-" + (p.run.kind == "single" ? p.run.modality : p.run.templateName);
        for (char &c : slug)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
                c = '_';
        p.run.runDir = (fs::path(out) / "runs" / slug).string();
        if (stopping && p.run.status.empty())
            p.run.status = "skipped";
        if (!p.run.status.empty()) { // skipped: the template did not fit, or a stop
            lesson.runs.push_back(p.run);
            save();
            continue;
        }
        if (observer)
            observer->lessonRun(static_cast<int>(i), static_cast<int>(plans.size()), p.run);
        p.experiment.name = p.run.name;
        p.experiment.training.seed = request.seed;
        const std::string file = (fs::path(out) / (slug + ".fuselab.json")).string();
        p.experiment.save(file);
        TrainRequest t;
        t.experimentFile = file;
        t.runDir = p.run.runDir;
        t.epochs = request.epochs;
        t.device = request.device;
        t.cacheRequest = request.cacheRequest;
        if (fs::exists(t.runDir))
            fs::remove_all(t.runDir); // a lesson run again replaces its own runs
        try {
            const TrainingReport report = trainExperiment(t, observer);
            p.run.status = report.stopped ? "stopped" : "finished";
            p.run.test = report.test;
            p.run.seconds = report.seconds;
            stopping = report.stopped;
        } catch (const Cancelled &) {
            p.run.status = "stopped";
            stopping = true;
        } catch (const Error &e) {
            p.run.status = "failed";
            p.run.error = e.what();
        }
        const RunFolder run(p.run.runDir);
        if (p.run.kind == "fusion" && p.run.test && !stopping) {
            try { // the weights a fusion gives each modality, per class (attention, gated)
                p.run.weights = fusionWeightsByClass(p.run.runDir, run.readRecord().cache, "test", request.device.value_or("auto"), observer);
            } catch (const Cancelled &) {
                stopping = true;
            } catch (const std::exception &) {
                // no weights to show (a LibTorch error included): the table stands without them
            }
        }
        if (fs::exists(run.metricsFile()))
            for (const EpochRow &row : run.readMetrics())
                p.run.valAccuracy.push_back(row.valAccuracy);
        p.run.parameters = parameterCounts(p.experiment, out).empty() ? 0 : [&] {
            std::int64_t n = 0;
            for (const auto &[node, count] : parameterCounts(p.experiment, out))
                n += count;
            return n;
        }();
        lesson.runs.push_back(p.run);
        save();
    }
    // What each modality brings to the best fusion.
    lesson.conclude();
    if (!stopping && lesson.bestFusion >= 0) {
        const LessonRun &f = lesson.runs[static_cast<std::size_t>(lesson.bestFusion)];
        const RunFolder run(f.runDir);
        try {
            const RunRecord record = ensureRunCache(run, observer, request.cacheRequest);
            lesson.contributions = modalityContributions(run.readExperiment(), record.experimentDir, record.cache, run.bestCheckpoint(),
                                                         Split::Test, request.device.value_or("auto"), observer);
        } catch (const Cancelled &) {
            // stopped while measuring: the table stands without the contributions
        }
    }
    save();
    return lesson;
#endif
}

nlohmann::json ImbalanceLesson::toJson() const
{
    nlohmann::json rs = nlohmann::json::array();
    for (const ImbalanceRun &r : runs) {
        nlohmann::json j = {{"remedy", r.remedy}, {"run_dir", r.runDir}, {"status", r.status}, {"train_samples", r.trainSamples},
                            {"rare_train_samples", r.rareTrainSamples}};
        if (!r.error.empty())
            j["error"] = r.error;
        if (r.test) {
            j["test_accuracy"] = r.test->accuracy;
            j["test_macro_f1"] = r.test->macroF1;
            j["test_recall"] = r.test->single.recall;
            j["rare_recall"] = r.rareRecall;
        }
        rs.push_back(std::move(j));
    }
    return {{"format", "fuselab-imbalance-lesson"}, {"version", 1}, {"dataset", dataset}, {"rare_class", rareClass}, {"ratio", ratio},
            {"template", templateName}, {"classes", classes}, {"runs", rs}};
}

ImbalanceLesson readImbalanceLesson(const std::string &dir)
{
    const std::string file = (fs::path(dir) / "imbalance.json").string();
    const auto j = readJsonObject(file);
    if (!j || j->value("format", "") != "fuselab-imbalance-lesson")
        throw Error(Message(FL_TR("Lesson", "%1 is not a FuseLab imbalance lesson (imbalance.json missing or not one)"), file));
    ImbalanceLesson l;
    try {
        l.dataset = j->value("dataset", "");
        l.rareClass = j->value("rare_class", "");
        l.ratio = j->value("ratio", 0.0);
        l.templateName = j->value("template", "");
        l.classes = j->value("classes", std::vector<std::string>{});
        for (const auto &r : j->value("runs", nlohmann::json::array())) {
            ImbalanceRun run;
            run.remedy = r.value("remedy", "");
            run.runDir = r.value("run_dir", "");
            run.status = r.value("status", "");
            run.error = r.value("error", "");
            run.trainSamples = r.value("train_samples", std::int64_t(0));
            run.rareTrainSamples = r.value("rare_train_samples", std::int64_t(0));
            if (r.contains("test_accuracy")) {
                EvaluationMetrics m;
                m.accuracy = r["test_accuracy"].get<double>();
                m.macroF1 = r.value("test_macro_f1", 0.0);
                m.single.recall = r.value("test_recall", std::vector<double>{});
                run.test = m;
                run.rareRecall = r.value("rare_recall", 0.0);
            }
            l.runs.push_back(std::move(run));
        }
    } catch (const nlohmann::json::exception &e) {
        throw Error(Message(FL_TR("Lesson", "%1: %2"), file, std::string(e.what())));
    }
    return l;
}

std::string ImbalanceLesson::markdown() const
{
    std::ostringstream o;
    o << "# Imbalance lesson: " << dataset << "\n\n" << "`" << rareClass << "` made " << percent(ratio)
      << " of the training split (validation and test untouched); template " << templateName << ".\n\n| remedy | macro-F1 | accuracy | recall of "
      << rareClass << " |";
    for (const std::string &c : classes)
        if (c != rareClass)
            o << " recall of " << c << " |";
    o << "\n|" << std::string("---|") << "---|---|---|";
    for (std::size_t k = 1; k < classes.size(); ++k)
        o << "---|";
    o << "\n";
    for (const ImbalanceRun &r : runs) {
        o << "| " << r.remedy << " | " << (r.test ? percent(r.test->macroF1) : "–") << " | " << (r.test ? percent(r.test->accuracy) : "–") << " | **"
          << (r.test ? percent(r.rareRecall) : "–") << "** |";
        for (std::size_t c = 0; c < classes.size(); ++c)
            if (classes[c] != rareClass)
                o << " " << (r.test && c < r.test->single.recall.size() ? percent(r.test->single.recall[c]) : "–") << " |";
        o << "\n";
    }
    o << "\n" << imbalanceVerdict(*this).str() << "\n";
    return o.str();
}

ImbalanceLesson runImbalanceLesson(const ImbalanceRequest &request, LessonObserver *observer)
{
#ifndef FUSELAB_WITH_INGEST
    (void)request, (void)observer;
    throw Error(Message(FL_TR("Lesson", "this build cannot read raw data (it was built for a server): run lessons on a full build")));
#else
    const LoadOptions options;
    const Dataset dataset = openDataset(request.dataset, options, observer);
    if (dataset.multiLabel)
        throw Error(Message(FL_TR("Lesson", "%1 is multi-label: the imbalance lesson makes one class rare in single-label data"), request.dataset));
    const auto it = std::find(dataset.classes.begin(), dataset.classes.end(), request.rareClass);
    if (it == dataset.classes.end()) {
        std::string names;
        for (const std::string &c : dataset.classes)
            names += (names.empty() ? "" : ", ") + c;
        throw Error(Message(FL_TR("Lesson", "%1 has no class \"%2\" (its classes: %3)"), request.dataset, request.rareClass, names));
    }
    if (!(request.ratio > 0 && request.ratio < 1))
        throw Error(Message(FL_TR("Lesson", "the rare class's share of the training split must be between 0 and 1, not %1"), std::to_string(request.ratio)));
    fs::create_directories(request.outDir);
    const std::string out = fs::absolute(request.outDir).string();
    ImbalanceLesson lesson;
    lesson.dataset = request.dataset;
    lesson.rareClass = request.rareClass;
    lesson.ratio = request.ratio;
    lesson.classes = dataset.classes;
    lesson.templateName = request.templateName.empty() ? (dataset.columns.size() > 1 ? std::string("concat") : std::string(singleTemplate(dataset.columns.at(0).kind)))
                                                       : request.templateName;
    Experiment base = newExperiment(lesson.templateName, dataset, request.dataset, options, out);
    base.dataset.rareClass = request.rareClass;
    base.dataset.rareRatio = request.ratio;
    base.training.seed = request.seed;
    base.training.classWeights = base.training.weightedSampler = false;
    base.augmentation = AugmentSettings{};
    const auto rare = static_cast<std::size_t>(it - dataset.classes.begin());
    const char *remedies[] = {"none", "class weights", "balanced sampler", "oversampling + augmentation"};
    auto save = [&] {
        writeFileAtomically((fs::path(out) / "imbalance.json").string(), lesson.toJson().dump(2) + "\n");
        writeFileAtomically((fs::path(out) / "imbalance.md").string(), lesson.markdown());
    };
    bool stopping = false;
    for (int k = 0; k < 4; ++k) {
        ImbalanceRun r;
        r.remedy = remedies[k];
        const std::string slug = std::string("remedy-") + (k == 0 ? "none" : k == 1 ? "class-weights" : k == 2 ? "balanced-sampler" : "oversampling");
        r.runDir = (fs::path(out) / "runs" / slug).string();
        if (stopping) {
            r.status = "skipped";
            lesson.runs.push_back(r);
            save();
            continue;
        }
        Experiment e = base;
        e.name = "imbalance: " + r.remedy;
        e.training.classWeights = k == 1;
        e.training.weightedSampler = k >= 2;
        if (k == 3) { // the rare class's repeated draws made different by augmentation
            e.augmentation.flipProbability = 0.5;
            e.augmentation.cropPadding = 2;
            e.augmentation.brightness = 0.1;
            e.augmentation.audio.freqMask = 8;
            e.augmentation.audio.timeMask = 10;
            e.augmentation.audio.timeShift = 0.1;
        }
        const std::string file = (fs::path(out) / (slug + ".fuselab.json")).string();
        e.save(file);
        if (observer) {
            LessonRun shown;
            shown.name = r.remedy;
            shown.templateName = lesson.templateName;
            observer->lessonRun(k, 4, shown);
        }
        TrainRequest t;
        t.experimentFile = file;
        t.runDir = r.runDir;
        t.epochs = request.epochs;
        t.device = request.device;
        t.cacheRequest = request.cacheRequest;
        if (fs::exists(t.runDir))
            fs::remove_all(t.runDir);
        try {
            const TrainingReport report = trainExperiment(t, observer);
            r.status = report.stopped ? "stopped" : "finished";
            r.test = report.test;
            if (r.test && rare < r.test->single.recall.size())
                r.rareRecall = r.test->single.recall[rare];
            stopping = report.stopped;
        } catch (const Cancelled &) {
            r.status = "stopped";
            stopping = true;
        } catch (const Error &x) {
            r.status = "failed";
            r.error = x.what();
        }
        std::ifstream events(RunFolder(r.runDir).eventsFile());
        std::string line;
        while (std::getline(events, line)) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("event", "") == "imbalance") {
                r.trainSamples = j.value("train_samples", std::int64_t(0));
                r.rareTrainSamples = j.value("rare_train_samples", std::int64_t(0));
            }
        }
        lesson.runs.push_back(r);
        save();
    }
    return lesson;
#endif
}

} // namespace fuselab
