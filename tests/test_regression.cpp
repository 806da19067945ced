// SPDX-License-Identifier: GPL-3.0-or-later
// A number per sample (regression), end to end through fuselab-cli as a user runs it:
// inspect finds the task and says why, `new --template regression` makes the model, train
// reports MAE/RMSE/Pearson/R², eval --json and predict give the numbers. The data: an 8x8
// grey photo whose brightness carries one part of the target and a caption naming a digit
// that carries the other, so only a model that fuses both can predict it well.
#include "core/cache/TensorCache.h"
#include "core/document/Experiment.h"
#include "core/document/RunFolder.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace fuselab;

namespace {

const char *const kDigits[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

std::string photo(double level, int seed)
{
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::string pgm = "P5\n8 8\n255\n";
    for (int p = 0; p < 64; ++p)
        pgm += static_cast<char>(std::clamp(static_cast<int>(30 + 190 * level) + static_cast<int>(rng() % 21) - 10, 0, 255));
    return pgm;
}

// target = 4 · brightness + 0.6 · digit (+ a little noise): brightness in [0, 1], digit 0..9.
double target(double level, int digit) { return 4.0 * level + 0.6 * digit; }

} // namespace

class TestRegression final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string dir() const { return m_tmp.path().toStdString(); }
    std::string m_manifest;

    // An experiment from a template, sized for a quick test, saved beside the data.
    std::string experiment(const std::string &templ)
    {
        std::string out, err;
        const std::string exp = dir() + "/" + templ + ".fuselab.json";
        if (test::runCli({"new", "--template", templ, "--dataset", m_manifest, "--label-column", "score", "-o", exp}, &out, &err) != 0)
            qFatal("new --template %s: %s", templ.c_str(), err.c_str());
        Experiment e = Experiment::load(exp);
        e.training.epochs = 30;
        e.training.patience = 0;
        e.training.threads = 2;
        e.training.learningRate = 0.003;
        e.save(exp);
        return exp;
    }

