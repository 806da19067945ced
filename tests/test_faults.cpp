// SPDX-License-Identifier: GPL-3.0-or-later
// Faults during training, as a user meets them (docs/reliability.md), through fuselab-cli:
// SIGTERM and SIGINT stop a run within a batch with a checkpoint that --resume continues;
// SIGKILL at seeded random moments never leaves a checkpoint that fails to load; a full disk
// while checkpointing (an injected ENOSPC, and a real RLIMIT_FSIZE) stops the run with the
// reason and keeps the previous checkpoint; a dataset file deleted or truncated after the
// cache was built leaves training unaffected and is reported by a rebuild; checkpoints and
// run folders edited by hand are refused with the reason and nothing is overwritten. And the
// checkpoint structure check on every truncation of a real checkpoint.
#include "core/document/RunFolder.h"
#include "core/util/ArchiveCheck.h"
#include "core/util/Error.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <random>
#include <sys/resource.h>

namespace fs = std::filesystem;
using namespace fuselab;

namespace {

// "" when the checkpoint passes the structure check and LibTorch loads it; else the reason.
std::string checkpointLoads(const std::string &path, int *epoch = nullptr)
{
    if (const std::string p = archiveFileProblem(path); !p.empty())
        return p;
    try {
        torch::serialize::InputArchive a;
        a.load_from(path);
        c10::IValue v;
        a.read("epoch", v);
        if (epoch)
            *epoch = static_cast<int>(v.toInt());
        return {};
    } catch (const std::exception &e) {
        return e.what();
    }
}

bool waitUntil(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(5);
    }
    return true;
}

int metricRows(const std::string &runDir)
{
    const std::string file = RunFolder(runDir).metricsFile();
    const std::string text = fs::exists(file) ? test::readAll(file) : std::string();
    return std::max(0, static_cast<int>(std::count(text.begin(), text.end(), '\n')) - 1); // less the header
}
std::string last(const std::string &run) { return RunFolder(run).lastCheckpoint(); }
std::string best(const std::string &run) { return RunFolder(run).bestCheckpoint(); }

} // namespace

