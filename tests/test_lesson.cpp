// SPDX-License-Identifier: GPL-3.0-or-later
// The fusion lesson and modality contributions on a tiny generated dataset whose photo
// decides the class (three brightness levels) and whose caption is noise (words drawn
// independently of the class): the lesson ranks the photo alone far above the caption
// alone, and removing the photo from the fusion drops it to chance while removing the
// caption changes little. The imbalance lesson's split. Grad-CAM lights the image region
// that decides the class. Through fuselab-cli, as a user runs it.
#include "core/document/RunFolder.h"
#include "core/project/Lesson.h"
#include "core/train/Explanation.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace fuselab;

class TestLesson final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

private Q_SLOTS:
    void photoDecidesCaptionIsNoise()
    {
        QVERIFY(m_tmp.isValid());
        const std::string root = m_tmp.path().toStdString();
        test::writePhotoCaptionDataset(root + "/data");
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        std::string out, err;
        QVERIFY2(test::runCli({"lesson", root + "/data/manifest.csv", "--out", root + "/lesson", "--fusions", "concat,late-fusion,attention-fusion", "--epochs", "6",
                               "--quiet"},
                              &out, &err, 300000) == 0,
                 err.c_str());
        const Lesson lesson = readLesson(root + "/lesson");
        QCOMPARE(lesson.runs.size(), std::size_t(5)); // photo only, caption only, concat, late fusion, attention
        const LessonRun *photo = nullptr, *caption = nullptr;
        for (const LessonRun &r : lesson.runs) {
            QVERIFY2(r.status == "finished" && r.test, (r.name + ": " + r.status + " " + r.error).c_str());
            QVERIFY(fs::exists(r.runDir + "/report.json")); // ordinary runs
            QCOMPARE(static_cast<int>(r.valAccuracy.size()), 6);
            QVERIFY(r.parameters > 0);
            if (r.kind == "single" && r.modality == "photo")
                photo = &r;
            if (r.kind == "single" && r.modality == "caption")
                caption = &r;
        }
        QVERIFY(photo && caption);
        // The attention fusion's modality weights per class: each class's weights over the two
        // modalities sum to 1, averaged over its 10 test samples; mean fusions have none.
        const LessonRun &attention = lesson.runs[4];
        QCOMPARE(attention.templateName, std::string("attention-fusion"));
        QCOMPARE(attention.weights.size(), std::size_t(1));
        const FusionWeightsByClass &w = attention.weights[0];
        QVERIFY((w.modalities == std::vector<std::string>{"photo", "caption"}) || (w.modalities == std::vector<std::string>{"caption", "photo"}));
        QCOMPARE(w.perClass.size(), std::size_t(3));
        QVERIFY((w.samples == std::vector<std::int64_t>{10, 10, 10}));
        for (const auto &row : w.perClass)
            QVERIFY(row.size() == 2 && std::abs(row[0] + row[1] - 1.0) < 1e-4 && row[0] > 0 && row[1] > 0);
        // The same averages from each test sample's own explanation (one sample at a time,
        // through the per-sample path), grouped by the label its prediction file records.
        {
            const std::string cache = RunFolder(attention.runDir).readRecord().cache;
            std::vector<std::vector<double>> sum(3, std::vector<double>(2, 0.0));
            std::vector<int> count(3, 0);
            std::ifstream preds(attention.runDir + "/predictions-test.jsonl");
            for (std::string line; std::getline(preds, line);) {
                const auto p = nlohmann::json::parse(line);
                const SampleExplanation ex = explainSample(attention.runDir, cache, p["row"].get<std::int64_t>());
                QCOMPARE(ex.weights.size(), std::size_t(1));
                QVERIFY(ex.weights[0].modalities == w.modalities);
                const int label = p["label"].get<int>();
                for (std::size_t m = 0; m < 2; ++m)
                    sum[static_cast<std::size_t>(label)][m] += ex.weights[0].weights[m];
                ++count[static_cast<std::size_t>(label)];
            }
            QVERIFY((count == std::vector<int>{10, 10, 10}));
            for (std::size_t c = 0; c < 3; ++c)
                for (std::size_t m = 0; m < 2; ++m)
                    QVERIFY2(std::abs(w.perClass[c][m] - sum[c][m] / count[c]) < 1e-5,
                             qPrintable(QString("class %1, modality %2: %3 vs %4").arg(c).arg(m).arg(w.perClass[c][m]).arg(sum[c][m] / count[c])));
        }
        QVERIFY(std::abs(w.overall[0] + w.overall[1] - 1.0) < 1e-4);
        QVERIFY(std::abs(w.overall[0] - (w.perClass[0][0] + w.perClass[1][0] + w.perClass[2][0]) / 3) < 1e-6); // equal class counts
        QVERIFY(lesson.runs[3].weights.empty()); // late fusion's mean: equal by construction
        QVERIFY(test::readAll(root + "/lesson/lesson.md").find("Modality weights of attention-fusion") != std::string::npos);
        QVERIFY2(photo->test->accuracy >= 0.9, std::to_string(photo->test->accuracy).c_str());
        QVERIFY2(caption->test->accuracy <= 0.6, std::to_string(caption->test->accuracy).c_str());
        QCOMPARE(lesson.runs[static_cast<std::size_t>(lesson.bestSingle)].modality, std::string("photo"));
        QVERIFY(lesson.bestFusion >= 2);
        QVERIFY(!lesson.verdict.empty());
        // What each modality brings to the best fusion: without the photo, chance; without the caption, little change.
        QCOMPARE(lesson.contributions.size(), std::size_t(3));
        double all = 0, noPhoto = 0, noCaption = 0;
        for (const auto &c : lesson.contributions) {
            if (c.removed.empty())
                all = c.metrics.accuracy;
            else if (c.removed == "photo")
                noPhoto = c.metrics.accuracy;
            else if (c.removed == "caption")
                noCaption = c.metrics.accuracy;
        }
        QVERIFY2(all >= 0.9, std::to_string(all).c_str());
        QVERIFY2(noPhoto <= 0.6, std::to_string(noPhoto).c_str());
        QVERIFY2(std::abs(noCaption - all) <= 0.15, (std::to_string(noCaption) + " vs " + std::to_string(all)).c_str());
        qInfo("photo only %.2f, caption only %.2f; best fusion %.2f, without the photo %.2f, without the caption %.2f; %s",
              photo->test->accuracy, caption->test->accuracy, all, noPhoto, noCaption, lesson.verdict.c_str());
        // The table a teacher hands out, and the same figures from `contributions`.
        const std::string md = test::readAll(root + "/lesson/lesson.md");
        QVERIFY(md.find("| model | kind | test accuracy |") != std::string::npos && md.find("**(best)**") != std::string::npos);
        QVERIFY(out.find(lesson.verdict) != std::string::npos);
        const LessonRun &best = lesson.runs[static_cast<std::size_t>(lesson.bestFusion)];
        QVERIFY2(test::runCli({"contributions", best.runDir, "--json"}, &out, &err) == 0, err.c_str());
        const auto j = nlohmann::json::parse(out);
        QCOMPARE(j.size(), std::size_t(3));
        QCOMPARE(j[1]["metrics"]["accuracy"].get<double>(), lesson.contributions[1].metrics.accuracy);

        // The imbalance lesson: "dark" made 5% of the training split (40 of 120 -> 4 of 84),
        // validation and test untouched; four remedies, each an ordinary run.
        QVERIFY2(test::runCli({"imbalance", root + "/data/manifest.csv", "--class", "dark", "--ratio", "0.05", "--out", root + "/imb",
                               "--template", "image-cnn", "--epochs", "3", "--quiet"},
                              &out, &err, 300000) == 0,
                 err.c_str());
        const auto imb = nlohmann::json::parse(test::readAll(root + "/imb/imbalance.json"));
        QCOMPARE(imb["runs"].size(), std::size_t(4));
        std::vector<std::string> remedies;
        for (const auto &r : imb["runs"]) {
            QVERIFY2(r["status"] == "finished", r.dump().c_str());
            QCOMPARE(r["train_samples"].get<int>(), 84);
            QCOMPARE(r["rare_train_samples"].get<int>(), 4);
            QVERIFY(r.contains("rare_recall") && r["test_recall"].size() == 3);
            remedies.push_back(r["remedy"].get<std::string>());
            std::string line;
            std::ifstream events(r["run_dir"].get<std::string>() + "/events.jsonl");
            while (std::getline(events, line)) {
                const auto j = nlohmann::json::parse(line);
                if (j["event"] == "run_started") {
                    QCOMPARE(j["train_samples"].get<int>(), 84);
                    QCOMPARE(j["val_samples"].get<int>(), 30); // untouched
                    QCOMPARE(j["test_samples"].get<int>(), 30);
                }
            }
        }
        QVERIFY((remedies == std::vector<std::string>{"none", "class weights", "balanced sampler", "oversampling + augmentation"}));
        const auto weighted = nlohmann::json::parse(test::readAll(imb["runs"][1]["run_dir"].get<std::string>() + "/experiment.fuselab.json"));
        QVERIFY(weighted["training"]["class_weights"] == true && weighted["dataset"]["imbalance"]["class"] == "dark");
        QVERIFY(test::readAll(root + "/imb/imbalance.md").find("recall of dark") != std::string::npos);
        QVERIFY(test::runCli({"imbalance", root + "/data/manifest.csv", "--class", "purple", "--out", root + "/imb2"}, &out, &err) == 2);
        QVERIFY2(err.find("no class \"purple\"") != std::string::npos, err.c_str());

        // A dataset with one modality is refused with the reason.
        // A class-folder tree of photos alone, then a manifest with one column.
        for (int i = 0; i < 4; ++i) {
            fs::create_directories(root + "/data-one/" + (i % 2 ? "dark" : "light"));
            fs::copy_file(root + "/data/p" + std::to_string(i) + ".pgm", root + "/data-one/" + (i % 2 ? "dark/" : "light/") + std::to_string(i) + ".pgm");
        }
        QCOMPARE(test::runCli({"lesson", root + "/data-one", "--out", root + "/l2"}, &out, &err), 2);
        QVERIFY2(err.find("one modality") != std::string::npos, err.c_str());
        QVERIFY(!fs::exists(root + "/l2/lesson.json"));
        test::writeFile(root + "/one/manifest.csv", "photo,label\np0.pgm,dark\n");
        fs::copy_file(root + "/data/p0.pgm", root + "/one/p0.pgm");
        QVERIFY(test::runCli({"lesson", root + "/one/manifest.csv", "--out", root + "/l3"}, &out, &err) == 2);
        QVERIFY2(err.find("one modality") != std::string::npos, err.c_str());
    }

    // Grad-CAM on a known answer: the class is decided by a bright 5x5 patch in the top-left
    // corner of noise images; for every test image of that class the map is strongest in
    // the top-left quadrant.
    void gradCamLightsTheDecidingCorner()
    {
        const std::string root = m_tmp.path().toStdString() + "/corner";
        std::mt19937 rng(11);
        std::string manifest = "image,label,split\n";
        for (int i = 0; i < 240; ++i) {
            const bool corner = i % 2 == 0;
            std::string pgm = "P5\n16 16\n255\n";
            for (int y = 0; y < 16; ++y)
                for (int x = 0; x < 16; ++x)
                    pgm += static_cast<char>(corner && y < 5 && x < 5 ? 230 + static_cast<int>(rng() % 20) : static_cast<int>(rng() % 150));
            const std::string file = "c" + std::to_string(i) + ".pgm";
            test::writeFile(root + "/" + file, pgm);
            manifest += file + "," + (corner ? "corner" : "plain") + "," + (i < 180 ? "train" : i < 210 ? "val" : "test") + "\n";
        }
        test::writeFile(root + "/manifest.csv", manifest);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "image-cnn", "--dataset", root + "/manifest.csv", "-o", root + "/c.fuselab.json"}, &out, &err) == 0,
                 err.c_str());
        QVERIFY2(test::runCli({"train", root + "/c.fuselab.json", "--out", root + "/run", "--epochs", "8", "--quiet"}, &out, &err) == 0, err.c_str());
        std::vector<std::int64_t> rows;
        std::ifstream preds(root + "/run/predictions-test.jsonl");
        std::string line;
        while (std::getline(preds, line)) {
            const auto p = nlohmann::json::parse(line);
            if (p["label"] == 0) // "corner" sorts first
                rows.push_back(p["row"].get<std::int64_t>());
        }
        QCOMPARE(static_cast<int>(rows.size()), 15);
        // The engine's explainer in this process for every row (one process per row cost
        // most of this test's time); the CLI's JSON for the first row must say the same.
        const std::string cache = RunFolder(root + "/run").readRecord().cache;
        int lit = 0;
        for (const std::int64_t row : rows) {
            const SampleExplanation ex = explainSample(root + "/run", cache, row, 0);
            QCOMPARE(ex.maps.size(), std::size_t(1));
            const GradCamMap &m = ex.maps[0];
            QCOMPARE(m.height, 16);
            QCOMPARE(m.width, 16);
            double q[4] = {0, 0, 0, 0};
            for (int y = 0; y < 16; ++y)
                for (int x = 0; x < 16; ++x)
                    q[(y >= 8) * 2 + (x >= 8)] += m.values[static_cast<std::size_t>(y * 16 + x)];
            lit += q[0] > q[1] && q[0] > q[2] && q[0] > q[3];
        }
        {
            QVERIFY2(test::runCli({"explain", root + "/run", "--row", std::to_string(rows[0]), "--class", "corner", "--json"}, &out, &err) == 0, err.c_str());
            const auto cli = nlohmann::json::parse(out);
            const SampleExplanation ex = explainSample(root + "/run", cache, rows[0], 0);
            QCOMPARE(cli["grad_cam"].size(), std::size_t(1));
            QCOMPARE(cli["grad_cam"][0]["values"].size(), ex.maps[0].values.size());
            for (std::size_t k = 0; k < ex.maps[0].values.size(); ++k)
                QVERIFY(std::abs(cli["grad_cam"][0]["values"][k].get<double>() - ex.maps[0].values[k]) < 1e-5);
        }
        QVERIFY2(lit >= 13, (std::to_string(lit) + " of 15").c_str());
        qInfo("Grad-CAM strongest in the deciding corner for %d of %zu test images", lit, rows.size());
        QVERIFY2(test::runCli({"explain", root + "/run", "--row", std::to_string(rows[0])}, &out, &err) == 0, err.c_str());
        QVERIFY2(out.find("Grad-CAM of") != std::string::npos, out.c_str());
        QVERIFY(test::runCli({"explain", root + "/run", "--row", "99999"}, &out, &err) != 0);
        QVERIFY2(err.find("99999") != std::string::npos, err.c_str());
    }

    // Token importance on a known answer: one word of five decides the class (sun, moon or
    // star, anywhere in the sentence), the other four are drawn independently of it; for the
    // test sentences, leaving out that word costs the most probability.
    void tokenImportanceFindsTheDecidingWord()
    {
        const std::string root = m_tmp.path().toStdString() + "/words";
        std::mt19937 rng(5);
        const char *keys[] = {"sun", "moon", "star"};
        const char *noise[] = {"red", "blue", "tall", "small", "old", "new", "round", "flat"};
        std::string manifest = "caption,label,split\n";
        std::vector<std::string> keyOfRow;
        for (int i = 0; i < 240; ++i) {
            const int c = i % 3;
            std::vector<std::string> words;
            for (int w = 0; w < 4; ++w)
                words.push_back(noise[rng() % 8]);
            words.insert(words.begin() + static_cast<long>(rng() % 5), keys[c]);
            std::string caption;
            for (const auto &w : words)
                caption += (caption.empty() ? "" : " ") + w;
            manifest += caption + "," + std::string("c") + keys[c] + "," + (i < 180 ? "train" : i < 210 ? "val" : "test") + "\n";
            keyOfRow.push_back(keys[c]);
        }
        test::writeFile(root + "/manifest.csv", manifest);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "text-gru", "--dataset", root + "/manifest.csv", "-o", root + "/t.fuselab.json"}, &out, &err) == 0,
                 err.c_str());
        QVERIFY2(test::runCli({"train", root + "/t.fuselab.json", "--out", root + "/run", "--epochs", "10", "--quiet"}, &out, &err) == 0, err.c_str());
        std::ifstream preds(root + "/run/predictions-test.jsonl");
        std::string line;
        const std::string cache = RunFolder(root + "/run").readRecord().cache;
        int found = 0, rows = 0;
        std::int64_t firstRow = -1;
        while (std::getline(preds, line)) {
            const auto p = nlohmann::json::parse(line);
            const std::int64_t row = p["row"].get<std::int64_t>();
            if (firstRow < 0)
                firstRow = row;
            const SampleExplanation ex = explainSample(root + "/run", cache, row);
            QCOMPARE(ex.text.size(), std::size_t(1));
            const TokenImportance &t = ex.text[0];
            QCOMPARE(t.tokens.size(), std::size_t(5)); // the sentence's five words, padding left out
            QCOMPARE(t.importance.size(), std::size_t(5));
            const std::size_t top = static_cast<std::size_t>(std::max_element(t.importance.begin(), t.importance.end()) - t.importance.begin());
            ++rows;
            found += t.tokens[top] == keyOfRow[static_cast<std::size_t>(row)];
        }
        {
            QVERIFY2(test::runCli({"explain", root + "/run", "--row", std::to_string(firstRow), "--json"}, &out, &err) == 0, err.c_str());
            const auto cli = nlohmann::json::parse(out);
            const SampleExplanation ex = explainSample(root + "/run", cache, firstRow);
            QCOMPARE(cli["token_importance"].size(), std::size_t(1));
            QVERIFY(cli["token_importance"][0]["tokens"] == nlohmann::json(ex.text[0].tokens));
            for (std::size_t k = 0; k < ex.text[0].importance.size(); ++k)
                QVERIFY(std::abs(cli["token_importance"][0]["importance"][k].get<double>() - ex.text[0].importance[k]) < 1e-5);
        }
        QCOMPARE(rows, 30);
        QVERIFY2(found >= 27, (std::to_string(found) + " of 30").c_str());
        qInfo("the deciding word is the most important token for %d of %d test sentences", found, rows);
    }

    // Occlusion on a known answer: a short tone at a random time decides the class by its
    // pitch (low, high) or its absence (none, noise only); for the test clips with a tone,
    // replacing the cells where the tone sounds costs the most probability.
    void audioOcclusionFindsTheTone()
    {
        const std::string root = m_tmp.path().toStdString() + "/tones";
        std::mt19937 rng(9);
        std::normal_distribution<float> gauss(0.f, 0.02f);
        std::uniform_real_distribution<double> startAt(0.0, 0.75);
        const char *classes[] = {"high", "low", "none"}; // sorted, as the run numbers them
        const double pitch[] = {3000, 500, 0};
        std::string manifest = "audio,label,split\n";
        const int rate = 16000;
        std::vector<double> starts;
        for (int i = 0; i < 180; ++i) {
            const int c = i % 3;
            const double start = startAt(rng);
            std::vector<float> x(rate);
            for (int k = 0; k < rate; ++k) {
                const double t = static_cast<double>(k) / rate;
                const bool on = c < 2 && t >= start && t < start + 0.25;
                x[static_cast<std::size_t>(k)] = gauss(rng) + (on ? 0.4f * static_cast<float>(std::sin(2 * M_PI * pitch[c] * t)) : 0.f);
            }
            const std::string file = "a" + std::to_string(i) + ".wav";
            test::writeAudio(root + "/" + file, x, rate, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
            manifest += file + "," + classes[c] + "," + (i < 120 ? "train" : i < 150 ? "val" : "test") + "\n";
            starts.push_back(start);
        }
        test::writeFile(root + "/manifest.csv", manifest);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "audio-cnn", "--dataset", root + "/manifest.csv", "-o", root + "/a.fuselab.json"}, &out, &err) == 0,
                 err.c_str());
        QVERIFY2(test::runCli({"train", root + "/a.fuselab.json", "--out", root + "/run", "--epochs", "8", "--quiet"}, &out, &err) == 0, err.c_str());
        std::ifstream preds(root + "/run/predictions-test.jsonl");
        std::string line;
        const std::string cache = RunFolder(root + "/run").readRecord().cache;
        int inside = 0, toned = 0;
        std::int64_t firstRow = -1;
        int firstLabel = -1;
        while (std::getline(preds, line)) {
            const auto p = nlohmann::json::parse(line);
            const int label = p["label"].get<int>();
            const std::int64_t row = p["row"].get<std::int64_t>();
            if (label == 2)
                continue;
            if (firstRow < 0) {
                firstRow = row;
                firstLabel = label;
            }
            const SampleExplanation ex = explainSample(root + "/run", cache, row, label);
            QCOMPARE(ex.audio.size(), std::size_t(1));
            const OcclusionMap &m = ex.audio[0];
            const int bands = m.bands, segments = m.segments;
            QCOMPARE(m.values.size(), static_cast<std::size_t>(bands * segments));
            // The loss summed over the bands of each time segment: where in time the class is decided.
            std::vector<double> loss(static_cast<std::size_t>(segments), 0.0);
            for (int k = 0; k < bands * segments; ++k)
                loss[static_cast<std::size_t>(k % segments)] += m.values[static_cast<std::size_t>(k)];
            const int best = static_cast<int>(std::max_element(loss.begin(), loss.end()) - loss.begin());
            const double from = static_cast<double>(best) / segments, to = static_cast<double>(best + 1) / segments;
            const double start = starts[static_cast<std::size_t>(row)];
            ++toned;
            inside += to > start && from < start + 0.25; // the segment overlaps the tone
        }
        QCOMPARE(toned, 20);
        {
            QVERIFY2(test::runCli({"explain", root + "/run", "--row", std::to_string(firstRow), "--class", classes[firstLabel], "--json"}, &out, &err) == 0,
                     err.c_str());
            const auto cli = nlohmann::json::parse(out);
            const SampleExplanation ex = explainSample(root + "/run", cache, firstRow, firstLabel);
            QCOMPARE(cli["audio_occlusion"].size(), std::size_t(1));
            QCOMPARE(cli["audio_occlusion"][0]["values"].size(), ex.audio[0].values.size());
            for (std::size_t k = 0; k < ex.audio[0].values.size(); ++k)
                QVERIFY(std::abs(cli["audio_occlusion"][0]["values"][k].get<double>() - ex.audio[0].values[k]) < 1e-5);
        }
        QVERIFY2(inside >= 17, (std::to_string(inside) + " of 20").c_str());
        qInfo("occlusion is strongest where the tone sounds for %d of %d test clips", inside, toned);
    }
};

QTEST_GUILESS_MAIN(TestLesson)
#include "test_lesson.moc"