    nlohmann::json train(const std::string &exp, const std::string &run)
    {
        std::string out, err;
        const int rc = test::runCli({"train", exp, "--out", run, "--cache-dir", dir() + "/cache"}, &out, &err, 300000);
        if (rc != 0)
            qFatal("train %s: %s", exp.c_str(), err.c_str());
        m_lastOut = out;
        m_lastErr = err;
        return nlohmann::json::parse(test::readAll(run + "/report.json"));
    }
    std::string m_lastOut, m_lastErr;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        std::mt19937 rng(5);
        std::uniform_real_distribution<double> uniform(0, 1);
        std::normal_distribution<double> noise(0, 0.05);
        std::string manifest = "photo,caption,score\n";
        for (int i = 0; i < 320; ++i) {
            const double level = uniform(rng);
            const int digit = static_cast<int>(rng() % 10);
            const std::string file = "p" + std::to_string(i) + ".pgm";
            test::writeFile(dir() + "/data/" + file, photo(level, i));
            manifest += file + ",the number " + kDigits[digit] + "," + std::to_string(target(level, digit) + noise(rng)) + "\n";
        }
        manifest += "bad.pgm,the number one,not-a-number\n"; // a user's typo: skipped, named
        test::writeFile(dir() + "/data/bad.pgm", photo(0.5, 999));
        test::writeFile(dir() + "/data/manifest.csv", manifest);
        m_manifest = dir() + "/data/manifest.csv";
    }

    void inspectFindsTheTaskAndSaysWhy()
    {
        std::string out, err;
        QCOMPARE(test::runCli({"inspect", m_manifest, "--label-column", "score", "--json"}, &out, &err), 0);
        const auto r = nlohmann::json::parse(out);
        QCOMPARE(r["dataset"]["task"].get<std::string>(), std::string("regression"));
        QVERIFY2(r["dataset"]["task_reason"].get<std::string>().find("not whole numbers") != std::string::npos, out.c_str());
        QCOMPARE(r["targets"]["count"].get<int>(), 320);
        QVERIFY(r["targets"]["value"]["min"].get<double>() < 0.5 && r["targets"]["value"]["max"].get<double>() > 8.5);
        QVERIFY(r["usable"].get<bool>());
        QVERIFY2(out.find("not-a-number") != std::string::npos, out.c_str()); // the skipped row, with its label
        QCOMPARE(test::runCli({"inspect", m_manifest, "--label-column", "score"}, &out, &err), 0);
        QVERIFY2(out.find("Task      regression") != std::string::npos, out.c_str());
        // --task sequence is accepted by inspect (it reports), and refused by training with the reason.
        QCOMPARE(test::runCli({"inspect", m_manifest, "--task", "bogus"}, &out, &err), 2);
        QVERIFY2(err.find("--task expects") != std::string::npos, err.c_str());
    }

    // The fused model learns both parts of the target; the photo alone cannot know the
    // digit, so it explains much less of the variance.
    void fusionPredictsTheNumberAndBeatsThePhotoAlone()
    {
        const std::string fusedExp = experiment("regression");
        const Experiment e = Experiment::load(fusedExp);
        QCOMPARE(e.dataset.task, Task::Regression);
        QCOMPARE(e.training.earlyStopMetric, std::string("val_rmse"));
        QCOMPARE(e.graph.node("head")->type, std::string("head.regression"));
        const auto fused = train(fusedExp, dir() + "/fused");
        QVERIFY2(m_lastErr.find("val RMSE") != std::string::npos, m_lastErr.c_str());
        QVERIFY2(m_lastOut.find("MAE") != std::string::npos && m_lastOut.find("R²") != std::string::npos, m_lastOut.c_str());
        const auto &test = fused["test"];
        QCOMPARE(test["task"].get<std::string>(), std::string("regression"));
        // The targets' standard deviation is about 2.0 (4·U(0,1) and 0.6·U{0..9} add 1.33 + 2.97
        // in variance): predicting the mean would give an RMSE near 2 and R² 0.
        QVERIFY2(test["r2"].get<double>() > 0.9, fused.dump().c_str());
        QVERIFY2(test["rmse"].get<double>() < 0.6, fused.dump().c_str());
        // The run history's headline figure for a number is R², not a 0% accuracy.
        const RunSummary summary = RunFolder(dir() + "/fused").summary();
        QCOMPARE(summary.score, std::string("r2"));
        QVERIFY(summary.testScore && std::abs(*summary.testScore - test["r2"].get<double>()) < 1e-9);
        QVERIFY2(test["pearson"].get<double>() > 0.95, fused.dump().c_str());
        const std::string header = test::readAll(dir() + "/fused/metrics.csv").substr(0, 200);
        QVERIFY2(header.find("val_rmse") != std::string::npos, header.c_str());

        const auto photoOnly = train(experiment("image-cnn"), dir() + "/photo");
        qInfo("test split: fused R² %.4f RMSE %.4f MAE %.4f; photo alone R² %.4f RMSE %.4f", test["r2"].get<double>(),
              test["rmse"].get<double>(), test["mae"].get<double>(), photoOnly["test"]["r2"].get<double>(), photoOnly["test"]["rmse"].get<double>());
        QVERIFY2(photoOnly["test"]["r2"].get<double>() < test["r2"].get<double>() - 0.3, photoOnly.dump().c_str());

        // eval --json: the same numbers as the run's report (the best checkpoint on test).
        std::string out, err;
        QCOMPARE(test::runCli({"eval", dir() + "/fused", "--json"}, &out, &err), 0);
        const auto ev = nlohmann::json::parse(out);
        for (const char *k : {"mae", "rmse", "pearson", "r2"})
            QVERIFY2(std::abs(ev[k].get<double>() - test[k].get<double>()) < 1e-6, k);

        // predict: the number for a new photo and caption (truth 4·0.9 + 0.6·7 = 7.8).
        test::writeFile(dir() + "/new.pgm", photo(0.9, 4242));
        test::writeFile(dir() + "/new.csv", "photo,caption\nnew.pgm,the number seven\nnew.pgm,the number zero\n");
        QCOMPARE(test::runCli({"predict", dir() + "/fused", dir() + "/new.csv", "--json"}, &out, &err), 0);
        const auto p = nlohmann::json::parse(out);
        QCOMPARE(p.size(), std::size_t(2));
        QVERIFY2(std::abs(p[0]["predicted"].get<double>() - 7.8) < 1.0, out.c_str());
        QVERIFY2(std::abs(p[1]["predicted"].get<double>() - 3.6) < 1.0, out.c_str()); // 4·0.9 + 0
        QCOMPARE(test::runCli({"predict", dir() + "/fused", dir() + "/new.csv"}, &out, &err), 0);
        QVERIFY2(out.find("score ") != std::string::npos, out.c_str());

        // The cache holds the targets as numbers; batches carry them as floats.
        const auto info = nlohmann::json::parse(test::readAll(dir() + "/fused/run.json"));
        const TensorCache cache = TensorCache::open(info["cache"].get<std::string>());
        QVERIFY(cache.regression());
        const auto rows = cache.rows(Split::Train);
        const CacheBatch b = cache.batch({rows[0], rows[1]});
        QCOMPARE(b.labels.scalar_type(), at::kFloat);
        QCOMPARE(static_cast<double>(b.labels[1].item<float>()), static_cast<double>(static_cast<float>(cache.target(rows[1]))));
    }

    // What does not fit is refused with the reason, before any training.
    void mismatchesAreRefusedWithTheirReason()
    {
        std::string out, err;
        const std::string exp = dir() + "/late.fuselab.json";
        QCOMPARE(test::runCli({"new", "--template", "late-fusion", "--dataset", m_manifest, "--label-column", "score", "-o", exp}, &out, &err), 2);
        QVERIFY2(err.find("late fusion averages class scores") != std::string::npos, err.c_str());
        const std::string demo = std::string(FUSELAB_TEST_DATA_DIR) + "/../../resources/demo";
        QCOMPARE(test::runCli({"new", "--template", "regression", "--dataset", demo, "-o", exp}, &out, &err), 2);
        QVERIFY2(err.find("predicts a number") != std::string::npos, err.c_str());
        // The regression template on the data read as classes (--task classification): refused.
        QCOMPARE(test::runCli({"new", "--template", "regression", "--dataset", m_manifest, "--label-column", "score", "--task",
                               "classification", "-o", exp},
                              &out, &err),
                 2);
        // A sequence task: refused by the cache with what to do.
        QCOMPARE(test::runCli({"new", "--template", "concat", "--dataset", m_manifest, "--label-column", "caption", "--task", "sequence", "-o",
                               exp},
                              &out, &err),
                 2);
        QVERIFY2(err.find("sequence task") != std::string::npos, err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestRegression)
#include "test_regression.moc"
