// SPDX-License-Identifier: GPL-3.0-or-later
// Trained models leaving FuseLab: the safetensors writer and reader against an independent
// reader (tests/data/read_safetensors.py, numpy and the format's published layout), bad
// files refused with the reason, and `fuselab-cli export` of a real run: its weights are
// the checkpoint's, a fresh model initialised from them answers as the trained one, and
// the export folder is written whole or not at all.
#include "core/cache/TensorCache.h"
#include "core/document/Experiment.h"
#include "core/document/RunFolder.h"
#include "core/export/Export.h"
#include "core/formats/Safetensors.h"
#include "core/formats/TensorBoard.h"
#include "core/export/TorchScriptExport.h"
#include "core/media/Text.h"
#include "core/media/WordPiece.h"
#include "core/document/Templates.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/SequenceHead.h"
#include "core/model/FusionModel.h"
#include "core/util/Error.h"
#include "tests/support/ExportCases.h"
#include "tests/support/TestFiles.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <numeric>
#include <set>

namespace fs = std::filesystem;
using namespace fuselab;
using test::threeModalities;

namespace {

// An independent reader's view of a file (tests/data/<script>).
nlohmann::json pythonRead(const std::string &file, const char *script = "read_safetensors.py")
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/") + QString::fromLatin1(script), QString::fromStdString(file)});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        qFatal("read_safetensors.py failed: %s", p.readAllStandardError().constData());
    return nlohmann::json::parse(p.readAllStandardOutput().toStdString());
}

std::string le64(std::uint64_t n)
{
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
        s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

// A safetensors file made by hand: header JSON and data bytes.
std::string handMade(const std::string &header, const std::string &data) { return le64(header.size()) + header + data; }

void loadBest(FusionModel &model, const std::string &runDir)
{
    torch::serialize::InputArchive archive;
    archive.load_from(RunFolder(runDir).bestCheckpoint());
    model->load(archive);
    model->eval();
}

} // namespace

