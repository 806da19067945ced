// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/project/Prediction.h"

#include "core/data/ManifestReader.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace fuselab {

std::vector<PredictionSample> predictionSamples(const std::vector<ModalityColumn> &columns, const std::vector<std::string> &files,
                                                const std::vector<std::string> &texts, std::vector<DataIssue> *skipped)
{
    std::vector<PredictionSample> samples;
    auto columnOf = [&](Modality kind) -> int {
        for (std::size_t i = 0; i < columns.size(); ++i)
            if (columns[i].kind == kind)
                return static_cast<int>(i);
        return -1;
    };
    auto single = [&](Modality kind, const std::string &value, bool isPath, const std::string &name) {
        const int col = columnOf(kind);
        if (col < 0)
            throw Error(Message(FL_TR("Prediction", "%1: the model has no %2 input"), name, modalityName(kind)));
        PredictionSample s{name, std::vector<Field>(columns.size())};
        s.fields[static_cast<std::size_t>(col)] = {true, value, isPath, -1};
        samples.push_back(std::move(s));
    };
    for (const std::string &file : files) {
        if (!fs::exists(file))
            throw Error(Message(FL_TR("Prediction", "%1: no such file"), file));
        const std::string path = fs::absolute(file).string();
        const std::string ext = lowerExtension(file);
        if (ext == ".csv" || ext == ".jsonl") {
            ReaderOptions ro;
            ro.labelRequired = false;
            const Dataset d = ManifestReader(ro).read(file);
            if (skipped)
                skipped->insert(skipped->end(), d.issues.begin(), d.issues.end());
            for (const Sample &row : d.samples) {
                PredictionSample s{file + " " + row.id, std::vector<Field>(columns.size())};
                for (std::size_t c = 0; c < d.columns.size(); ++c)
                    for (std::size_t m = 0; m < columns.size(); ++m)
                        if (columns[m].name == d.columns[c].name && columns[m].kind == d.columns[c].kind)
                            s.fields[m] = row.fields[c];
                samples.push_back(std::move(s));
            }
        } else if (hasImageExtension(file)) {
            single(Modality::Image, path, true, file);
        } else if (hasAudioExtension(file)) {
            single(Modality::Audio, path, true, file);
        } else if (hasTextExtension(file)) {
            single(Modality::Text, path, true, file);
        } else {
            throw Error(Message(FL_TR("Prediction", "%1: unknown kind of file (expected an image, audio, .txt, .csv or .jsonl)"), file));
        }
    }
    for (const std::string &text : texts)
        single(Modality::Text, text, false, "\"" + text + "\"");
    return samples;
}

std::vector<Prediction> predictSamples(const Predictor &predictor, const std::vector<PredictionSample> &samples, int beam)
{
    std::vector<std::vector<Field>> fields;
    for (auto &s : samples)
        fields.push_back(s.fields);
    if (predictor.sequence()) {
        const auto texts = predictor.generate(fields, beam);
        std::vector<Prediction> out;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            Prediction p;
            p.input = samples[i].name;
            p.text = texts.at(i);
            out.push_back(std::move(p));
        }
        return out;
    }
    const auto probs = predictor.predict(fields);
    std::vector<Prediction> out;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        Prediction p;
        p.input = samples[i].name;
        if (predictor.regression()) {
            p.value = probs[i].at(0);
            out.push_back(std::move(p));
            continue;
        }
        p.probabilities = probs[i];
        p.ranking.resize(p.probabilities.size());
        std::iota(p.ranking.begin(), p.ranking.end(), std::size_t(0));
        std::stable_sort(p.ranking.begin(), p.ranking.end(), [&](std::size_t x, std::size_t y) { return p.probabilities[x] > p.probabilities[y]; });
        if (predictor.multiLabel()) {
            for (std::size_t c = 0; c < p.probabilities.size(); ++c)
                if (p.probabilities[c] > 0.5)
                    p.predicted.push_back(c);
        } else if (!p.ranking.empty()) {
            p.predicted.push_back(p.ranking[0]);
        }
        out.push_back(std::move(p));
    }
    return out;
}

PredictionSample combinedSample(const std::vector<ModalityColumn> &columns, const std::vector<std::string> &files,
                                const std::vector<std::string> &texts)
{
    for (const std::string &f : files) {
        const std::string ext = lowerExtension(f);
        if (ext == ".csv" || ext == ".jsonl")
            throw Error(Message(FL_TR("Prediction", "%1 is a manifest of several samples; give one file per modality for one sample"), f));
    }
    const std::vector<PredictionSample> parts = predictionSamples(columns, files, texts);
    if (parts.empty())
        throw Error(Message(FL_TR("Prediction", "nothing to predict: give a file or some text")));
    PredictionSample one;
    one.fields.resize(columns.size());
    std::vector<std::string> filledBy(columns.size());
    for (const PredictionSample &part : parts) {
        for (std::size_t c = 0; c < columns.size() && c < part.fields.size(); ++c) {
            if (!part.fields[c].present)
                continue;
            if (one.fields[c].present)
                throw Error(Message(FL_TR("Prediction", "%1 and %2 are both for the model's %3 input; one sample takes one of each"),
                                    filledBy[c], part.name, columns[c].name));
            one.fields[c] = part.fields[c];
            filledBy[c] = part.name;
        }
        one.name += (one.name.empty() ? "" : " + ") + part.name;
    }
    return one;
}

} // namespace fuselab
