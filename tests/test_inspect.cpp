// SPDX-License-Identifier: GPL-3.0-or-later
// The dataset health check, on a generated corpus of bad input, through the engine and
// through fuselab-cli.
#include "core/data/DatasetLoader.h"
#include "core/inspect/DatasetInspector.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <nlohmann/json.hpp>

#include <sndfile.h>

using namespace fuselab;
using namespace fuselab::test;
using nlohmann::json;

namespace {
bool problemFor(const json &report, const std::string &file, const std::string &reason)
{
    for (auto &p : report["problems"]["listed"])
        if (p["file"].get<std::string>().find(file) != std::string::npos
            && p["reason"].get<std::string>().find(reason) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestInspect final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string root() const { return m_tmp.path().toStdString() + "/bad"; }

private Q_SLOTS:
    void initTestCase()
    {
        const std::string r = root();
        for (int i = 0; i < 6; ++i) {
            writeImage(r + "/cat/" + std::to_string(i) + ".png", 32, 24, 3, 8, i);
            writeFile(r + "/cat/" + std::to_string(i) + ".txt", "a small cat number " + std::to_string(i));
            writeImage(r + "/dog/" + std::to_string(i) + ".jpg", 40, 40, 3, 8, 100 + i);
            writeWav(r + "/dog/" + std::to_string(i) + ".wav", 300 + 20 * i, 8000, 0.5);
        }
        writeImage(r + "/dog/6.png", 64, 48, 1, 8, 7);
        // Duplicates: the same bytes under two names.
        writeFile(r + "/cat/dup.png", readAll(r + "/cat/0.png"));
        // The corpus of broken files.
        writeFile(r + "/cat/zero.png", "");
        const std::string png = encodeImage(".png", 64, 64, 3, 8, 3);
        writeFile(r + "/cat/truncated.png", png.substr(0, png.size() / 2));
        const std::string jpg = encodeImage(".jpg", 64, 64, 3, 8, 3);
        writeFile(r + "/cat/cut.jpg", jpg.substr(0, jpg.size() / 2));
        writeFile(r + "/cat/text.png", "just some words, not pixels\n");
        writeFile(r + "/cat/bomb.png", pngHeaderOnly(100000, 100000));
        std::string wav = readAll(r + "/dog/0.wav");
        wav.replace(0, 4, "RIFX\xff\xff");
        writeFile(r + "/dog/brokenheader.wav", wav);
        writeAudio(r + "/dog/silent.wav", {}, 8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
        writeFile(r + "/dog/latin1.txt", "caf\xe9 cr\xe8me");
        writeFile(r + "/dog/unknown.xyz", "??");
    }

    void reportCountsAndProblems()
    {
        const Dataset d = loadDataset(root());
        const json rep = inspectDataset(d);
        QVERIFY(rep["usable"].get<bool>());
        QCOMPARE(rep["dataset"]["format"].get<std::string>(), std::string("folder"));
        // cat: 6 good + dup + 5 broken images; dog: 6 pairs + 6.png + 3 broken files.
        QCOMPARE(rep["samples"]["total"].get<int>(), 6 + 1 + 5 + 6 + 1 + 3);
        QCOMPARE(rep["samples"]["skipped"].get<int>(), 5 + 3);
        QCOMPARE(rep["samples"]["usable"].get<int>(), 14);
        QCOMPARE(rep["classes"][0]["name"].get<std::string>(), std::string("cat"));
        QCOMPARE(rep["classes"][0]["count"].get<int>(), 7);
        QCOMPARE(rep["classes"][1]["count"].get<int>(), 7);
        QCOMPARE(rep["imbalance_ratio"].get<double>(), 1.0);

        QVERIFY(problemFor(rep, "cat/zero.png", "empty file"));
        QVERIFY(problemFor(rep, "cat/truncated.png", "truncated PNG"));
        QVERIFY(problemFor(rep, "cat/cut.jpg", "truncated JPEG"));
        QVERIFY(problemFor(rep, "cat/text.png", "holds text"));
        QVERIFY(problemFor(rep, "cat/bomb.png", "refused before decoding"));
        QVERIFY(problemFor(rep, "dog/brokenheader.wav", "not a readable audio file"));
        QVERIFY(problemFor(rep, "dog/silent.wav", "no samples"));
        QVERIFY(problemFor(rep, "dog/latin1.txt", "not valid UTF-8"));
        QVERIFY(problemFor(rep, "dog/unknown.xyz", "unknown extension"));

        // Modalities: image column counts its corrupt files.
        const json &image = rep["modalities"][0];
        QCOMPARE(image["kind"].get<std::string>(), std::string("image"));
        QCOMPARE(image["corrupt"].get<int>(), 5);
        QCOMPARE(rep["samples"]["with_missing_modality"].get<int>(), 14); // nobody has all three

        QCOMPARE(rep["duplicates"]["groups"].get<int>(), 1);
        const json files = rep["duplicates"]["listed"][0]["files"];
        QCOMPARE(files.size(), std::size_t(2));

        QCOMPARE(rep["images"]["count"].get<int>(), 14);
        QCOMPARE(rep["images"]["width"]["min"].get<double>(), 32.0);
        QCOMPARE(rep["images"]["width"]["max"].get<double>(), 64.0);
        QCOMPARE(rep["audio"]["count"].get<int>(), 6);
        QCOMPARE(rep["audio"]["duration_s"]["median"].get<double>(), 0.5);
        QCOMPARE(rep["audio"]["sample_rates"][0]["rate"].get<int>(), 8000);
        QCOMPARE(rep["text"]["count"].get<int>(), 6);
        QCOMPARE(rep["text"]["words"]["max"].get<double>(), 5.0);
    }

    void imbalanceRatio()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        for (int i = 0; i < 8; ++i)
            writeFile(r + "/many/" + std::to_string(i) + ".txt", "x");
        for (int i = 0; i < 2; ++i)
            writeFile(r + "/few/" + std::to_string(i) + ".txt", "y");
        const json rep = inspectDataset(loadDataset(r));
        QCOMPARE(rep["imbalance_ratio"].get<double>(), 4.0);
        QCOMPARE(rep["duplicates"]["groups"].get<int>(), 0); // text files are not duplicate-checked
    }

    void multiLabelCountsEveryClassOfASample()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeFile(r + "/m.csv", "text,label\nred round,red;round\nred,red\nround,round\nblue round,blue;round\nnone,red\n");
        const json rep = inspectDataset(loadDataset(r + "/m.csv"));
        QCOMPARE(rep["dataset"]["task"].get<std::string>(), std::string("multi-label"));
        QCOMPARE(rep["samples"]["usable"].get<int>(), 5);
        std::map<std::string, int> counts;
        for (auto &c : rep["classes"])
            counts[c["name"].get<std::string>()] = c["count"].get<int>();
        QCOMPARE(counts, (std::map<std::string, int>{{"blue", 1}, {"red", 3}, {"round", 3}}));
        QVERIFY(formatInspectReport(rep).find("multi-label") != std::string::npos);
    }

    void cliJsonAndExitCodes()
    {
        std::string out, err;
        QCOMPARE(runCli({"inspect", root(), "--json", "--quiet"}, &out, &err), 0);
        const json rep = json::parse(out);
        QCOMPARE(rep["samples"]["usable"].get<int>(), 14);

        QCOMPARE(runCli({"inspect", root()}, &out, &err), 0);
        QVERIFY(out.find("Verdict: usable") != std::string::npos);
        QVERIFY(out.find("truncated PNG") != std::string::npos);

        QTemporaryDir empty;
        QCOMPARE(runCli({"inspect", empty.path().toStdString()}, &out, &err), 2);
        QVERIFY2(err.find("no samples found") != std::string::npos, err.c_str());

        QCOMPARE(runCli({"inspect", empty.path().toStdString() + "/nope"}, &out, &err), 2);
        QVERIFY2(err.find("no such file or folder") != std::string::npos, err.c_str());

        writeFile(empty.path().toStdString() + "/m.csv", "image,text\na.png,x\n");
        QCOMPARE(runCli({"inspect", empty.path().toStdString() + "/m.csv"}, &out, &err), 2);
        QVERIFY2(err.find("m.csv") != std::string::npos && err.find("--label-column") != std::string::npos, err.c_str());

        QTemporaryDir one;
        writeFile(one.path().toStdString() + "/only/a.txt", "hello");
        QCOMPARE(runCli({"inspect", one.path().toStdString()}, &out, &err), 2);
        QVERIFY2(err.find("only one class") != std::string::npos, err.c_str());

        QCOMPARE(runCli({"inspect"}, &out, &err), 2);
        QCOMPARE(runCli({"inspect", root(), "--bogus"}, &out, &err), 2);
        QVERIFY(err.find("unknown option --bogus") != std::string::npos);
        QCOMPARE(runCli({"frobnicate"}, &out, &err), 2);
    }

    void cliCacheCommand()
    {
        QTemporaryDir cache;
        std::string out, err;
        const std::vector<std::string> args = {"cache", root(), "--image-size", "16x16", "--cache-dir",
                                               cache.path().toStdString(), "--quiet"};
        QCOMPARE(runCli(args, &out, &err), 0);
        const std::string dir = out.substr(0, out.find('\n'));
        QVERIFY(dir.rfind(cache.path().toStdString(), 0) == 0);
        QVERIFY2(err.find("truncated PNG") != std::string::npos, err.c_str()); // skipped files are named
        QCOMPARE(runCli(args, &out, &err), 0);
        QCOMPARE(out.substr(0, out.find('\n')), dir); // same content and settings: same cache
        QCOMPARE(runCli({"cache", root(), "--image-size", "big"}, &out, &err), 2);
    }
};

QTEST_APPLESS_MAIN(TestInspect)
#include "test_inspect.moc"
