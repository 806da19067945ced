// SPDX-License-Identifier: GPL-3.0-or-later
// Texts to produce (sequence outputs), end to end through fuselab-cli as a user runs it.
//  - Translation fused with a picture: a source sentence in a made-up language names a
//    shape and its size; its English target also names how light the picture is, which only
//    the picture shows. The fused decoder must beat the text alone, which can only guess it.
//  - Transcription with CTC: clips of tones, one pitch per letter, transcribed to letters.
#include "core/cache/TensorCache.h"
#include "core/document/Experiment.h"
#include "core/document/RunFolder.h"
#include "core/model/Checkpoint.h"
#include "core/model/SequenceHead.h"
#include "core/train/Explanation.h"
#include "core/util/Error.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

using namespace fuselab;

namespace {

const char *const kShapes[][2] = {{"kreis", "circle"}, {"quadrat", "square"}, {"dreieck", "triangle"}, {"stern", "star"}};
const char *const kSizes[][2] = {{"gross", "big"}, {"klein", "small"}, {"mittel", "medium"}};
const char *const kShades[] = {"dark", "grey", "light"};
const char *const kNames[] = {"anna", "bert", "clara", "dora", "emil", "fritz", "greta", "hans", "ida", "jonas", "karl", "lena"};

std::string photo(int shade, int seed)
{
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::string pgm = "P5\n8 8\n255\n";
    for (int p = 0; p < 64; ++p)
        pgm += static_cast<char>(std::clamp(40 + 80 * shade + static_cast<int>(rng() % 31) - 15, 0, 255));
    return pgm;
}

// One tone per letter, 0.12 s each with 0.06 s of silence after it, at 16 kHz.
constexpr double kPitch[] = {300, 550, 900, 1400, 2200};
std::vector<float> tones(const std::string &letters)
{
    std::vector<float> out;
    for (char c : letters) {
        const auto tone = test::sine(kPitch[c - 'a'], 16000, 0.12);
        out.insert(out.end(), tone.begin(), tone.end());
        out.insert(out.end(), static_cast<std::size_t>(16000 * 0.06), 0.0f);
    }
    return out;
}

} // namespace

