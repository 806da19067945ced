// SPDX-License-Identifier: GPL-3.0-or-later
// Data-parallel training on c10d (Gloo, CPU) on this machine: the launch environment as
// torchrun and SLURM set it; DistributedSampler's shards; a 2-process run (by hand and with
// Debian's torchrun) that ends with the same weights on both ranks and matches one process
// with the doubled batch size; rank 0 alone writes the run folder; its test metrics equal
// `fuselab-cli eval`; a killed rank ends the other with a clear error; a 2-process
// checkpoint resumes in one process; a killed 2-process job resumes on two ranks and on one.
#include "core/document/Experiment.h"
#include "core/document/RunFolder.h"
#include "core/model/FusionModel.h"
#include "core/train/Distributed.h"
#include "core/util/Error.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace fuselab;

namespace {

int freePort()
{
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(s, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr *>(&a), &n);
    ::close(s);
    return ntohs(a.sin_port);
}

std::function<const char *(const char *)> envOf(const std::map<std::string, std::string> &vars)
{
    return [vars](const char *name) -> const char * {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

// 8x8 grey images of three brightness classes, with an explicit split: 192 train (evenly
// divisible by 2 ranks x 16), 24 val, 24 test.
void writeDataset(const std::string &root)
{
    std::string manifest = "image,label,split\n";
    const char *names[] = {"dark", "mid", "bright"};
    for (int i = 0; i < 240; ++i) {
        const int c = i % 3;
        std::string pgm = "P5\n8 8\n255\n";
        for (int p = 0; p < 64; ++p)
            pgm += static_cast<char>(std::clamp(40 + 80 * c + ((p * 37 + i * 11) % 61) - 30, 0, 255));
        const std::string file = "img" + std::to_string(i) + ".pgm";
        test::writeFile(root + "/" + file, pgm);
        manifest += file + "," + names[c] + "," + (i < 192 ? "train" : i < 216 ? "val" : "test") + "\n";
    }
    test::writeFile(root + "/manifest.csv", manifest);
}

nlohmann::json events(const std::string &runDir, const std::string &name)
{
    nlohmann::json out = nlohmann::json::array();
    std::ifstream in(runDir + "/events.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == name)
            out.push_back(j);
    }
    return out;
}

std::vector<torch::Tensor> weightsOf(const std::string &runDir, const Experiment &e)
{
    FusionModel model(e.graph, inferContext(e));
    torch::serialize::InputArchive a;
    a.load_from(runDir + "/checkpoints/last.pt");
    model->load(a);
    std::vector<torch::Tensor> out;
    for (const auto &p : model->parameters())
        out.push_back(p.detach().clone());
    return out;
}

} // namespace

class TestDistributed final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_root, m_exp;

    // One process per rank, started by hand with torchrun's variables.
    std::vector<std::unique_ptr<QProcess>> launch(const std::vector<std::string> &args, int world, const std::map<std::string, std::string> &extra = {})
    {
        const int port = freePort();
        std::vector<std::unique_ptr<QProcess>> ps;
        for (int r = 0; r < world; ++r) {
            auto p = std::make_unique<QProcess>();
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("RANK"), QString::number(r));
            env.insert(QStringLiteral("LOCAL_RANK"), QString::number(r));
            env.insert(QStringLiteral("WORLD_SIZE"), QString::number(world));
            env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
            env.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
            env.insert(QStringLiteral("FUSELAB_DISTRIBUTED_TIMEOUT"), QStringLiteral("20"));
            for (const auto &[k, v] : extra)
                env.insert(QString::fromStdString(k), QString::fromStdString(v));
            p->setProcessEnvironment(env);
            QStringList list;
            for (const auto &a : args)
                list << QString::fromStdString(a);
            p->start(QStringLiteral(FUSELAB_CLI_PATH), list);
            ps.push_back(std::move(p));
        }
        return ps;
    }
    static bool finish(std::vector<std::unique_ptr<QProcess>> &ps, std::string *log)
    {
        bool ok = true;
        for (std::size_t r = 0; r < ps.size(); ++r) {
            ok &= ps[r]->waitForFinished(180000) && ps[r]->exitStatus() == QProcess::NormalExit && ps[r]->exitCode() == 0;
            *log += "[rank " + std::to_string(r) + "] " + ps[r]->readAllStandardOutput().toStdString() + ps[r]->readAllStandardError().toStdString();
        }
        return ok;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(distributedBuild(), "this build has no c10d: install libgloo-dev (scripts/install-deps.sh)");
        m_root = m_tmp.path().toStdString();
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(m_root + "/cache"));
        writeDataset(m_root + "/data");
        m_exp = m_root + "/d.fuselab.json";
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "image-cnn", "--dataset", m_root + "/data/manifest.csv", "-o", m_exp}, &out, &err) == 0, err.c_str());
        // No batch normalisation or dropout: one process with twice the batch takes the same steps.
        Experiment e = Experiment::load(m_exp);
        for (GraphNode &n : e.graph.nodes) {
            if (n.type == "encoder.cnn") {
                n.type = "encoder.mlp";
                n.params = {{"hidden", 32}, {"layers", 2}, {"dropout", 0.0}};
            }
            if (n.type == "head.classification")
                n.params["dropout"] = 0.0;
        }
        e.training.epochs = 3;
        e.training.batchSize = 16;
        e.training.threads = 1;
        e.training.patience = 0;
        e.augmentation = AugmentSettings{};
        e.training.modalityDropout = 0;
        e.save(m_exp);
    }

    void launchEnvironment()
    {
        LaunchInfo one = launchFromEnvironment(envOf({}));
        QVERIFY(!one.distributed);
        QVERIFY(!launchFromEnvironment(envOf({{"WORLD_SIZE", "1"}, {"RANK", "0"}})).distributed);
        // A group of one on request (the GPU check's NCCL path).
        QVERIFY(launchFromEnvironment(envOf({{"WORLD_SIZE", "1"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "2"}, {"FUSELAB_DISTRIBUTED", "1"}}))
                    .distributed);
        // torchrun, static launch: the agent's store, joined as a client under the attempt's prefix.
        const LaunchInfo t = launchFromEnvironment(envOf({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                                                          {"MASTER_PORT", "29411"}, {"TORCHELASTIC_RUN_ID", "x"},
                                                          {"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "2"}}));
        QVERIFY(t.distributed && t.agentStore);
        QCOMPARE(t.rank, 3);
        QCOMPARE(t.worldSize, 4);
        QCOMPARE(t.localRank, 1);
        QCOMPARE(t.masterAddr, std::string("node7"));
        QCOMPARE(t.masterPort, 29411);
        QCOMPARE(t.storePrefix, std::string("/worker/attempt_2"));
        QCOMPARE(t.launcher, std::string("torchrun"));
        // --standalone (dynamic rendezvous): "False", rank 0 serves the store itself.
        QVERIFY(!launchFromEnvironment(envOf({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"},
                                              {"TORCHELASTIC_USE_AGENT_STORE", "False"}}))
                     .agentStore);
        // SLURM's srun: its own variables, the port defaulting to 29500.
        const LaunchInfo s = launchFromEnvironment(envOf({{"SLURM_NTASKS", "8"}, {"SLURM_PROCID", "5"}, {"SLURM_LOCALID", "1"}, {"MASTER_ADDR", "n1"}}));
        QVERIFY(s.distributed);
        QCOMPARE(s.rank, 5);
        QCOMPARE(s.worldSize, 8);
        QCOMPARE(s.localRank, 1);
        QCOMPARE(s.masterPort, 29500);
        QCOMPARE(s.launcher, std::string("slurm"));
        // Wrong or missing variables are refused naming them.
        auto refused = [](const std::map<std::string, std::string> &vars, const char *what) {
            try {
                launchFromEnvironment(envOf(vars));
            } catch (const Error &e) {
                return std::string(e.what()).find(what) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "RANK"));
        QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_PORT", "1"}}, "MASTER_ADDR"));
        QVERIFY(refused({{"WORLD_SIZE", "two"}, {"RANK", "0"}}, "WORLD_SIZE"));
        QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "rank 2"));
        QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}, "MASTER_PORT"));
        QCOMPARE(distributedTimeout(envOf({{"FUSELAB_DISTRIBUTED_TIMEOUT", "2.5"}})).count(), std::int64_t(2500));
        QCOMPARE(distributedTimeout(envOf({})).count(), std::int64_t(30 * 60 * 1000));
    }

    // DistributedSampler's semantics, by hand: 7 rows on 2 ranks pad to 8 by wrapping.
    void shardsAndGather()
    {
        const std::vector<std::int64_t> rows = {10, 11, 12, 13, 14, 15, 16};
        QCOMPARE(shardRows(rows, 0, 2), (std::vector<std::int64_t>{10, 12, 14, 16}));
        QCOMPARE(shardRows(rows, 1, 2), (std::vector<std::int64_t>{11, 13, 15, 10}));
        QCOMPARE(shardRows(rows, 2, 3), (std::vector<std::int64_t>{12, 15, 11}));
        QCOMPARE(shardRows(rows, 0, 1), rows);
        // Gathered [ranks, per] back into row order, padding dropped.
        const torch::Tensor gathered = torch::tensor({10, 12, 14, 16, 11, 13, 15, 10}).view({2, 4});
        QVERIFY(torch::equal(unshard(gathered, 7), torch::tensor({10, 11, 12, 13, 14, 15, 16})));
    }

    // Two ranks by hand: the same weights on both, those of one process with the doubled
    // batch (same samples per step, averaged gradients); rank 0 alone wrote the folder; its
    // test metrics are `fuselab-cli eval`'s of its checkpoint.
    void twoRanksMatchOneProcessWithTheDoubledBatch()
    {
        std::string out, err, log;
        auto ps = launch({"train", m_exp, "--out", m_root + "/two", "--quiet"}, 2);
        QVERIFY2(finish(ps, &log), log.c_str());
        Experiment doubled = Experiment::load(m_exp);
        doubled.training.batchSize = 32;
        doubled.save(m_root + "/doubled.fuselab.json");
        fs::copy_file(m_root + "/d.fuselab.json", m_root + "/copy.fuselab.json", fs::copy_options::overwrite_existing);
        QVERIFY2(test::runCli({"train", m_root + "/doubled.fuselab.json", "--out", m_root + "/one", "--quiet"}, &out, &err) == 0, err.c_str());

        const auto agree = events(m_root + "/two", "ranks_agree");
        QCOMPARE(agree.size(), std::size_t(1));
        QCOMPARE(agree[0]["world_size"].get<int>(), 2);
        QCOMPARE(agree[0]["max_difference"].get<double>(), 0.0);
        const auto started = events(m_root + "/two", "run_started");
        QCOMPARE(started.size(), std::size_t(1)); // one writer
        QCOMPARE(started[0]["world_size"].get<int>(), 2);
        QCOMPARE(started[0]["steps_per_epoch"].get<int>(), 6); // 192 rows / 2 ranks / 16
        int boards = 0;
        for (const auto &entry : fs::directory_iterator(m_root + "/two"))
            boards += entry.path().filename().string().rfind("events.out.tfevents", 0) == 0;
        QCOMPARE(boards, 1);

        const Experiment e = Experiment::load(m_exp);
        const auto a = weightsOf(m_root + "/two", e), b = weightsOf(m_root + "/one", e);
        QCOMPARE(a.size(), b.size());
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
        QVERIFY2(worst < 1e-4, std::to_string(worst).c_str());
        qInfo("2 ranks x 16 vs 1 process x 32 after 18 steps: weights differ by at most %.3g", worst);
        // The epoch losses agree too (every rank's share counted).
        const auto e2 = events(m_root + "/two", "epoch_end"), e1 = events(m_root + "/one", "epoch_end");
        QCOMPARE(e2.size(), e1.size());
        for (std::size_t i = 0; i < e1.size(); ++i)
            QVERIFY2(std::abs(e2[i]["train_loss"].get<double>() - e1[i]["train_loss"].get<double>()) < 1e-4, e2[i].dump().c_str());

        // Rank 0 refuses a folder that holds a run; the other rank hears why it stops.
        auto again = launch({"train", m_exp, "--out", m_root + "/two", "--quiet"}, 2);
        QVERIFY(again[0]->waitForFinished(60000) && again[1]->waitForFinished(60000));
        const std::string err0 = again[0]->readAllStandardError().toStdString(), err1 = again[1]->readAllStandardError().toStdString();
        QVERIFY2(again[0]->exitCode() != 0 && err0.find("already holds a run") != std::string::npos, err0.c_str());
        QVERIFY2(again[1]->exitCode() != 0 && err1.find("rank 0 could not prepare the run") != std::string::npos, err1.c_str());

        // Test metrics over all shards = eval of the checkpoint in one process.
        const auto report = nlohmann::json::parse(test::readAll(m_root + "/two/report.json"));
        QVERIFY2(test::runCli({"eval", m_root + "/two", "--json"}, &out, &err) == 0, err.c_str());
        const auto ev = nlohmann::json::parse(out);
        QCOMPARE(report["test"]["accuracy"].get<double>(), ev["accuracy"].get<double>());
        QCOMPARE(report["test"]["macro"]["f1"].get<double>(), ev["macro"]["f1"].get<double>());
        QVERIFY(report["test"]["confusion"] == ev["confusion"]);
    }

    // Debian's torchrun 1.13 with the flags it needs under Python 3.11, both rendezvous kinds.
    void torchrunLaunches()
    {
        for (const bool standalone : {true, false}) {
            const std::string run = m_root + (standalone ? "/tr-standalone" : "/tr-static");
            QStringList args;
            if (standalone)
                args << QStringLiteral("--standalone");
            else
                args << QStringLiteral("--nnodes") << QStringLiteral("1") << QStringLiteral("--master_addr") << QStringLiteral("127.0.0.1")
                     << QStringLiteral("--master_port") << QString::number(freePort());
            args << QStringLiteral("--nproc_per_node") << QStringLiteral("2") << QStringLiteral("--redirects") << QStringLiteral("1")
                 << QStringLiteral("--tee") << QStringLiteral("1") << QStringLiteral("--log_dir") << QString::fromStdString(run + "-logs")
                 << QStringLiteral("--no_python") << QStringLiteral(FUSELAB_CLI_PATH) << QStringLiteral("train") << QString::fromStdString(m_exp)
                 << QStringLiteral("--out") << QString::fromStdString(run) << QStringLiteral("--epochs") << QStringLiteral("1") << QStringLiteral("--quiet");
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("FUSELAB_DISTRIBUTED_TIMEOUT"), QStringLiteral("30"));
            p.setProcessEnvironment(env);
            p.start(QStringLiteral("torchrun"), args);
            QVERIFY(p.waitForFinished(180000));
            const std::string log = p.readAllStandardOutput().toStdString() + p.readAllStandardError().toStdString();
            QVERIFY2(p.exitCode() == 0, log.c_str());
            const auto agree = events(run, "ranks_agree");
            QVERIFY2(agree.size() == 1 && agree[0]["world_size"] == 2 && agree[0]["max_difference"] == 0.0, log.c_str());
        }
    }

    // A rank killed mid-run ends the other with an error naming its rank, within the timeout.
    void aKilledRankEndsTheOther()
    {
        Experiment slow = Experiment::load(m_exp);
        slow.training.epochs = 500;
        slow.save(m_root + "/slow.fuselab.json");
        const std::string run = m_root + "/killed";
        auto ps = launch({"train", m_root + "/slow.fuselab.json", "--out", run, "--quiet"}, 2, {{"FUSELAB_DISTRIBUTED_TIMEOUT", "10"}});
        QTRY_VERIFY_WITH_TIMEOUT(events(run, "epoch_end").size() >= 1, 120000);
        QElapsedTimer t;
        t.start();
        ps[1]->kill();
        QVERIFY(ps[0]->waitForFinished(60000));
        const std::string err = ps[0]->readAllStandardError().toStdString();
        QVERIFY2(ps[0]->exitCode() != 0, err.c_str());
        QVERIFY2(err.find("rank 0 of 2") != std::string::npos, err.c_str());
        QVERIFY2(t.elapsed() < 15000, std::to_string(t.elapsed()).c_str());
        qInfo("rank 1 killed: rank 0 stopped after %lld ms: %s", static_cast<long long>(t.elapsed()), err.substr(0, 200).c_str());
        QVERIFY(fs::exists(run + "/checkpoints/last.pt")); // the last finished epoch is kept
        ps[1]->waitForFinished(10000);

        // A rank that hangs (stopped, not dead): the collective times out (5 s here).
        const std::string hung = m_root + "/hung";
        auto qs = launch({"train", m_root + "/slow.fuselab.json", "--out", hung, "--quiet"}, 2, {{"FUSELAB_DISTRIBUTED_TIMEOUT", "5"}});
        QTRY_VERIFY_WITH_TIMEOUT(events(hung, "epoch_end").size() >= 1, 120000);
        t.restart();
        ::kill(static_cast<pid_t>(qs[1]->processId()), SIGSTOP);
        QVERIFY(qs[0]->waitForFinished(60000));
        const std::string err2 = qs[0]->readAllStandardError().toStdString();
        ::kill(static_cast<pid_t>(qs[1]->processId()), SIGKILL);
        qs[1]->waitForFinished(10000);
        QVERIFY2(qs[0]->exitCode() != 0 && err2.find("rank 0 of 2") != std::string::npos, err2.c_str());
        QVERIFY2(t.elapsed() < 20000, std::to_string(t.elapsed()).c_str());
        qInfo("rank 1 hung: rank 0 stopped after %lld ms (timeout 5 s)", static_cast<long long>(t.elapsed()));
    }

    // A two-rank job lost whole (both processes killed, as when a node goes down) resumes from
    // its last checkpoint on two ranks, ending with exactly the weights of the same run left
    // alone (the seeds are per epoch, the optimiser state is in the checkpoint), and on one
    // process, where it finishes its epochs; each epoch is logged once, in order.
    void killedTwoRankRunResumesOnTwoRanksAndOnOne()
    {
        Experiment slow = Experiment::load(m_exp);
        slow.training.epochs = 500;
        // A schedule that does not depend on the epoch count (cosine would: the reference is
        // shorter) but changes the rate every epoch, so the resume must restore it.
        slow.training.schedule = "step";
        slow.training.stepSize = 1;
        slow.training.gamma = 0.8;
        slow.save(m_root + "/lost.fuselab.json");
        const std::string run = m_root + "/lost";
        auto ps = launch({"train", m_root + "/lost.fuselab.json", "--out", run, "--quiet"}, 2);
        QTRY_VERIFY_WITH_TIMEOUT(events(run, "epoch_end").size() >= 2, 120000);
        for (auto &p : ps)
            ::kill(static_cast<pid_t>(p->processId()), SIGKILL);
        for (auto &p : ps)
            QVERIFY(p->waitForFinished(10000));
        torch::serialize::InputArchive archive;
        archive.load_from(run + "/checkpoints/last.pt");
        c10::IValue epoch;
        QVERIFY(archive.try_read("epoch", epoch));
        const int kept = static_cast<int>(epoch.toInt()), total = kept + 2;
        QVERIFY(kept >= 1 && kept < 500);
        // The same run left alone for `total` epochs, the reference.
        Experiment whole = slow;
        whole.training.epochs = total;
        whole.save(m_root + "/whole.fuselab.json");
        std::string out, err, log;
        auto ref = launch({"train", m_root + "/whole.fuselab.json", "--out", m_root + "/whole", "--quiet"}, 2);
        QVERIFY2(finish(ref, &log), log.c_str());

        for (const int world : {2, 1}) {
            const std::string copy = run + "-on-" + std::to_string(world);
            fs::copy(run, copy, fs::copy_options::recursive);
            Experiment used = Experiment::load(copy + "/experiment.fuselab.json");
            used.training.epochs = total;
            used.save(copy + "/experiment.fuselab.json");
            if (world == 2) {
                auto qs = launch({"train", "--resume", copy, "--quiet"}, 2);
                QVERIFY2(finish(qs, &log), log.c_str());
            } else {
                QVERIFY2(test::runCli({"train", "--resume", copy, "--quiet"}, &out, &err) == 0, err.c_str());
            }
            const auto resumed = events(copy, "resumed");
            QCOMPARE(resumed.size(), std::size_t(1));
            QCOMPARE(resumed[0]["epoch"].get<int>(), kept + 1);
            QCOMPARE(events(copy, "run_started").back()["world_size"].get<int>(), world);
            // metrics.csv: epochs 1..total, once each, in order.
            std::ifstream csv(copy + "/metrics.csv");
            std::string line;
            std::getline(csv, line);
            std::vector<int> epochs;
            while (std::getline(csv, line))
                if (!line.empty())
                    epochs.push_back(std::stoi(line.substr(0, line.find(','))));
            std::vector<int> want(static_cast<std::size_t>(total));
            for (int k = 0; k < total; ++k)
                want[static_cast<std::size_t>(k)] = k + 1;
            QCOMPARE(epochs, want);
            QVERIFY(fs::exists(copy + "/report.json"));
        }
        const auto a = weightsOf(run + "-on-2", slow), b = weightsOf(m_root + "/whole", slow);
        QCOMPARE(a.size(), b.size());
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
        QVERIFY2(worst == 0.0, std::to_string(worst).c_str());
        qInfo("killed after epoch %d of 2 ranks: resumed on 2 ranks to epoch %d, weights identical to the run left alone; on 1 process finished too",
              kept, total);
    }

    // A checkpoint of a 2-process run resumes in one process: it continues after the
    // epochs the two ranks finished and ends as a complete run.
    void twoRankCheckpointResumesInOneProcess()
    {
        std::string out, err, log;
        Experiment longer = Experiment::load(m_exp);
        longer.training.epochs = 4;
        longer.save(m_root + "/four.fuselab.json");
        const std::string run = m_root + "/resumed";
        // Two epochs on two ranks, as a run stopped there would be (epochs is the override).
        auto ps = launch({"train", m_root + "/four.fuselab.json", "--out", run, "--quiet", "--epochs", "2"}, 2);
        QVERIFY2(finish(ps, &log), log.c_str());
        // The run's own experiment says 2 epochs; make it 4 to have something to resume.
        Experiment used = Experiment::load(run + "/experiment.fuselab.json");
        used.training.epochs = 4;
        used.save(run + "/experiment.fuselab.json");
        fs::remove(run + "/report.json");
        QVERIFY2(test::runCli({"train", "--resume", run, "--quiet"}, &out, &err) == 0, err.c_str());
        const auto resumed = events(run, "resumed");
        QCOMPARE(resumed.size(), std::size_t(1));
        QCOMPARE(resumed[0]["epoch"].get<int>(), 3);
        const auto started = events(run, "run_started");
        QCOMPARE(started.back()["world_size"].get<int>(), 1);
        QCOMPARE(started.back()["steps_per_epoch"].get<int>(), 12); // 192 / 16 in one process
        QCOMPARE(events(run, "epoch_end").size(), std::size_t(4));
        QVERIFY(fs::exists(run + "/report.json"));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