class TestExport final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string dir() const { return m_tmp.path().toStdString(); }

    // The exported module's weights get the gradients FuseLab's own get, for a cross-entropy
    // on the batch (eval mode: no dropout to draw). The export names weights its own way, so
    // they are matched by shape and value; weights equal in both (a layer norm's ones) are
    // compared as a group by their sorted gradient norms. Returns how many of FuseLab's
    // weights get a non-zero gradient.
    int sameGradients(FusionModel &model, torch::jit::Module &loaded, std::vector<torch::jit::IValue> args, const test::ExportBatch &batch,
                      const std::string &name)
    {
        const torch::Tensor target = torch::zeros({batch.want.size(0)}, torch::kLong);
        // One output is a number (a regression head): a squared error; else cross-entropy.
        const auto loss = [&](const torch::Tensor &out) {
            return out.size(1) == 1 ? (out - 1.0).pow(2).mean() : torch::nn::functional::cross_entropy(out, target);
        };
        model->eval();
        model->zero_grad();
        loss(model->forward(batch.xs, batch.present).logits).backward();
        loaded.eval();
        for (const auto &p : loaded.parameters())
            if (p.grad().defined())
                p.mutable_grad().zero_();
        loss(loaded.forward(args).toTensor()).backward();
        using Key = std::pair<std::vector<std::int64_t>, std::vector<float>>;
        std::map<Key, std::vector<torch::Tensor>> ours, theirs;
        auto key = [](const torch::Tensor &t) {
            const torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
            return Key(c.sizes().vec(), std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel()));
        };
        auto gradOf = [](const torch::Tensor &p) { return p.grad().defined() ? p.grad().detach().clone() : torch::zeros_like(p.detach()); };
        int reached = 0;
        for (const auto &p : model->parameters()) {
            ours[key(p)].push_back(gradOf(p));
            reached += p.grad().defined() && p.grad().abs().max().item<double>() > 0;
        }
        for (const auto &p : loaded.parameters())
            theirs[key(p)].push_back(gradOf(p));
        // A weight of FuseLab's with no counterpart in the export must be one that takes no part
        // in the logits (an autoencoder's decoder, trained by its auxiliary loss alone): its
        // gradient is zero.
        bool ok = true;
        std::size_t matched = 0, unmatched = 0;
        for (auto &[k, gs] : ours) {
            const auto it = theirs.find(k);
            if (it == theirs.end() || it->second.size() != gs.size()) {
                for (const auto &g : gs)
                    if (g.abs().max().item<double>() > 0) {
                        qWarning("%s: a weight of %zu values gets a gradient in FuseLab but has no counterpart in the export", name.c_str(), k.second.size());
                        ok = false;
                    }
                unmatched += gs.size();
                continue;
            }
            matched += gs.size();
            if (gs.size() == 1) {
                if (!torch::allclose(gs[0], it->second[0], 1e-4, 1e-6)) {
                    qWarning("%s: gradients differ by %g", name.c_str(), (gs[0] - it->second[0]).abs().max().item<double>());
                    ok = false;
                }
                continue;
            }
            std::vector<double> a, b;
            for (const auto &g : gs)
                a.push_back(g.norm().item<double>());
            for (const auto &g : it->second)
                b.push_back(g.norm().item<double>());
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
            for (std::size_t i = 0; i < a.size(); ++i)
                ok = ok && std::abs(a[i] - b[i]) <= 1e-4 * std::max(1.0, a[i]);
        }
        [&] { QVERIFY2(ok, (name + ": the export's weights do not get FuseLab's gradients").c_str()); }();
        if (unmatched)
            qInfo("%s: gradients equal for %zu weights; %zu outside the logits' graph (zero gradient)", name.c_str(), matched, unmatched);
        [&] { QVERIFY2(reached > 0, name.c_str()); }();
        return reached;
    }

    // Exports `e`'s model (fresh weights) as TorchScript and checks it in C++ and in Python
    // against FuseLab's own forward on a batch where some samples miss modalities.
    void checkTorchScript(Experiment e, const std::string &name)
    {
        e.preprocessing.text.maxVocab = 50;
        torch::manual_seed(7);
        FusionModel model(e.graph, inferContext(e));
        const test::ExportBatch batch = test::exportBatch(e, model);
        const std::vector<torch::Tensor> &xs = batch.xs;
        const torch::Tensor &present = batch.present, &want = batch.want;
        const std::string file = dir() + "/" + name + ".pt";
        saveTorchScript(model, e.dataset.classes, {"photo", "clip", "caption"}, file);

        torch::jit::Module loaded = torch::jit::load(file);
        std::vector<torch::jit::IValue> args(xs.begin(), xs.end());
        args.emplace_back(present);
        torch::Tensor got;
        {
            torch::NoGradGuard noGrad;
            got = loaded.forward(args).toTensor();
        }
        QVERIFY2(torch::allclose(got, want, 1e-5, 1e-5), (name + ": " + std::to_string((got - want).abs().max().item<double>())).c_str());
        const int reached = sameGradients(model, loaded, args, batch, name);

        const std::string tensors = dir() + "/" + name + ".inputs.safetensors";
        writeSafetensors(tensors, {{"x0", xs[0]}, {"x1", xs[1]}, {"x2", xs[2]}, {"present", present}, {"expected", want}});
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_torchscript.py"), QString::fromStdString(file),
                                                       QString::fromStdString(tensors)});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const auto r = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
        QVERIFY2(r["max_abs_diff"].get<double>() <= 1e-5, (name + ": " + r.dump()).c_str());
        QVERIFY(r["classes"] == nlohmann::json(e.dataset.classes));
        // Fine-tuning in Python: exactly the weights that get a gradient in FuseLab get one there,
        // and one SGD step changes every one of them.
        QVERIFY2(r["params_with_nonzero_grad"].get<int>() == reached, (name + ": FuseLab " + std::to_string(reached) + ", " + r.dump()).c_str());
        QVERIFY2(r["params_changed"].get<int>() == reached && r["changed_after_step"].get<double>() > 0, (name + ": " + r.dump()).c_str());
        qInfo("%s: TorchScript matches (C++ and Python), %d parameters fine-tuned", name.c_str(), r["params_changed"].get<int>());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(fs::exists("/usr/bin/python3"), "the export tests need python3 with numpy (scripts/install-deps.sh installs them)");
    }

    // Every dtype FuseLab writes, a 0-d and an empty tensor: read back by FuseLab and by the
    // independent reader with the values the test put in. Values chosen exact in every type:
    // floats (i - 3) / 2, integers 37 i - 100 (37 i for U8), booleans i odd.
    void everyDTypeRoundTrips()
    {
        const std::vector<std::pair<std::string, torch::ScalarType>> types = {
            {"F64", torch::kDouble}, {"F32", torch::kFloat}, {"F16", torch::kHalf}, {"BF16", torch::kBFloat16}, {"I64", torch::kLong},
            {"I32", torch::kInt},    {"I16", torch::kShort}, {"I8", torch::kChar},  {"U8", torch::kByte},       {"BOOL", torch::kBool}};
        auto expected = [](const std::string &name, int i) -> double {
            if (name[0] == 'F' || name == "BF16")
                return (i - 3) / 2.0;
            if (name == "U8")
                return 37.0 * i;
            if (name == "BOOL")
                return i % 2;
            return 37.0 * i - 100;
        };
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto &[name, type] : types) {
            std::vector<double> v;
            for (int i = 0; i < 6; ++i)
                v.push_back(expected(name, i));
            tensors.emplace_back("t_" + name, torch::tensor(v, torch::kDouble).to(type).reshape({2, 3}));
        }
        tensors.emplace_back("scalar", torch::tensor(2.5f));
        tensors.emplace_back("empty", torch::zeros({0, 4}));
        tensors.emplace_back("strided", torch::arange(12, torch::kFloat).reshape({3, 4}).t()); // written contiguous
        const std::string file = dir() + "/all.safetensors";
        writeSafetensors(file, tensors, {{"classes", "[\"a\",\"b\"]"}, {"producer", "test"}});

        const SafetensorsFile back = readSafetensors(file);
        QCOMPARE(back.tensors.size(), tensors.size());
        for (std::size_t k = 0; k < tensors.size(); ++k) {
            QCOMPARE(back.tensors[k].first, tensors[k].first);
            QCOMPARE(back.tensors[k].second.scalar_type(), tensors[k].second.scalar_type());
            QVERIFY2(torch::equal(back.tensors[k].second, tensors[k].second.contiguous()), tensors[k].first.c_str());
        }
        QCOMPARE(back.metadata.at("producer"), std::string("test"));

        const nlohmann::json py = pythonRead(file);
        QCOMPARE(py["header_bytes"].get<int>() % 8, 0); // the data starts aligned
        QCOMPARE(py["metadata"]["classes"].get<std::string>(), std::string("[\"a\",\"b\"]"));
        for (const auto &[name, type] : types) {
            const auto &t = py["tensors"]["t_" + name];
            QCOMPARE(t["dtype"].get<std::string>(), name);
            QVERIFY(t["shape"] == nlohmann::json({2, 3}));
            for (int i = 0; i < 6; ++i)
                QVERIFY2(t["values"][static_cast<std::size_t>(i)].get<double>() == expected(name, i), name.c_str());
        }
        QVERIFY(py["tensors"]["scalar"]["shape"] == nlohmann::json::array());
        QCOMPARE(py["tensors"]["scalar"]["values"][0].get<double>(), 2.5);
        QVERIFY(py["tensors"]["empty"]["shape"] == nlohmann::json({0, 4}));
        // arange(12) as [3, 4], transposed: row r of the [4, 3] result is r, r + 4, r + 8.
        QVERIFY(py["tensors"]["strided"]["shape"] == nlohmann::json({4, 3}));
        QVERIFY(py["tensors"]["strided"]["values"] == nlohmann::json({0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
    }

    void badFilesAreRefusedWithTheReason()
    {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"abc", "shorter than its 8-byte header length"},
            {le64(1000) + "{}", "runs past the end of the file"},
            {handMade("[1, 2]", ""), "not a JSON object"},
            {handMade(R"({"w": {"dtype": "F8", "shape": [1], "data_offsets": [0, 1]}})", "x"), "dtype \"F8\""},
            {handMade(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", "abcd"), "4 data bytes for a F32 tensor of 2 elements"},
            {handMade(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 8]}})", "abcd"), "outside the 4 data bytes"},
            {handMade(R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "b": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]}})", "xyz"),
             "hole before tensor \"b\""},
            {handMade(R"({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})", "xy"),
             "overlaps"},
            {handMade(R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})", "xy"), "1 data bytes at the end belong to no tensor"},
            {handMade(R"({"a": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}})", "x"), "non-negative integers"},
            {handMade(R"({"__metadata__": {"n": 3}})", ""), "is not a string"},
            {handMade(R"({"w": {"dtype": "F64", "shape": [2305843009213693952], "data_offsets": [0, 0]}})", ""), "impossibly large"},
        };
        int k = 0;
        for (const auto &[bytes, reason] : cases) {
            const std::string file = dir() + "/bad" + std::to_string(k++) + ".safetensors";
            test::writeFile(file, bytes);
            try {
                readSafetensors(file);
                QFAIL(("read a bad file: " + reason).c_str());
            } catch (const Error &e) {
                const std::string m = e.what();
                QVERIFY2(m.find(file) != std::string::npos && m.find(reason) != std::string::npos, m.c_str());
            }
        }
    }

    // Fuzzing: a valid safetensors file and a valid tokenizer.json with random bytes
    // changed (2,000 variants each) are read or refused with FuseLab's Error naming the
    // file — never another exception, never a crash.
    void mutatedFilesAreReadOrRefused()
    {
        writeSafetensors(dir() + "/seed.safetensors",
                         {{"a", torch::arange(12, torch::kFloat).reshape({3, 4})}, {"b", torch::tensor({1, 2, 3}, torch::kLong)}, {"c", torch::zeros({0})}},
                         {{"k", "v"}});
        const std::string tokenizer = R"({"normalizer": {"type": "BertNormalizer", "lowercase": true}, "pre_tokenizer": {"type": "BertPreTokenizer"},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                      "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "un": 4, "##aff": 5, "##able": 6}}})";
        const std::string seeds[] = {test::readAll(dir() + "/seed.safetensors"), tokenizer};
        std::mt19937 rng(20261127);
        int read = 0, refused = 0;
        for (int kind = 0; kind < 2; ++kind)
            for (int i = 0; i < 2000; ++i) {
                std::string bytes = seeds[kind];
                const int changes = 1 + static_cast<int>(rng() % 4);
                for (int c = 0; c < changes; ++c) {
                    const std::size_t at = rng() % bytes.size();
                    switch (rng() % 3) {
                    case 0: bytes[at] = static_cast<char>(rng() % 256); break;
                    case 1: bytes.erase(at, 1 + rng() % 8); break;
                    default: bytes.insert(at, 1, "\"{}[]:,0129\\ \xff"[rng() % 14]); break;
                    }
                    if (bytes.empty())
                        bytes = "x";
                }
                const std::string file = dir() + (kind == 0 ? "/fuzz.safetensors" : "/fuzz.json");
                test::writeFile(file, bytes);
                try {
                    if (kind == 0)
                        readSafetensors(file);
                    else
                        WordPieceTokenizer::fromFile(file).encode("unaffable things");
                    ++read;
                } catch (const Error &e) {
                    QVERIFY2(std::string(e.what()).find(file) != std::string::npos, e.what());
                    ++refused;
                } catch (const std::exception &e) {
                    QFAIL((std::string(kind == 0 ? "safetensors" : "tokenizer.json") + " variant " + std::to_string(i) + ": " + e.what()).c_str());
                }
            }
        qInfo("%d variants read, %d refused with the file named", read, refused);
        QVERIFY(refused > 1000);
    }

    // CRC-32C's published check value (RFC 3720's polynomial): "123456789" -> 0xE3069283;
    // 32 zero bytes -> 0x8A9136AA (RFC 3720, B.4).
    void crc32cMatchesThePublishedValues()
    {
        QCOMPARE(crc32c("123456789", 9), 0xE3069283u);
        const std::string zeros(32, '\0');
        QCOMPARE(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
    }

    // A run's TensorBoard file: every record's framing and CRCs right (checked by the
    // independent reader), the per-epoch scalars equal to metrics.csv, one confusion
    // matrix image per epoch, the settings as hyper-parameters, the test metrics at the end.
    void tensorBoardEventsMatchTheRun()
    {
        const std::string root = dir() + "/tb";
        test::writeBrightnessClasses(root + "/data");
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        const std::string exp = root + "/b.fuselab.json";
        std::string out, err;
        QCOMPARE(test::runCli({"new", "--template", "image-cnn", "--dataset", root + "/data", "-o", exp}, &out, &err), 0);
        QCOMPARE(test::runCli({"train", exp, "--out", root + "/r", "--epochs", "3", "--quiet"}, &out, &err), 0);
        std::string file;
        for (const auto &entry : fs::directory_iterator(root + "/r"))
            if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
                file = entry.path().string();
        QVERIFY(!file.empty());
        const nlohmann::json events = pythonRead(file, "read_tfevents.py");
        QCOMPARE(events[0]["file_version"].get<std::string>(), std::string("brain.Event:2"));
        std::map<std::string, std::map<std::int64_t, double>> scalars;
        int images = 0;
        nlohmann::json hparams;
        for (const auto &e : events)
            for (const auto &v : e["values"]) {
                if (v.contains("simple_value"))
                    scalars[v["tag"].get<std::string>()][e["step"].get<std::int64_t>()] = v["simple_value"].get<double>();
                if (v.contains("image")) {
                    ++images;
                    QCOMPARE(v["tag"].get<std::string>(), std::string("val/confusion_matrix"));
                    QVERIFY(v["image"]["png_signature_ok"].get<bool>());
                    QVERIFY(v["image"]["width"] == v["image"]["png_width"]);
                    QVERIFY(v["image"]["height"] == v["image"]["png_height"]);
                }
                if (v.contains("hparams"))
                    hparams = v["hparams"];
            }
        QCOMPARE(images, 3);
        QCOMPARE(hparams["training.epochs"].get<double>(), 3.0);
        QCOMPARE(hparams["experiment"].get<std::string>(), Experiment::load(exp).name);
        const auto rows = RunFolder(root + "/r").readMetrics();
        QCOMPARE(rows.size(), std::size_t(3));
        for (const EpochRow &r : rows) {
            auto near = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); }; // float32 in the file
            QVERIFY(near(scalars["epoch/train_loss"].at(r.epoch), r.trainLoss));
            QVERIFY(near(scalars["epoch/val_loss"].at(r.epoch), r.valLoss));
            QVERIFY(near(scalars["epoch/val_accuracy"].at(r.epoch), r.valAccuracy));
            QVERIFY(near(scalars["epoch/val_macro_f1"].at(r.epoch), r.valMacroF1));
        }
        QVERIFY(scalars["batch/train_loss"].size() >= 3);
        const auto report = RunFolder(root + "/r").readReport();
        QVERIFY(std::abs(scalars["test/accuracy"].begin()->second - (*report)["test"]["accuracy"].get<double>()) < 1e-6);
    }

    // Every template on a three-modality dataset as TorchScript: the module loaded in C++
    // (torch::jit::load) and in Python (python3-torch's torch.jit.load) gives FuseLab's own
    // outputs within 1e-5, with modalities missing in some samples, and one step of
    // fine-tuning in Python reaches every weight.
    void torchScriptMatchesEveryTemplate()
    {
        for (const ExperimentTemplate &t : experimentTemplates())
            if (t.task != Task::Sequence) // texts: sequenceModelsDecodeAsFuseLab
                checkTorchScript(makeExperiment(t.name, test::datasetFor(t)), t.name);
    }

    // The templates that produce texts (translation and captioning: the GRU decoder with
    // attention; transcription: CTC) as TorchScript, on the batch where samples miss
    // modalities and source texts are padded: forward gives FuseLab's greedy logits, and
    // generate() FuseLab's token ids, greedy and by beam search (width 3, with and without a
    // length penalty), in C++ and in Python.
    void sequenceModelsDecodeAsFuseLab()
    {
        int templates = 0, tokens = 0;
        for (const ExperimentTemplate &t : experimentTemplates()) {
            if (t.task != Task::Sequence)
                continue;
            ++templates;
            Experiment e = makeExperiment(t.name, test::datasetFor(t));
            e.preprocessing.text.maxVocab = 50;
            torch::manual_seed(7);
            FusionModel model(e.graph, inferContext(e));
            const test::ExportBatch b = test::exportBatch(e, model);
            const std::string file = dir() + "/seq-" + t.name + ".pt";
            saveTorchScript(model, e.dataset.classes, {"photo", "clip", "caption"}, file);
            torch::jit::Module loaded = torch::jit::load(file);
            std::vector<torch::jit::IValue> args(b.xs.begin(), b.xs.end());
            args.emplace_back(b.present);
            torch::NoGradGuard noGrad;
            const torch::Tensor got = loaded.forward(args).toTensor();
            QVERIFY2(got.sizes() == b.want.sizes(), t.name.c_str());
            QVERIFY2(torch::allclose(got, b.want, 1e-5, 1e-5), (t.name + ": " + std::to_string((got - b.want).abs().max().item<double>())).c_str());
            SequenceHead *head = findSequenceHead(*model);
            QVERIFY(head);
            const auto generate = [&](int beam, double penalty) {
                std::vector<torch::jit::IValue> a = args;
                a.emplace_back(static_cast<std::int64_t>(beam));
                a.emplace_back(penalty);
                std::vector<std::vector<std::int64_t>> ids;
                for (const auto &row : loaded.get_method("generate")(a).toList())
                    ids.push_back(row.get().toIntVector());
                return ids;
            };
            nlohmann::json expected;
            const auto greedy = decodeLogits(b.want, head->ctc());
            QVERIFY2(generate(1, 0.0) == greedy, t.name.c_str());
            expected["greedy"] = greedy;
            for (const auto &row : greedy)
                tokens += static_cast<int>(row.size());
            if (!head->ctc()) {
                model->forward(b.xs, b.present); // the memory FuseLab's beam search reads
                for (double penalty : {0.0, 1.0}) {
                    const auto beam = head->beamSearch(3, penalty);
                    QVERIFY2(generate(3, penalty) == beam, (t.name + ", length penalty " + std::to_string(penalty)).c_str());
                    expected[penalty == 0.0 ? "beam3" : "beam3_penalty1"] = beam;
                }
            }
            // PyTorch code: model.py decodes the same, in Python.
            const std::string folder = dir() + "/py-seq-" + t.name;
            fs::create_directories(folder);
            test::writeFile(folder + "/model.py", pythonModelSource(model, e.dataset.classes, {"photo", "clip", "caption"}));
            writeSafetensors(folder + "/model.safetensors", model->inferenceState());
            writeSafetensors(folder + "/inputs.safetensors", {{"x0", b.xs[0]}, {"x1", b.xs[1]}, {"x2", b.xs[2]}, {"present", b.present}, {"expected", b.want}});
            test::writeFile(folder + "/expected_ids.json", expected.dump());
            QProcess py;
            py.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_pytorch_code.py"), QString::fromStdString(folder)});
            QVERIFY(py.waitForFinished(300000));
            QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
            const auto r = nlohmann::json::parse(py.readAllStandardOutput().toStdString()).at(0);
            QVERIFY2(r["max_abs_diff"].get<double>() <= 1e-5, (t.name + ": " + r.dump()).c_str());
            QVERIFY2(r["generate_mismatches"] == nlohmann::json::array(), (t.name + ": " + r.dump()).c_str());
            QVERIFY2(r["generate_checked"].get<int>() == static_cast<int>(expected.size()), (t.name + ": " + r.dump()).c_str());
            QVERIFY2(r["params_changed"].get<int>() > 0, (t.name + ": " + r.dump()).c_str());
            qInfo("%s: TorchScript and PyTorch code decode as FuseLab (%zu ways)", t.name.c_str(), expected.size());
        }
        QCOMPARE(templates, 3);
        QVERIFY2(tokens > 0, "every greedy text was empty: the comparison proves little"); // random weights still write tokens

        // The Transformer decoder is refused, naming the block and why.
        Experiment e = test::replacedBlock("translation", "head.rnn_decoder", "head.transformer_decoder", {{"max_length", 9}}, test::threeModalitiesTexts());
        FusionModel model(e.graph, inferContext(e));
        try {
            saveTorchScript(model, e.dataset.classes, {"photo", "clip", "caption"}, dir() + "/transformer-decoder.pt");
            QFAIL("the Transformer decoder was exported");
        } catch (const Error &x) {
            QVERIFY2(std::string(x.what()).find("head.transformer_decoder") != std::string::npos, x.what());
        }
        QVERIFY(!fs::exists(dir() + "/transformer-decoder.pt"));
    }

    // The blocks no template uses, each in a graph of its own: ResNet, MLP and Transformer
    // encoders (CLS and mean pooling), FiLM conditioning, the multi-label head and a
    // TorchScript encoder block (a module the test writes).
    void torchScriptCoversEveryBlock()
    {
        const auto cases = test::blockCases();
        for (const auto &[name, e] : cases)
            checkTorchScript(e, name);
        QVERIFY(std::any_of(cases.begin(), cases.end(), [](const auto &c) {
            return std::any_of(c.second.graph.nodes.begin(), c.second.graph.nodes.end(), [](const GraphNode &n) { return n.type == "head.multilabel"; });
        }));
        // A TorchScript encoder block: the photo flattened times a weight matrix.
        {
            torch::jit::Module inner(c10::QualifiedName("__torch__.test.Inner"), std::make_shared<torch::jit::CompilationUnit>(), true);
            inner.register_attribute("training", c10::BoolType::get(), false);
            inner.register_parameter("w", torch::randn({3 * 16 * 16, 12}) * 0.05, false);
            inner.define("def forward(self, x: Tensor) -> Tensor:\n        return torch.relu(torch.matmul(x.flatten(1), self.w))\n");
            const std::string pt = dir() + "/inner.pt";
            inner.save(pt);
            checkTorchScript(test::replacedBlock("image-cnn", "encoder.cnn", "encoder.torchscript", {{"path", pt}}), "torchscript-encoder");
        }
        // Every block FuseLab has went through TorchScript: here, or in a template.
        std::set<std::string> exercised = {"encoder.torchscript"};
        for (const auto &[name, e] : cases)
            for (const GraphNode &n : e.graph.nodes)
                exercised.insert(n.type);
        for (const ExperimentTemplate &t : experimentTemplates())
            for (const GraphNode &n : makeExperiment(t.name, test::datasetFor(t)).graph.nodes)
                exercised.insert(n.type);
        for (const BlockType *type : builtinBlocks().all())
            QVERIFY2(exercised.count(type->type()) || test::exportsRefuse(type->type()), type->type().c_str());
    }

    // The PyTorch code export: for every template and block case, model.py (an nn.Module
    // per block, PyTorch's own layers) loads FuseLab's weights by their names (strict) in
    // Debian's Python PyTorch, gives FuseLab's outputs on the batch where samples miss
    // modalities, and trains one step.
    void pytorchCodeMatchesEveryModel()
    {
        std::vector<std::pair<std::string, Experiment>> cases;
        for (const ExperimentTemplate &t : experimentTemplates())
            if (t.task != Task::Sequence) // decoders are not exported yet
                cases.emplace_back(t.name, makeExperiment(t.name, test::datasetFor(t)));
        for (const auto &c : test::blockCases())
            cases.push_back(c);
        QStringList folders;
        for (auto &[name, e] : cases) {
            e.preprocessing.text.maxVocab = 50;
            torch::manual_seed(7);
            FusionModel model(e.graph, inferContext(e));
            const test::ExportBatch b = test::exportBatch(e, model);
            const std::string folder = dir() + "/py-" + name;
            fs::create_directories(folder);
            test::writeFile(folder + "/model.py", pythonModelSource(model, e.dataset.classes, {"photo", "clip", "caption"}));
            writeSafetensors(folder + "/model.safetensors", model->inferenceState());
            writeSafetensors(folder + "/inputs.safetensors", {{"x0", b.xs[0]}, {"x1", b.xs[1]}, {"x2", b.xs[2]}, {"present", b.present}, {"expected", b.want}});
            folders << QString::fromStdString(folder);
        }
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_pytorch_code.py")} + folders);
        QVERIFY(py.waitForFinished(300000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const auto results = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
        QCOMPARE(results.size(), cases.size());
        std::set<std::string> layers;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto &r = results[i];
            QVERIFY2(r["max_abs_diff"].get<double>() <= 1e-5, (cases[i].first + ": " + r.dump()).c_str());
            QVERIFY2(r["params_changed"].get<int>() > 0, (cases[i].first + ": " + r.dump()).c_str());
            QVERIFY(r["classes"] == nlohmann::json(cases[i].second.dataset.classes));
            for (const auto &m : r["modules"])
                layers.insert(m.get<std::string>());
        }
        // PyTorch's own layers, as a person would write the model.
        for (const char *l : {"Conv2d", "BatchNorm2d", "GRU", "LSTM", "MultiheadAttention", "TransformerEncoderLayer", "Embedding", "LayerNorm", "Conv1d"})
            QVERIFY2(layers.count(l), l);
        qInfo("PyTorch code: %zu models match FuseLab's outputs and train in Python", cases.size());

        // A TorchScript encoder cannot be written as Python: refused, naming the block.
        torch::jit::Module inner(c10::QualifiedName("__torch__.test.Inner"), std::make_shared<torch::jit::CompilationUnit>(), true);
        inner.register_parameter("w", torch::randn({3 * 16 * 16, 12}), false);
        inner.define("def forward(self, x: Tensor) -> Tensor:\n        return torch.matmul(x.flatten(1), self.w)\n");
        inner.save(dir() + "/inner-py.pt");
        Experiment ts = test::replacedBlock("image-cnn", "encoder.cnn", "encoder.torchscript", {{"path", dir() + "/inner-py.pt"}});
        FusionModel tsModel(ts.graph, inferContext(ts));
        try {
            pythonModelSource(tsModel, ts.dataset.classes, {"photo", "clip", "caption"});
            QFAIL("a TorchScript encoder was written as Python");
        } catch (const Error &x) {
            QVERIFY2(std::string(x.what()).find("encoder.torchscript") != std::string::npos, x.what());
        }
    }

    // The "pytorch" export of a real run: train.py's Dataset turns the manifest's samples
    // (images resized up and down, RGB and grey, large JPEGs, captions, a missing caption) into exactly
    // the tensors FuseLab's cache holds; torchrun runs it on two processes (Gloo) and the
    // weights it writes start a FuseLab run.
    void pytorchExportTrainsWithTorchrun()
    {
        const std::string root = dir() + "/pytrain";
        std::string manifest = "image,caption,label,split\n";
        for (int i = 0; i < 16; ++i) {
            // PNGs resized up and down, grey and RGB; large JPEGs (decoded reduced by FuseLab)
            const std::string img = "img" + std::to_string(i) + (i % 5 == 3 ? ".jpg" : ".png");
            if (i % 5 == 3)
                test::writeImage(root + "/data/" + img, 61, 50, i % 2 ? 3 : 1, 8, i);
            else
                test::writeImage(root + "/data/" + img, i % 2 ? 20 : 7, i % 3 ? 14 : 9, i % 4 ? 3 : 1, 8, i);
            const std::string caption = i == 5 ? "" : std::string(i % 2 ? "a bright sky" : "the dark night") + (i % 3 ? " , again" : "");
            manifest += img + ",\"" + caption + "\"," + (i % 2 ? "bright" : "dark") + "," + (i < 12 ? "train" : "val") + "\n";
        }
        test::writeFile(root + "/data/manifest.csv", manifest);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        const std::string exp = root + "/p.fuselab.json";
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "concat", "--dataset", root + "/data/manifest.csv", "-o", exp}, &out, &err) == 0, err.c_str());
        Experiment e = Experiment::load(exp);
        e.preprocessing.image.width = e.preprocessing.image.height = 12;
        e.training.epochs = 1;
        e.training.batchSize = 4;
        e.save(exp);
        QVERIFY2(test::runCli({"train", exp, "--out", root + "/run", "--quiet"}, &out, &err) == 0, err.c_str());
        const std::string ex = root + "/export";
        QVERIFY2(test::runCli({"export", root + "/run", "--format", "pytorch", "-o", ex}, &out, &err) == 0, err.c_str());
        for (const char *f : {"model.py", "train.py", "model.safetensors", "experiment.fuselab.json", "preprocessing.json", "README.md"})
            QVERIFY2(fs::exists(fs::path(ex) / f), f);

        // FuseLab's cache, row for row (the manifest's order), against train.py's Dataset.
        const TensorCache cache = TensorCache::open(RunFolder(root + "/run").readRecord().cache);
        std::vector<std::int64_t> rows(static_cast<std::size_t>(cache.size()));
        std::iota(rows.begin(), rows.end(), 0);
        const CacheBatch all = cache.batch(rows);
        std::vector<std::pair<std::string, torch::Tensor>> stored;
        for (std::size_t m = 0; m < all.inputs.size(); ++m)
            stored.emplace_back("x" + std::to_string(m), all.inputs[m]);
        stored.emplace_back("present", all.present.to(torch::kFloat));
        stored.emplace_back("labels", all.labels);
        writeSafetensors(root + "/cache-tensors.safetensors", stored);
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_train_py.py"), QString::fromStdString(ex),
                                                       QString::fromStdString(root + "/data/manifest.csv"),
                                                       QString::fromStdString(root + "/cache-tensors.safetensors")});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const auto r = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
        QVERIFY2(r["rows"] == 16 && r["cache_rows"] == 16 && r["present_equal"] == true && r["labels_equal"] == true, r.dump().c_str());
        QCOMPARE(r["inputs"].size(), std::size_t(2));
        for (const auto &in : r["inputs"]) {
            QVERIFY2(in["shape_equal"] == true, r.dump().c_str());
            QVERIFY2(in["max_abs_diff"].get<double>() <= (in["kind"] == "text" ? 0.0 : 1e-5), r.dump().c_str());
            qInfo("train.py's %s tensors against FuseLab's cache: max |diff| %g", in["kind"].get<std::string>().c_str(), in["max_abs_diff"].get<double>());
        }

        // Two processes with Debian's torchrun (the flags its 1.13 needs under Python 3.11).
        QProcess run;
        run.setWorkingDirectory(QString::fromStdString(ex));
        run.start(QStringLiteral("torchrun"), {QStringLiteral("--standalone"), QStringLiteral("--nproc_per_node"), QStringLiteral("2"),
                                               QStringLiteral("--redirects"), QStringLiteral("1"), QStringLiteral("--tee"), QStringLiteral("1"),
                                               QStringLiteral("--log_dir"), QString::fromStdString(root + "/torchrun-logs"),
                                               QStringLiteral("train.py"), QStringLiteral("--epochs"), QStringLiteral("2")});
        QVERIFY(run.waitForFinished(240000));
        const QString log = QString::fromLocal8Bit(run.readAllStandardOutput() + run.readAllStandardError());
        QVERIFY2(run.exitCode() == 0, qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("\"epoch\": 2")) && log.contains(QStringLiteral("\"world_size\": 2")), qPrintable(log));
        QVERIFY(fs::exists(ex + "/trained.safetensors"));
        // FuseLab continues from the weights Python trained.
        QVERIFY2(test::runCli({"train", exp, "--out", root + "/run2", "--quiet", "--init-weights", ex + "/trained.safetensors"}, &out, &err) == 0,
                 err.c_str());
    }

    // A Hugging Face-style text model as an encoder: WordPiece ids and an attention mask in,
    // a (last hidden state, pooled) tuple out. The tokenizer writes [CLS] pieces [SEP] and
    // zeros into the cache; the module (written here: embeddings, masked, and a tanh
    // pooler) is called with (input_ids, attention_mask); a run trains with it from the
    // command line; the exported TorchScript gives the trained model's outputs.
    void huggingFaceStyleTextEncoder()
    {
        const std::string root = dir() + "/hf";
        fs::create_directories(root);
        test::writeFile(root + "/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\nrunn\n##ing\ngood\nbad\n!\n");
        // The tokenizer as the cache builder uses it.
        TextSettings ts;
        ts.tokenizer = TokenizerKind::WordPiece;
        ts.vocabFile = root + "/vocab.txt";
        auto tok = Tokenizer::create(ts);
        tok->fit({});
        std::vector<std::int32_t> ids(10);
        tok->encodeFixed("Unaffable running!", 10, ids.data());
        QCOMPARE(ids, (std::vector<std::int32_t>{2, 4, 5, 6, 7, 8, 11, 3, 0, 0}));
        tok->encodeFixed("Unaffable running!", 5, ids.data());
        QCOMPARE(std::vector<std::int32_t>(ids.begin(), ids.begin() + 5), (std::vector<std::int32_t>{2, 4, 5, 6, 3}));
        auto again = Tokenizer::create(ts);
        again->deserialize(tok->serialize());
        QCOMPARE(again->encode("good bad"), (std::vector<std::int32_t>{2, 9, 10, 3}));

        // A BERT-shaped module: forward(input_ids, attention_mask) -> (hidden, pooled).
        {
            torch::jit::Module bert(c10::QualifiedName("__torch__.test.TinyBert"), std::make_shared<torch::jit::CompilationUnit>(), true);
            bert.register_attribute("training", c10::BoolType::get(), false);
            bert.register_parameter("emb", torch::randn({12, 8}) * 0.5, false);
            bert.register_parameter("pool", torch::randn({8, 8}) * 0.5, false);
            bert.define("def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
                        "        h = torch.embedding(self.emb, input_ids, 0, False, False) * attention_mask.unsqueeze(2).float()\n"
                        "        return h, torch.tanh(torch.matmul(h[:, 0] + h.sum(1), self.pool))\n");
            bert.save(root + "/bert.pt");
        }
        std::string csv = "text,label\n";
        for (int i = 0; i < 40; ++i)
            csv += std::string(i % 2 ? "good running" : "bad unaffable") + (i % 3 ? " !" : "") + "," + (i % 2 ? "pos" : "neg") + "\n";
        test::writeFile(root + "/data.csv", csv);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        DatasetSummary s;
        s.path = "data.csv";
        s.classes = {"neg", "pos"};
        s.modalities = {{"text", Modality::Text}};
        Experiment e = makeExperiment("text-gru", s);
        e.dataset.labelColumn = "label";
        e.preprocessing.text.tokenizer = TokenizerKind::WordPiece;
        e.preprocessing.text.vocabFile = "vocab.txt"; // relative to the experiment file
        e.preprocessing.text.maxLength = 8;
        for (GraphNode &n : e.graph.nodes)
            if (n.type == "encoder.rnn") {
                n.type = "encoder.torchscript";
                n.params = {{"path", "bert.pt"}, {"call", "ids_mask"}, {"output", "pooled"}, {"frozen", false}};
            }
        e.training.epochs = 2;
        e.training.patience = 0;
        const std::string exp = root + "/hf.fuselab.json";
        e.save(exp);
        std::string out, err;
        QVERIFY2(test::runCli({"check", exp}, &out, &err) == 0, (out + err).c_str());
        QVERIFY2(test::runCli({"train", exp, "--out", root + "/run", "--quiet"}, &out, &err) == 0, (out + err).c_str());
        QVERIFY2(test::runCli({"export", root + "/run", "--format", "torchscript", "-o", root + "/export"}, &out, &err) == 0, err.c_str());
        // The exported module against the trained model, on ids the tokenizer makes.
        const Experiment used = RunFolder(root + "/run").readExperiment();
        FusionModel trained(used.graph, inferContext(used, root));
        loadBest(trained, root + "/run");
        torch::Tensor batch = torch::zeros({3, 8}, torch::kLong);
        const std::vector<std::string> texts = {"good running !", "bad unaffable", "unaffable good bad running"};
        for (int b = 0; b < 3; ++b) {
            tok->encodeFixed(texts[static_cast<std::size_t>(b)], 8, ids.data());
            for (int k = 0; k < 8; ++k)
                batch.index_put_({b, k}, ids[static_cast<std::size_t>(k)]);
        }
        torch::NoGradGuard noGrad;
        const torch::Tensor present = torch::ones({3, 1});
        const torch::Tensor want = trained->forward({batch}, present).logits;
        torch::jit::Module exported = torch::jit::load(root + "/export/model.pt");
        const torch::Tensor got = exported.forward({batch, present}).toTensor();
        QVERIFY2(torch::allclose(got, want, 1e-5, 1e-5), std::to_string((got - want).abs().max().item<double>()).c_str());
    }

    // A real run exported: the file holds the checkpoint's weights (read by the independent
    // reader), a model of the same graph initialised from it gives the trained model's
    // outputs, `train --init-weights` starts from it, and a graph it does not fit is refused.
    void exportedRunLoadsElsewhere()
    {
        const std::string root = dir() + "/run";
        test::writeBrightnessClasses(root + "/data");
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
        const std::string exp = root + "/b.fuselab.json";
        std::string out, err;
        QCOMPARE(test::runCli({"new", "--template", "image-cnn", "--dataset", root + "/data", "-o", exp}, &out, &err), 0);
        QCOMPARE(test::runCli({"train", exp, "--out", root + "/r1", "--epochs", "2", "--quiet"}, &out, &err), 0);
        const std::string ex = root + "/export";
        QVERIFY2(test::runCli({"export", root + "/r1", "--format", "safetensors", "-o", ex}, &out, &err) == 0, err.c_str());
        for (const char *f : {"model.safetensors", "experiment.fuselab.json", "preprocessing.json", "README.md"})
            QVERIFY2(fs::exists(fs::path(ex) / f), f);

        const Experiment e = Experiment::load(exp);
        FusionModel trained(e.graph, inferContext(e, root));
        loadBest(trained, root + "/r1");
        const nlohmann::json py = pythonRead(ex + "/model.safetensors");
        const auto state = trained->inferenceState();
        QCOMPARE(py["tensors"].size(), state.size());
        for (const auto &[name, t] : state) {
            QVERIFY2(py["tensors"].contains(name), name.c_str());
            const auto &v = py["tensors"][name]["values"];
            const torch::Tensor flat = t.detach().contiguous().view(-1).to(torch::kDouble);
            QCOMPARE(static_cast<std::int64_t>(v.size()), flat.numel());
            for (std::int64_t i = 0; i < flat.numel(); ++i)
                QVERIFY2(v[static_cast<std::size_t>(i)].get<double>() == flat[i].item<double>(), name.c_str());
            QVERIFY2(name.rfind("node_", 0) == 0, name.c_str()); // no training-only auxiliary heads
        }
        QVERIFY(py["metadata"]["classes"].get<std::string>() == nlohmann::json(e.dataset.classes).dump());

        // preprocessing.json: the classes, the one input's shape, the cache's normalisation.
        const auto pre = nlohmann::json::parse(test::readAll(ex + "/preprocessing.json"));
        QCOMPARE(pre["classes"].get<std::vector<std::string>>(), e.dataset.classes);
        QCOMPARE(pre["inputs"].size(), std::size_t(1));
        QVERIFY(pre["inputs"][0]["shape"] == nlohmann::json({1, 8, 8}));
        QCOMPARE(pre["inputs"][0]["image"]["mean"].size(), std::size_t(1));
        QVERIFY(pre["inputs"][0]["image"]["std"][0].get<double>() > 0);

        // A fresh model (other random weights) initialised from the file answers as the trained one.
        torch::manual_seed(12345);
        FusionModel fresh(e.graph, inferContext(e, root));
        fresh->eval();
        const torch::Tensor x = torch::randn({5, 1, 8, 8});
        const torch::Tensor present = torch::ones({5, 1});
        torch::NoGradGuard noGrad;
        const torch::Tensor before = fresh->forward({x}, present).logits;
        fresh->loadInferenceState(readSafetensors(ex + "/model.safetensors").tensors, "model.safetensors");
        const torch::Tensor want = trained->forward({x}, present).logits;
        QVERIFY(!torch::allclose(before, want));
        QVERIFY(torch::equal(fresh->forward({x}, present).logits, want));

        // The trainer starts from it when asked.
        QVERIFY2(test::runCli({"train", exp, "--out", root + "/r2", "--epochs", "1", "--quiet", "--init-weights", ex + "/model.safetensors"}, &out,
                              &err) == 0,
                 err.c_str());
        QVERIFY(test::readAll(root + "/r2/events.jsonl").find("\"init_weights\"") != std::string::npos);

        // Weights that do not fit the graph are refused, naming what does not fit.
        Experiment wider = e;
        for (GraphNode &n : wider.graph.nodes)
            if (n.type == "encoder.cnn")
                n.params["channels"] = 7;
        FusionModel other(wider.graph, inferContext(wider, root));
        try {
            other->loadInferenceState(readSafetensors(ex + "/model.safetensors").tensors, "model.safetensors");
            QFAIL("weights of another graph were loaded");
        } catch (const Error &err2) {
            const std::string m = err2.what();
            QVERIFY2(m.find("model.safetensors") != std::string::npos && m.find("wrong shape") != std::string::npos, m.c_str());
        }

        // Written whole or not at all: an existing export is kept unless --force, a format
        // this version does not write is refused by name and leaves nothing behind.
        const std::string kept = test::readAll(ex + "/model.safetensors");
        QCOMPARE(test::runCli({"export", root + "/r1", "-o", ex}, &out, &err), 2);
        QVERIFY2(err.find("already exists") != std::string::npos, err.c_str());
        QVERIFY(test::readAll(ex + "/model.safetensors") == kept);
        QCOMPARE(test::runCli({"export", root + "/r1", "--format", "safetensors,keras", "-o", root + "/py"}, &out, &err), 2);
        QVERIFY2(err.find("unknown export format \"keras\"") != std::string::npos, err.c_str());
        QVERIFY(!fs::exists(root + "/py"));
        for (const auto &entry : fs::directory_iterator(root))
            QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos, entry.path().c_str());
        QCOMPARE(test::runCli({"export", root + "/r1", "--format", "all", "-o", ex, "--force"}, &out, &err), 0);
        // "all" has every format; the ONNX model runs in ONNX Runtime as the trained model does,
        // and the README says OpenCV runs it too (an image classifier).
        for (const char *f : {"model.safetensors", "model.pt", "model.onnx", "model.py", "train.py", "preprocessing.json", "README.md"})
            QVERIFY2(fs::exists(fs::path(ex) / f), f);
        writeSafetensors(root + "/onnx-inputs.safetensors", {{"x0", x}, {"present", present}, {"expected", want}});
        QProcess node;
        node.start(QStringLiteral("node"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/run_onnx.js"), QString::fromStdString(ex + "/model.onnx"),
                                            QString::fromStdString(root + "/onnx-inputs.safetensors")});
        QVERIFY(node.waitForFinished(120000));
        QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
        const auto ort = nlohmann::json::parse(node.readAllStandardOutput().toStdString());
        QVERIFY2(ort["max_abs_diff"].get<double>() <= 1e-5, ort.dump().c_str());
        QVERIFY(test::readAll(ex + "/README.md").find("OpenCV's dnn module (4.6 checked) runs it too") != std::string::npos);
        // The left-overs of an export that died (pid 999999999 is no process) are removed.
        fs::create_directories(root + "/.export.partial-999999999-1-1");
        QCOMPARE(test::runCli({"export", root + "/r1", "--format", "all", "-o", ex, "--force"}, &out, &err), 0);
        QVERIFY(!fs::exists(root + "/.export.partial-999999999-1-1"));
        // --force replaces a previous export only, never another folder the user keeps.
        fs::create_directories(root + "/mine");
        test::writeFile(root + "/mine/keep.txt", "mine");
        QCOMPARE(test::runCli({"export", root + "/r1", "-o", root + "/mine", "--force"}, &out, &err), 2);
        QVERIFY2(err.find("not a FuseLab export") != std::string::npos, err.c_str());
        QCOMPARE(test::readAll(root + "/mine/keep.txt"), std::string("mine"));
        // "dir/" names dir; the exported experiment's relative paths name the same dataset.
        QVERIFY2(test::runCli({"export", root + "/r1", "--format", "safetensors", "-o", root + "/slash/"}, &out, &err) == 0, err.c_str());
        const Experiment moved = Experiment::load(root + "/slash/experiment.fuselab.json");
        const fs::path data = fs::path(moved.dataset.path).is_absolute() ? fs::path(moved.dataset.path) : fs::path(root + "/slash") / moved.dataset.path;
        QVERIFY2(fs::equivalent(data, root + "/data"), moved.dataset.path.c_str());
        // A deleted tensor cache is rebuilt (as eval and predict do), and gives the same export.
        fs::remove_all(RunFolder(root + "/r1").readRecord().cache);
        QVERIFY2(test::runCli({"export", root + "/r1", "--format", "safetensors", "-o", root + "/again"}, &out, &err) == 0, err.c_str());
        QVERIFY(test::readAll(root + "/again/model.safetensors") == kept);
        QVERIFY(test::readAll(root + "/again/preprocessing.json") == test::readAll(ex + "/preprocessing.json"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