class TestFaults final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string m_root, m_experiment;

    // Sends `sig` to the process, never to a pid of 0 (that would be this whole process group).
    static bool signal(QProcess &p, int sig)
    {
        const qint64 pid = p.processId();
        if (p.state() != QProcess::Running || pid <= 0)
            return false;
        return ::kill(static_cast<pid_t>(pid), sig) == 0;
    }

    void start(QProcess &p, const std::vector<std::string> &args)
    {
        QStringList list;
        for (const auto &a : args)
            list << QString::fromStdString(a);
        p.start(QStringLiteral(FUSELAB_CLI_PATH), list);
        QVERIFY(p.waitForStarted());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_root = m_tmp.path().toStdString();
        test::writeBrightnessClasses(m_root + "/data");
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(m_root + "/cache"));
        m_experiment = m_root + "/e.fuselab.json";
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "image-cnn", "--dataset", m_root + "/data", "-o", m_experiment}, &out, &err) == 0, err.c_str());
        // Every epoch runs (no early stop), so the epoch counts below are exact.
        auto e = nlohmann::json::parse(test::readAll(m_experiment));
        e["training"]["early_stopping"]["patience"] = 0;
        test::writeFile(m_experiment, e.dump(2));
        // A finished run: the cache built once, a checkpoint to edit by hand later.
        QVERIFY2(test::runCli({"train", m_experiment, "--out", m_root + "/base", "--epochs", "2", "--quiet"}, &out, &err) == 0, err.c_str());
        const std::string why = checkpointLoads(last(m_root + "/base"));
        QVERIFY2(why.empty(), why.c_str());
    }

    // The structure check on a real checkpoint: it passes whole; every truncation fails it with a
    // reason; damage anywhere never crashes it.
    void checkpointStructure()
    {
        const std::string good = test::readAll(last(m_root + "/base"));
        QCOMPARE(archiveStructureProblem(good), std::string());
        for (std::size_t n = 0; n < good.size(); n += std::max<std::size_t>(1, good.size() / 997))
            QVERIFY2(!archiveStructureProblem(std::string_view(good).substr(0, n)).empty(), std::to_string(n).c_str());
        std::mt19937 rng(7);
        int refused = 0;
        for (int trial = 0; trial < 2000; ++trial) {
            std::string bad = good;
            for (int k = 0; k < 1 + trial % 4; ++k)
                bad[rng() % bad.size()] = static_cast<char>(rng());
            refused += !archiveStructureProblem(bad).empty(); // a flipped timestamp or data byte may pass
        }
        qInfo("random byte damage refused by the structure check in %d of 2000 trials", refused);
        QVERIFY(archiveStructureProblem("PK\x05\x06" + std::string(18, '\0')).find("records") != std::string::npos);
        QVERIFY(archiveFileProblem(m_root + "/no-such.pt").find("no-such.pt") != std::string::npos);
    }

    void sigtermAndSigintStopWithinABatchAndResume()
    {
        for (const int sig : {SIGTERM, SIGINT}) {
            const std::string run = m_root + "/sig" + std::to_string(sig);
            QProcess p;
            start(p, {"train", m_experiment, "--out", run, "--epochs", "40", "--quiet"});
            QVERIFY(waitUntil([&] { return metricRows(run) >= 1; }, 60000));
            QElapsedTimer t;
            t.start();
            QVERIFY(signal(p, sig));
            QVERIFY(p.waitForFinished(30000));
            const qint64 ms = t.elapsed();
            const std::string err = p.readAllStandardError().toStdString();
            qInfo("signal %d: the run stopped %lld ms later", sig, static_cast<long long>(ms));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 0);
            QVERIFY2(err.find("stopped after") != std::string::npos, err.c_str());
            QVERIFY2(ms < 3000, std::to_string(ms).c_str()); // a batch here takes milliseconds; the rest is saving and exiting
            QCOMPARE(RunFolder(run).status(), RunStatus::Stopped);
            int epoch = -1;
            QCOMPARE(checkpointLoads(last(run), &epoch), std::string());
            QVERIFY(epoch >= 1 && epoch < 40);
            std::string out, err2;
            QVERIFY2(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err2, 120000) == 0, err2.c_str());
            QCOMPARE(RunFolder(run).status(), RunStatus::Finished);
            const auto rows = RunFolder(run).readMetrics();
            QCOMPARE(static_cast<int>(rows.size()), 40);
            for (int e = 0; e < 40; ++e)
                QCOMPARE(rows[static_cast<std::size_t>(e)].epoch, e + 1); // each epoch once, in order
        }
    }

    void sigkillNeverLeavesABrokenCheckpoint()
    {
        // The moments are drawn around how long this machine takes to write the first
        // checkpoint (a sanitizer build or a busy CI machine is several times slower), from
        // before it (startup, the first epoch) to well past it (later checkpoints).
        QElapsedTimer clock;
        clock.start();
        {
            QProcess p;
            start(p, {"train", m_experiment, "--out", m_root + "/kill-calibration", "--epochs", "60", "--quiet"});
            QVERIFY(waitUntil([&] { return fs::exists(last(m_root + "/kill-calibration")); }, 120000));
            signal(p, SIGKILL);
            p.waitForFinished(30000);
        }
        const int first = static_cast<int>(clock.elapsed());
        std::mt19937 rng(20261127);
        std::uniform_int_distribution<int> delay(first / 4, first * 3);
        int withCheckpoint = 0;
        std::string resumable;
        for (int trial = 0; trial < 20; ++trial) {
            const std::string run = m_root + "/kill" + std::to_string(trial);
            QProcess p;
            start(p, {"train", m_experiment, "--out", run, "--epochs", "60", "--quiet"});
            QTest::qWait(delay(rng));
            if (!signal(p, SIGKILL)) // the run ended first: it must have ended well
                QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
            else
                QVERIFY(p.waitForFinished(30000));
            for (const std::string &file : {last(run), best(run)})
                if (fs::exists(file)) {
                    const std::string why = checkpointLoads(file);
                    QVERIFY2(why.empty(), (file + ": " + why).c_str());
                }
            if (fs::exists(last(run))) {
                ++withCheckpoint;
                resumable = run;
            }
            if (fs::exists(run)) { // the folder's files stay readable (a half-written log line is dropped)
                QVERIFY(RunFolder(run).status() != RunStatus::Running);
                RunFolder(run).readMetrics();
            }
        }
        qInfo("SIGKILL at 20 seeded moments (%d-%d ms; the first checkpoint came after %d ms): %d runs had a checkpoint, every one loads",
              first / 4, first * 3, first, withCheckpoint);
        QVERIFY(withCheckpoint >= 5);
        std::string out, err;
        QVERIFY2(test::runCli({"train", "--resume", resumable, "--quiet"}, &out, &err, 120000) == 0, err.c_str());
        QCOMPARE(RunFolder(resumable).status(), RunStatus::Finished);
        QCOMPARE(static_cast<int>(RunFolder(resumable).readMetrics().size()), 60);
        for (const auto &f : fs::recursive_directory_iterator(resumable)) // a killed writer's temporary files are gone
            QVERIFY2(f.path().filename().string().find(".tmp-") == std::string::npos, f.path().c_str());
    }

    void fullDiskWhileCheckpointing()
    {
        // The second write of last.pt fails as a full disk does: the run stops with the reason,
        // the first checkpoint stays whole and resumes.
        const std::string run = m_root + "/full";
        qputenv("FUSELAB_FAIL_WRITE", "last.pt:2");
        QProcess p;
        start(p, {"train", m_experiment, "--out", run, "--epochs", "5", "--quiet"});
        QVERIFY(p.waitForFinished(120000));
        qunsetenv("FUSELAB_FAIL_WRITE");
        const std::string err = p.readAllStandardError().toStdString();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.find("last.pt") != std::string::npos && err.find("No space left on device") != std::string::npos, err.c_str());
        int epoch = -1;
        QCOMPARE(checkpointLoads(last(run), &epoch), std::string());
        QCOMPARE(epoch, 1);
        for (const auto &f : fs::recursive_directory_iterator(run))
            QVERIFY2(f.path().filename().string().find(".tmp") == std::string::npos, f.path().c_str());
        std::string out, err2;
        QVERIFY2(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err2, 120000) == 0, err2.c_str());
        QCOMPARE(static_cast<int>(RunFolder(run).readMetrics().size()), 5);

        // A real limit: no file may grow past 16 KiB (the checkpoint is larger). The write fails
        // with the reason; the process is not killed by SIGXFSZ.
        QProcess q;
        q.setChildProcessModifier([] {
            struct rlimit r = {16384, 16384};
            ::setrlimit(RLIMIT_FSIZE, &r);
        });
        start(q, {"train", m_experiment, "--out", m_root + "/limited", "--epochs", "2", "--quiet"});
        QVERIFY(q.waitForFinished(120000));
        const std::string err3 = q.readAllStandardError().toStdString();
        QCOMPARE(q.exitStatus(), QProcess::NormalExit);
        QCOMPARE(q.exitCode(), 1);
        QVERIFY2(err3.find("File too large") != std::string::npos, err3.c_str());
    }

    void datasetChangedAfterTheCache()
    {
        // A copy of the data with a manifest, cached by a run; then one image deleted and
        // another truncated.
        const std::string dir = m_root + "/data2";
        fs::copy(m_root + "/data", dir, fs::copy_options::recursive);
        std::string manifest = "image,label\n";
        for (const auto &f : fs::recursive_directory_iterator(dir))
            if (f.path().extension() == ".pgm")
                manifest += fs::relative(f.path(), dir).string() + "," + f.path().parent_path().filename().string() + "\n";
        test::writeFile(dir + "/manifest.csv", manifest);
        const std::string data = dir + "/manifest.csv";
        const std::string exp = m_root + "/e2.fuselab.json";
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "image-cnn", "--dataset", data, "-o", exp}, &out, &err) == 0, err.c_str());
        QVERIFY2(test::runCli({"train", exp, "--out", m_root + "/d1", "--epochs", "1", "--quiet"}, &out, &err) == 0, err.c_str());
        const std::string cache = RunFolder(m_root + "/d1").readRecord().cache;
        std::vector<fs::path> images;
        for (const auto &f : fs::recursive_directory_iterator(dir))
            if (f.path().extension() == ".pgm")
                images.push_back(f.path());
        std::sort(images.begin(), images.end());
        fs::remove(images[0]);
        fs::resize_file(images[1], 5);
        // Training from the cache is unaffected: the cache holds the decoded samples.
        QVERIFY2(test::runCli({"train", exp, "--out", m_root + "/d2", "--epochs", "1", "--cache", cache, "--quiet"}, &out, &err) == 0, err.c_str());
        // Rebuilding the cache reports both files by name and goes on without them.
        const int rc = test::runCli({"cache", data}, &out, &err, 120000);
        const std::string all = out + err;
        QVERIFY2(rc == 0, all.c_str());
        QVERIFY2(all.find(images[0].filename().string()) != std::string::npos, all.c_str());
        QVERIFY2(all.find(images[1].filename().string()) != std::string::npos, all.c_str());
    }

    void handEditedCheckpointsAndRunFolders()
    {
        std::string out, err;
        auto copyRun = [&](const std::string &name) {
            const std::string dir = m_root + "/" + name;
            fs::copy(m_root + "/base", dir, fs::copy_options::recursive);
            return dir;
        };
        // Truncated: refused with the file and the reason; nothing written.
        {
            const std::string run = copyRun("cut");
            const std::string whole = test::readAll(last(run));
            fs::resize_file(last(run), whole.size() / 2);
            const std::string before = test::readAll(last(run)), metrics = test::readAll(RunFolder(run).metricsFile());
            QVERIFY(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) != 0);
            QVERIFY2(err.find("last.pt") != std::string::npos && err.find("truncated") != std::string::npos, err.c_str());
            QVERIFY(test::readAll(last(run)) == before);
            QVERIFY(test::readAll(RunFolder(run).metricsFile()) == metrics);
        }
        // A checkpoint of a model with another class count: refused naming the parameter.
        {
            const std::string data3 = m_root + "/two";
            fs::copy(m_root + "/data", data3, fs::copy_options::recursive);
            fs::remove_all(data3 + "/bright");
            const std::string exp = m_root + "/two.fuselab.json";
            QVERIFY2(test::runCli({"new", "--template", "image-cnn", "--dataset", data3, "-o", exp}, &out, &err) == 0, err.c_str());
            QVERIFY2(test::runCli({"train", exp, "--out", m_root + "/tworun", "--epochs", "1", "--quiet"}, &out, &err) == 0, err.c_str());
            const std::string run = copyRun("classes");
            fs::copy_file(last(m_root + "/tworun"), last(run), fs::copy_options::overwrite_existing);
            const std::string before = test::readAll(last(run));
            QVERIFY(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) != 0);
            QVERIFY2(err.find("saved for another model") != std::string::npos && err.find("[2") != std::string::npos, err.c_str());
            QVERIFY(test::readAll(last(run)) == before);
            // The same for evaluation and export, which read best.pt.
            fs::copy_file(best(m_root + "/tworun"), best(run), fs::copy_options::overwrite_existing);
            QVERIFY(test::runCli({"eval", run}, &out, &err) != 0);
            QVERIFY2(err.find("saved for another model") != std::string::npos, err.c_str());
        }
        // The run's experiment replaced by another one (two classes): refused, nothing written.
        {
            const std::string run = copyRun("swapped");
            fs::copy_file(m_root + "/tworun/experiment.fuselab.json", run + "/experiment.fuselab.json", fs::copy_options::overwrite_existing);
            const std::string before = test::readAll(last(run));
            QVERIFY(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) != 0);
            QVERIFY2(!err.empty(), "no reason given");
            qInfo("swapped experiment: %s", err.c_str());
            QVERIFY(test::readAll(last(run)) == before);
        }
        // A ZIP file that is not a checkpoint, and run.json that is not JSON: the file named.
        {
            const std::string run = copyRun("notzip");
            const std::string whole = test::readAll(last(run));
            std::string renamed = whole;
            for (std::size_t at = renamed.find("data.pkl"); at != std::string::npos; at = renamed.find("data.pkl", at + 1))
                renamed.replace(at, 8, "data.xyz");
            test::writeFile(last(run), renamed);
            QVERIFY(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) != 0);
            QVERIFY2(err.find("not a LibTorch checkpoint") != std::string::npos, err.c_str());
            test::writeFile(last(run), whole);
            test::writeFile(run + "/run.json", "{ this is not json");
            QVERIFY(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) != 0);
            QVERIFY2(err.find("run.json") != std::string::npos, err.c_str());
        }
    }

    // Found by fuzz_run_folder: a run.json field of the wrong type escaped as a JSON library
    // exception instead of a refusal naming the file. The reproducer is the fuzzer's input:
    // the run folder's files separated by "\n----\n".
    void fuzzRegressionRunJsonFieldOfWrongType()
    {
        const std::string dir = m_root + "/fuzzed-run";
        for (const char *reproducer : {"run-json-field-wrong-type", "events-name-wrong-type"}) {
            const std::string input = test::readAll(std::string(FUSELAB_TEST_DATA_DIR "/fuzz/run_folder/") + reproducer);
            test::writeFuzzParts(input, dir, {"run.json", "metrics.csv", "events.jsonl", "report.json", "predictions-val.jsonl", "experiment.fuselab.json"});
            const RunFolder fuzzed(dir);
            // Both run.json files are damaged (a cache that is an object; JSON cut short):
            // refused naming the file, never a JSON library exception.
            try {
                (void)fuzzed.readRecord();
                QFAIL(qPrintable(QString("%1: a damaged run.json was read").arg(reproducer)));
            } catch (const Error &e) {
                QVERIFY2(std::string(e.what()).find("run.json") != std::string::npos, e.what());
            }
            // No lock, no readable report, no "failed" event: a run that was cut off, with
            // nothing of the damaged files in its summary.
            QCOMPARE(fuzzed.status(), RunStatus::Interrupted);
            const RunSummary summary = fuzzed.summary();
            QCOMPARE(summary.status, RunStatus::Interrupted);
            QCOMPARE(summary.created, std::string());
            QCOMPARE(summary.epochsCompleted, 0);
            QCOMPARE(summary.bestEpoch, 0);
        }
        const RunFolder run(dir);
        test::writeFile(dir + "/run.json", R"({"cache": {"not": "a string"}, "created": 7})");
        QVERIFY_THROWS_EXCEPTION(Error, (void)run.readRecord());
        // Found next by fuzz_run_folder: the last event's name of the wrong type. A run whose
        // last event says "failed" is a failed run; one whose name is not a string is not.
        test::writeFile(dir + "/events.jsonl", "{\"event\": \"failed\", \"message\": \"x\"}\n");
        QCOMPARE(run.status(), RunStatus::Failed);
        test::writeFile(dir + "/events.jsonl", "{\"event\": {\"not\": \"a name\"}}\n");
        QCOMPARE(run.status(), RunStatus::Interrupted);
        test::writeFile(dir + "/run.lock", R"({"host": 5, "pid": "x"})");
        QCOMPARE(run.status(), RunStatus::Running); // a lock it cannot read is not taken for a dead one
        test::writeFile(dir + "/run.lock", R"({"host": "elsewhere-host", "pid": 4294967295})");
        QCOMPARE(run.status(), RunStatus::Running); // another host's lock cannot be checked from here
    }

    // Found by fuzz_run_folder (UBSan): metrics.csv with an epoch of "inf" was cast to int.
    void fuzzRegressionMetricsEpochNotANumber()
    {
        const std::string dir = m_root + "/inf-run";
        test::writeFile(dir + "/metrics.csv", "epoch,train_loss,val_accuracy\ninf,0.5,0.5\n-3,1,1\n2.5,1,1\n1e300,1,1\n2,0.4,0.6\n");
        const auto rows = RunFolder(dir).readMetrics();
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].epoch, 2);
        QCOMPARE(rows[0].valAccuracy, 0.6);
        // The fuzzer's own input, split into the run folder's files as the fuzzer splits it.
        const std::string input = test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/run_folder/metrics-epoch-inf");
        test::writeFuzzParts(input, dir, {"run.json", "metrics.csv", "events.jsonl", "report.json", "predictions-val.jsonl", "experiment.fuselab.json"});
        // Its first row's epoch is not a number: skipped; the second is epoch 2. Its header
        // misspells train_loss ("trnia_loss"): a column that is not there reads as NaN.
        const auto fuzzed = RunFolder(dir).readMetrics();
        QCOMPARE(fuzzed.size(), std::size_t(1));
        QCOMPARE(fuzzed[0].epoch, 2);
        QVERIFY(std::isnan(fuzzed[0].trainLoss));
        QCOMPARE(fuzzed[0].valLoss, 0.6);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "test_faults.moc"