class TestSequence final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string dir() const { return m_tmp.path().toStdString(); }
    std::string m_translation, m_tones;
    std::vector<std::string> m_sources; // the translation data's source sentences, by row
    std::string m_lastErr;

    std::string experiment(const std::string &templ, const std::string &data, const std::vector<std::string> &extra, int epochs)
    {
        std::string out, err;
        const std::string exp = dir() + "/" + templ + std::to_string(m_count++) + ".fuselab.json";
        std::vector<std::string> args = {"new", "--template", templ, "--dataset", data, "--label-column", "target", "-o", exp};
        args.insert(args.end(), extra.begin(), extra.end());
        if (test::runCli(args, &out, &err) != 0)
            qFatal("new --template %s: %s", templ.c_str(), err.c_str());
        Experiment e = Experiment::load(exp);
        e.training.epochs = epochs;
        e.training.patience = 0;
        e.training.threads = 1; // two tests share the two cores under ctest -j2: more threads only spin
        e.save(exp);
        return exp;
    }
    int m_count = 0;

    nlohmann::json train(const std::string &exp, const std::string &run)
    {
        std::string out, err;
        const int rc = test::runCli({"train", exp, "--out", run, "--cache-dir", dir() + "/cache"}, &out, &err, 300000);
        if (rc != 0)
            qFatal("train %s: %s", exp.c_str(), err.c_str());
        m_lastErr = err;
        return nlohmann::json::parse(test::readAll(run + "/report.json"));
    }

    // `fuselab-cli export --format all` of a trained run: every format is written (a
    // decoder's ONNX as two graphs), and the TorchScript module's generate() gives, for every
    // test sample, the text FuseLab's own model decodes (greedy, and for a decoder beam
    // search of width 4), so its exact match is the run's reported one.
    void checkExportedRun(const std::string &run, bool decoder, double reportedExact)
    {
        std::string out, err;
        const std::string to = run + "-export";
        QCOMPARE(test::runCli({"export", run, "--format", "all", "-o", to}, &out, &err), 0);
        for (const char *f : {"model.safetensors", "model.pt", "model.onnx", "model.py", "preprocessing.json"})
            QVERIFY2(std::filesystem::exists(to + "/" + f), f);
        QCOMPARE(std::filesystem::exists(to + "/model-decoder-step.onnx"), decoder);
        const auto pre = nlohmann::json::parse(test::readAll(to + "/preprocessing.json"));
        QCOMPARE(pre["task"].get<std::string>(), std::string("sequence"));
        QCOMPARE(pre["decoding"]["eos_id"].get<int>(), 3);

        const RunFolder folder(run);
        const RunRecord record = folder.readRecord();
        const TensorCache cache = TensorCache::open(record.cache);
        const std::vector<std::int64_t> rows = cache.rows(Split::Test);
        const CacheBatch b = cache.batch(rows);
        FusionModel model = loadTrainedModel(folder.readExperiment(), record.experimentDir, folder.bestCheckpoint(), torch::kCPU);
        model->eval();
        torch::NoGradGuard noGrad;
        SequenceHead *head = findSequenceHead(*model);
        QVERIFY(head);
        const auto ours = decodeLogits(model->forward(b.inputs, b.present).logits, head->ctc());
        torch::jit::Module pt = torch::jit::load(to + "/model.pt");
        const auto generate = [&](std::int64_t beam) {
            std::vector<torch::jit::IValue> args(b.inputs.begin(), b.inputs.end());
            args.emplace_back(b.present);
            args.emplace_back(beam);
            args.emplace_back(0.0);
            std::vector<std::vector<std::int64_t>> ids;
            for (const auto &row : pt.get_method("generate")(args).toList())
                ids.push_back(row.get().toIntVector());
            return ids;
        };
        const auto exported = generate(1);
        QVERIFY(exported == ours);
        const TargetVocabulary vocab = cache.targetVocabulary();
        int exact = 0;
        for (std::size_t i = 0; i < rows.size(); ++i)
            exact += vocab.decode(exported[i]) == cache.targetText(rows[i]);
        QVERIFY2(std::abs(100.0 * exact / static_cast<double>(rows.size()) - reportedExact) < 1e-6, std::to_string(exact).c_str());
        if (decoder) {
            const auto beam = head->beamSearch(4, 0.0);
            QVERIFY(generate(4) == beam);
        }
        qInfo("%s: the TorchScript export decodes the %zu test samples as FuseLab does (%d exact)", run.c_str(), rows.size(), exact);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        std::mt19937 rng(11);
        std::string manifest = "photo,source,target\n";
        for (int i = 0; i < 360; ++i) {
            const int shape = static_cast<int>(rng() % 4), size = static_cast<int>(rng() % 3), shade = static_cast<int>(rng() % 3);
            const char *name = kNames[rng() % 12]; // copied through, so that most targets are distinct
            const std::string file = "p" + std::to_string(i) + ".pgm";
            test::writeFile(dir() + "/tr/" + file, photo(shade, i));
            m_sources.push_back(std::string("der ") + kShapes[shape][0] + " ist " + kSizes[size][0] + " bei " + name);
            manifest += file + ",der " + kShapes[shape][0] + " ist " + kSizes[size][0] + " bei " + name + ",the " + kShades[shade] + " "
                      + kShapes[shape][1] + " is " + kSizes[size][1] + " near " + name + "\n";
        }
        manifest += "p0.pgm,der kreis ist gross bei anna,\n"; // an empty target: skipped, named
        test::writeFile(dir() + "/tr/manifest.csv", manifest);
        m_translation = dir() + "/tr/manifest.csv";

        std::string tonesManifest = "clip,target\n";
        for (int i = 0; i < 300; ++i) {
            std::string letters;
            const int n = 2 + static_cast<int>(rng() % 3);
            for (int k = 0; k < n; ++k)
                letters += static_cast<char>('a' + rng() % 5);
            const std::string file = "c" + std::to_string(i) + ".wav";
            test::writeAudio(dir() + "/tones/" + file, tones(letters), 16000, 1, 0x010002); // SF_FORMAT_WAV | SF_FORMAT_PCM_16
            tonesManifest += file + "," + letters + "\n";
        }
        test::writeFile(dir() + "/tones/manifest.csv", tonesManifest);
        m_tones = dir() + "/tones/manifest.csv";
    }

    // inspect detects the task from the targets (many distinct multi-word texts) and reports
    // the vocabulary training would build: nothing unknown in val/test here, nothing too long.
    void inspectReportsTheTargets()
    {
        std::string out, err;
        QCOMPARE(test::runCli({"inspect", m_translation, "--label-column", "target", "--json"}, &out, &err), 0);
        const auto r = nlohmann::json::parse(out);
        QCOMPARE(r["dataset"]["task"].get<std::string>(), std::string("sequence"));
        QVERIFY(r["usable"].get<bool>());
        QCOMPARE(r["targets"]["count"].get<int>(), 360);
        const auto &v = r["targets"]["vocabulary"];
        // the, is, near, 3 shades, 4 shapes, 3 sizes, 12 names: 25 words and the 4 specials.
        QCOMPARE(v["size"].get<int>(), 29);
        QCOMPARE(v["val"]["unknown_tokens"].get<int>(), 0);
        QCOMPARE(v["test"]["over_max_length"].get<int>(), 0);
        QCOMPARE(v["train"]["longest"].get<int>(), 7);
        QVERIFY2(r["dataset"]["task_reason"].get<std::string>().find("texts to produce") != std::string::npos, out.c_str());
        QVERIFY2(out.find("empty target text") != std::string::npos, out.c_str());
    }

    // The picture carries the shade, which the source sentence does not say: fused, the
    // decoder gets it right; from the text alone it can only guess one of three.
    void translationUsesThePicture()
    {
        const std::string fusedExp = experiment("translation", m_translation, {}, 20);
        const Experiment e = Experiment::load(fusedExp);
        QCOMPARE(e.dataset.task, Task::Sequence);
        QCOMPARE(e.dataset.classes.size(), std::size_t(29));
        QCOMPARE(e.training.earlyStopMetric, std::string("val_bleu"));
        QCOMPARE(e.graph.node("head")->type, std::string("head.rnn_decoder"));
        QCOMPARE(e.preprocessing.target.maxLength, 8); // the longest target (7 words) rounded up to 8
        const auto fused = train(fusedExp, dir() + "/fused");
        QVERIFY2(m_lastErr.find("val BLEU") != std::string::npos, m_lastErr.c_str());
        const auto &test = fused["test"];
        QCOMPARE(test["task"].get<std::string>(), std::string("sequence"));
        // The run history's headline figure for a text is BLEU, not a 0% accuracy.
        const RunSummary summary = RunFolder(dir() + "/fused").summary();
        QCOMPARE(summary.score, std::string("bleu"));
        QVERIFY(summary.testScore && std::abs(*summary.testScore - test["bleu"].get<double>()) < 1e-9);

        const auto textOnly = train(experiment("translation", m_translation, {"--column", "photo=ignore"}, 20), dir() + "/text");
        qInfo("test split: fused BLEU %.2f exact %.1f%% WER %.3f; text alone BLEU %.2f exact %.1f%% WER %.3f", test["bleu"].get<double>(),
              test["exact_match"].get<double>(), test["wer"].get<double>(), textOnly["test"]["bleu"].get<double>(),
              textOnly["test"]["exact_match"].get<double>(), textOnly["test"]["wer"].get<double>());
        // Every target has 7 words, one of them the shade: knowing the rest and guessing the
        // shade gives exact match about 33% and WER about 0.1; fused, near 100% and 0.
        QVERIFY2(test["exact_match"].get<double>() > 85, fused.dump().c_str());
        QVERIFY2(test["bleu"].get<double>() > 85, fused.dump().c_str());
        QVERIFY2(textOnly["test"]["exact_match"].get<double>() < 60, textOnly.dump().c_str());
        QVERIFY2(textOnly["test"]["bleu"].get<double>() < test["bleu"].get<double>() - 15, textOnly.dump().c_str());
        QVERIFY2(textOnly["test"]["wer"].get<double>() > test["wer"].get<double>() + 0.05, textOnly.dump().c_str());
        const std::string header = test::readAll(dir() + "/fused/metrics.csv").substr(0, 300);
        QVERIFY2(header.find("val_bleu,val_chrf,val_exact_match,val_wer,val_cer") != std::string::npos, header.c_str());

        // eval --json gives the report's numbers (the best checkpoint on test).
        std::string out, err;
        QCOMPARE(test::runCli({"eval", dir() + "/fused", "--json"}, &out, &err), 0);
        const auto ev = nlohmann::json::parse(out);
        for (const char *k : {"bleu", "chrf", "exact_match", "wer", "cer"})
            QVERIFY2(std::abs(ev[k].get<double>() - test[k].get<double>()) < 1e-6, k);

        // The decoder's attention over a test sample: one step per word produced and <eos>;
        // the slots are the source sentence's words (no padding) and the picture; each step's
        // weights sum to 1 over them (padding that took weight would leave less).
        const RunRecord record = RunFolder(dir() + "/fused").readRecord();
        const std::int64_t row = TensorCache::open(record.cache).rows(Split::Test).at(0);
        const SequenceAttention att = attendSample(dir() + "/fused", record.cache, row);
        QCOMPARE(att.row, row);
        std::vector<std::string> words;
        for (std::size_t a = 0, b; a < m_sources[static_cast<std::size_t>(row)].size(); a = b + 1) {
            b = std::min(m_sources[static_cast<std::size_t>(row)].find(' ', a), m_sources[static_cast<std::size_t>(row)].size());
            words.push_back(m_sources[static_cast<std::size_t>(row)].substr(a, b - a));
        }
        std::vector<std::string> textSlots;
        int photos = 0;
        for (const std::string &slot : att.slots)
            if (slot == "photo")
                ++photos;
            else
                textSlots.push_back(slot);
        QCOMPARE(photos, 1);
        QCOMPARE(textSlots, words);
        std::string produced;
        for (std::size_t t = 0; t + 1 < att.outputs.size(); ++t)
            produced += (t ? " " : "") + att.outputs[t];
        QCOMPARE(att.outputs.back(), std::string("<eos>"));
        QCOMPARE(produced, att.hypothesis);
        QCOMPARE(att.weights.size(), att.outputs.size());
        for (const auto &step : att.weights) {
            QCOMPARE(step.size(), att.slots.size());
            double sum = 0;
            for (double w : step)
                sum += w;
            QVERIFY2(std::abs(sum - 1) < 1e-4, std::to_string(sum).c_str());
        }
        std::string looked;
        for (std::size_t t = 0; t < att.outputs.size(); ++t) {
            const auto &w = att.weights[t];
            const auto k = static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin());
            looked += " " + att.outputs[t] + "<-" + att.slots[k] + "(" + std::to_string(int(100 * w[k])) + "%)";
        }
        qInfo("attention, the most attended slot per step:%s", looked.c_str());
        // What the data says it must look at: the shade (the second word) is only in the
        // picture, the name (the last word) is copied from the sentence's last word.
        auto mostAttended = [&](std::size_t t) {
            const auto &w = att.weights.at(t);
            return att.slots[static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin())];
        };
        QCOMPARE(mostAttended(1), std::string("photo"));
        QCOMPARE(mostAttended(6), words.back());
        QVERIFY_THROWS_EXCEPTION(Error, attendSample(dir() + "/fused", record.cache, 100000));

        // predict: the English for a new light picture and a sentence, greedy and by beam search.
        test::writeFile(dir() + "/new.pgm", photo(2, 777));
        test::writeFile(dir() + "/new.csv", "photo,source\nnew.pgm,der stern ist klein bei ida\n");
        for (const char *beam : {"1", "4"}) {
            QCOMPARE(test::runCli({"predict", dir() + "/fused", dir() + "/new.csv", "--json", "--beam", beam}, &out, &err), 0);
            const auto p = nlohmann::json::parse(out);
            QCOMPARE(p.at(0)["predicted"].get<std::string>(), std::string("the light star is small near ida"));
        }
        QCOMPARE(test::runCli({"predict", dir() + "/fused", dir() + "/new.csv"}, &out, &err), 0);
        QVERIFY2(out.find(": the light star is small near ida") != std::string::npos, out.c_str());
        checkExportedRun(dir() + "/fused", true, test["exact_match"].get<double>());
    }

    // CTC over the frames: each tone becomes its letter, repeats separated by the silence.
    void transcriptionWithCtc()
    {
        const std::string exp = experiment("transcription", m_tones, {"--task", "sequence"}, 25);
        const Experiment e = Experiment::load(exp);
        QCOMPARE(e.graph.node("head")->type, std::string("head.ctc"));
        QCOMPARE(e.preprocessing.target.tokens, std::string("char"));
        QCOMPARE(e.training.earlyStopMetric, std::string("val_cer"));
        const auto r = train(exp, dir() + "/ctc");
        qInfo("test split: CTC CER %.4f exact %.1f%%", r["test"]["cer"].get<double>(), r["test"]["exact_match"].get<double>());
        // Chance is far off: 5 letters, 2-4 per clip.
        QVERIFY2(r["test"]["cer"].get<double>() < 0.15, r.dump().c_str());
        QVERIFY2(r["test"]["exact_match"].get<double>() > 60, r.dump().c_str());
        // CTC has no attention: the GUI's heat map says why instead.
        const RunRecord record = RunFolder(dir() + "/ctc").readRecord();
        try {
            attendSample(dir() + "/ctc", record.cache, 0);
            QFAIL("a CTC run has no attention");
        } catch (const Error &error) {
            QVERIFY2(std::string(error.what()).find("CTC") != std::string::npos, error.what());
        }
        checkExportedRun(dir() + "/ctc", false, r["test"]["exact_match"].get<double>());
    }

    // Targets longer than target.max_length are truncated with a warning naming the count (the
    // cache keeps BOS, the first tokens and EOS, and the text itself for the metrics);
    // a classification template on texts to produce is refused with what to use instead.
    void overLongTargetsAndMisfitsAreReported()
    {
        std::string out, err;
        test::writeFile(dir() + "/short.json", R"({"target": {"max_length": 3}})");
        QCOMPARE(test::runCli({"cache", m_translation, "--label-column", "target", "--settings", dir() + "/short.json", "--cache-dir",
                               dir() + "/cache"},
                              &out, &err),
                 0);
        QVERIFY2(err.find("360 target texts are longer than target.max_length (3 tokens) and were truncated") != std::string::npos, err.c_str());
        const TensorCache cache = TensorCache::open(out.substr(0, out.find('\n')));
        QVERIFY(cache.sequence());
        QCOMPARE(cache.targetLength(), std::int64_t(5)); // BOS, 3 tokens, EOS
        const CacheBatch b = cache.batch({0});
        QCOMPARE(b.labels[0][0].item<std::int64_t>(), std::int64_t(2));
        QCOMPARE(b.labels[0][4].item<std::int64_t>(), std::int64_t(3));
        QCOMPARE(cache.targetVocabulary().decode({b.labels[0][1].item<std::int64_t>(), b.labels[0][2].item<std::int64_t>()}),
                 std::string("the ") + cache.targetText(0).substr(4, cache.targetText(0).find(' ', 4) - 4));
        // Training from the experiment builds that cache itself and says the same, in its
        // output and in the run's events.jsonl.
        const std::string shortExp = dir() + "/short.fuselab.json";
        QCOMPARE(test::runCli({"new", "--template", "translation", "--dataset", m_translation, "--label-column", "target", "-o", shortExp}, &out, &err), 0);
        Experiment shortened = Experiment::load(shortExp);
        shortened.preprocessing.target.maxLength = 3;
        shortened.save(shortExp);
        // The second run reuses the cache the first built, and says it again.
        for (const char *run : {"/short-run", "/short-run-again"}) {
            QCOMPARE(test::runCli({"train", shortExp, "--out", dir() + run, "--epochs", "1", "--quiet", "--cache-dir", dir() + "/train-cache"}, &out, &err), 0);
            QVERIFY2(err.find("warning: ") != std::string::npos &&
                         err.find("360 target texts are longer than target.max_length (3 tokens)") != std::string::npos,
                     err.c_str());
            const std::string events = test::readAll(dir() + run + "/events.jsonl");
            QVERIFY2(events.find("\"event\":\"data_issues\"") != std::string::npos && events.find("warning: ") != std::string::npos &&
                         events.find("were truncated") != std::string::npos,
                     events.c_str());
        }
        const std::string exp = dir() + "/misfit.fuselab.json";
        QCOMPARE(test::runCli({"new", "--template", "concat", "--dataset", m_translation, "--label-column", "target", "-o", exp}, &out, &err), 2);
        QVERIFY2(err.find("use captioning, translation or transcription") != std::string::npos, err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSequence)
#include "test_sequence.moc"
