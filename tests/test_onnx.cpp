// SPDX-License-Identifier: GPL-3.0-or-later
// ONNX export: every template and every block FuseLab can express in ONNX is written by
// FuseLab's own encoder, checked by ONNX's checker in C++ (libonnx, with strict shape
// inference) and in Python (python3-onnx, full_check), and run by two other runtimes on a
// batch where samples miss modalities: ONNX Runtime (npm onnxruntime-node, from Node.js)
// for all of them and OpenCV's dnn for the models it supports; both give FuseLab's outputs.
#include "core/export/OnnxExport.h"
#include "core/formats/Safetensors.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/SequenceHead.h"
#include "core/util/Error.h"
#include "tests/support/ExportCases.h"
#include "tests/support/TestFiles.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <opencv2/dnn.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using namespace fuselab;

namespace {

nlohmann::json runTool(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {{"error", (program + QStringLiteral(" failed: ") + QString::fromLocal8Bit(p.readAllStandardError())).toStdString()}};
    return nlohmann::json::parse(p.readAllStandardOutput().toStdString(), nullptr, false);
}

// What OpenCV 4.6's dnn runs of FuseLab's models, known independently of the exporter: the
// image classifiers (its importer multiplies only same-shaped runtime tensors, so the
// fusions' masks, audio normalisation and recurrent lengths are out; text needs a runtime
// Gather). The export decides it from the operators it writes; the two must agree.
bool openCvRuns(const Experiment &e)
{
    const std::vector<std::string> ok = {"input.image", "encoder.cnn", "encoder.mlp", "encoder.resnet", "head.classification", "head.multilabel", "output"};
    return std::all_of(e.graph.nodes.begin(), e.graph.nodes.end(),
                       [&](const GraphNode &n) { return std::find(ok.begin(), ok.end(), n.type) != ok.end(); });
}

cv::Mat toMat(const torch::Tensor &t)
{
    const torch::Tensor c = t.to(torch::kFloat).contiguous();
    std::vector<int> dims(c.sizes().begin(), c.sizes().end());
    return cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F, c.data_ptr()).clone();
}

// A photo and a clip: the fusions OpenCV can run without text.
DatasetSummary photoAndClip()
{
    DatasetSummary s = test::threeModalities();
    s.modalities.pop_back();
    return s;
}

} // namespace

class TestOnnx final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string dir() const { return m_tmp.path().toStdString(); }
    int m_openCvModels = 0;

    void checkOnnx(Experiment e, const std::string &name)
    {
        e.preprocessing.text.maxVocab = 50;
        torch::manual_seed(7);
        FusionModel model(e.graph, inferContext(e));
        test::ExportBatch b = test::exportBatch(e, model);
        const std::size_t inputs = e.dataset.modalities.size();
        b.xs.resize(inputs);
        b.present = b.present.narrow(1, 0, static_cast<std::int64_t>(inputs)).contiguous();
        {
            torch::NoGradGuard noGrad;
            b.want = model->forward(b.xs, b.present).logits;
        }
        std::vector<std::string> names;
        for (const auto &m : e.dataset.modalities)
            names.push_back(m.name);
        const std::string file = dir() + "/" + name + ".onnx";
        const OnnxWritten written = saveOnnx(model, e.dataset.classes, names, b.xs, file, "FuseLab test");
        QVERIFY2(written.openCvRuns() == openCvRuns(e), (name + ": the export says OpenCV " + (written.openCvRuns() ? "runs it" : "needs " + written.openCvObstacle)).c_str());

        // A text decoder is two graphs: the encoder and one decoding step.
        const bool decoder = !written.decoderStep.empty();
        SequenceHead *head = findSequenceHead(*model);
        QCOMPARE(decoder, head != nullptr && !head->ctc());
        std::vector<std::string> files = {file};
        if (decoder)
            files.push_back(written.decoderStep);

        // ONNX's own checker and strict shape inference, in C++.
        onnx::ModelProto proto;
        for (const std::string &f : files) {
            {
                std::ifstream in(f, std::ios::binary);
                proto.Clear();
                QVERIFY2(proto.ParseFromIstream(&in), f.c_str());
            }
            try {
                onnx::checker::check_model(proto);
                onnx::ShapeInferenceOptions options{true, 1, true}; // check types, errors throw, data propagation
                onnx::shape_inference::InferShapes(proto, onnx::OpSchemaRegistry::Instance(), options);
            } catch (const std::exception &x) {
                QFAIL((f + ": " + x.what()).c_str());
            }
            QCOMPARE(proto.opset_import(0).version(), static_cast<std::int64_t>(kOnnxOpset));
        }
        if (decoder) { // the encoder's proto again, for its inputs below
            std::ifstream in(file, std::ios::binary);
            proto.Clear();
            QVERIFY(proto.ParseFromIstream(&in));
        }

        const std::string tensors = dir() + "/" + name + ".inputs.safetensors";
        std::vector<std::pair<std::string, torch::Tensor>> stored;
        for (std::size_t m = 0; m < b.xs.size(); ++m)
            stored.emplace_back("x" + std::to_string(m), b.xs[m]); // the runtimes feed those the model declares
        stored.emplace_back("present", b.present);
        stored.emplace_back("expected", b.want);
        writeSafetensors(tensors, stored);

        // Python's checker (full check), and what the file says about itself.
        const nlohmann::json py = runTool(QStringLiteral("/usr/bin/python3"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_onnx.py"), QString::fromStdString(file)});
        QVERIFY2(!py.contains("error"), (name + ": " + py.dump()).c_str());
        QVERIFY(py["metadata"]["class_names"] == nlohmann::json(e.dataset.classes).dump());
        QVERIFY(py["metadata"]["input_names"] == nlohmann::json(names).dump());
        QCOMPARE(py["opsets"]["ai.onnx"].get<int>(), kOnnxOpset);
        if (!decoder) {
            QVERIFY(py["outputs"] == nlohmann::json::array({"logits"}));
        } else {
            QVERIFY2(py["outputs"] == nlohmann::json::array({"memory", "slots", "state0", "state1", "state2"}), py.dump().c_str());
            const nlohmann::json step = runTool(QStringLiteral("/usr/bin/python3"),
                                                {QStringLiteral(FUSELAB_TEST_DATA_DIR "/check_onnx.py"), QString::fromStdString(written.decoderStep)});
            QVERIFY2(!step.contains("error"), (name + ": " + step.dump()).c_str());
            QVERIFY2(step["outputs"] == nlohmann::json::array({"logits", "state0_out", "state1_out", "state2_out"}), step.dump().c_str());
        }

        // ONNX Runtime: the logits, or for a decoder greedy decoding through the two graphs.
        nlohmann::json ort;
        if (!decoder) {
            ort = runTool(QStringLiteral("node"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/run_onnx.js"), QString::fromStdString(file), QString::fromStdString(tensors)});
            QVERIFY2(!ort.contains("error"), (name + ": " + ort.dump()).c_str());
            QVERIFY2(ort["dims"] == ort["expected_dims"], (name + ": " + ort.dump()).c_str());
        } else {
            ort = runTool(QStringLiteral("node"), {QStringLiteral(FUSELAB_TEST_DATA_DIR "/decode_onnx.js"), QString::fromStdString(file),
                                                   QString::fromStdString(written.decoderStep), QString::fromStdString(tensors),
                                                   QString::number(head->maxLength())});
            QVERIFY2(!ort.contains("error"), (name + ": " + ort.dump()).c_str());
            QVERIFY2(ort["steps"] == ort["expected_steps"], (name + ": " + ort.dump()).c_str());
            // The tokens chosen at each step are FuseLab's greedy ones.
            const torch::Tensor chosen = b.want.argmax(2).contiguous();
            for (std::int64_t i = 0; i < chosen.size(0); ++i) {
                std::vector<std::int64_t> want(chosen[i].data_ptr<std::int64_t>(), chosen[i].data_ptr<std::int64_t>() + chosen.size(1));
                QVERIFY2(ort["ids"][static_cast<std::size_t>(i)].get<std::vector<std::int64_t>>() == want, (name + ": " + ort["ids"].dump()).c_str());
            }
        }
        QVERIFY2(ort["max_abs_diff"].get<double>() <= 1e-5, (name + ": ONNX Runtime " + ort.dump()).c_str());

        // OpenCV's dnn, for the models made of blocks it supports.
        if (openCvRuns(e)) {
            cv::Mat out;
            try {
                cv::dnn::Net net = cv::dnn::readNetFromONNX(file);
                for (const auto &in : proto.graph().input())
                    net.setInput(in.name() == "present" ? toMat(b.present) : toMat(b.xs.at(std::stoul(in.name().substr(1)))), in.name());
                out = net.forward("logits");
            } catch (const cv::Exception &x) {
                QFAIL((name + ": OpenCV: " + x.what()).c_str());
            }
            QCOMPARE(static_cast<std::int64_t>(out.total()), b.want.numel());
            const torch::Tensor got = torch::from_blob(const_cast<float *>(out.ptr<float>()), b.want.sizes(), torch::kFloat).clone();
            QVERIFY2(torch::allclose(got, b.want, 1e-5, 1e-5), (name + ": OpenCV " + std::to_string((got - b.want).abs().max().item<double>())).c_str());
            ++m_openCvModels;
        }
        qInfo("%s: ONNX checked (C++, Python), ONNX Runtime max |diff| %.2g%s", name.c_str(), ort["max_abs_diff"].get<double>(),
              openCvRuns(e) ? ", OpenCV matches" : "");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(fs::exists(FUSELAB_TEST_DATA_DIR "/../node/node_modules/onnxruntime-node"),
                 "ONNX Runtime for Node.js is missing from tests/node: run scripts/install-deps.sh");
    }

    void everyTemplate()
    {
        for (const ExperimentTemplate &t : experimentTemplates())
            checkOnnx(makeExperiment(t.name, test::datasetFor(t)), t.name);
    }

    void everyBlock()
    {
        for (const auto &[name, e] : test::blockCases())
            checkOnnx(e, name);
        // Fusions over a photo and a clip (no text).
        for (const char *t : {"concat", "late-fusion", "gated-fusion", "attention-fusion", "tensor-fusion", "low-rank-fusion", "autoencoder-fusion"})
            checkOnnx(makeExperiment(t, photoAndClip()), std::string(t) + "-photo-clip");
        QVERIFY2(m_openCvModels >= 3, // image-cnn, resnet, mlp
                 std::to_string(m_openCvModels).c_str());
        // Every block FuseLab has went through ONNX above (the TorchScript encoder is refused
        // below, with the reason).
        std::set<std::string> exercised = {"encoder.torchscript"};
        for (const auto &[name, e] : test::blockCases())
            for (const GraphNode &n : e.graph.nodes)
                exercised.insert(n.type);
        for (const ExperimentTemplate &t : experimentTemplates())
            for (const GraphNode &n : makeExperiment(t.name, test::datasetFor(t)).graph.nodes)
                exercised.insert(n.type);
        for (const BlockType *type : builtinBlocks().all())
            QVERIFY2(exercised.count(type->type()) || test::exportsRefuse(type->type()), type->type().c_str());
    }

    // A block ONNX cannot hold is refused naming it and why; nothing is written.
    void torchScriptEncoderIsRefused()
    {
        torch::jit::Module inner(c10::QualifiedName("__torch__.test.Inner"), std::make_shared<torch::jit::CompilationUnit>(), true);
        inner.register_parameter("w", torch::randn({3 * 16 * 16, 12}) * 0.05, false);
        inner.define("def forward(self, x: Tensor) -> Tensor:\n        return torch.relu(torch.matmul(x.flatten(1), self.w))\n");
        const std::string pt = dir() + "/inner.pt";
        inner.save(pt);
        Experiment e = test::replacedBlock("image-cnn", "encoder.cnn", "encoder.torchscript", {{"path", pt}});
        FusionModel model(e.graph, inferContext(e));
        const test::ExportBatch b = test::exportBatch(e, model);
        const std::string file = dir() + "/refused.onnx";
        try {
            saveOnnx(model, e.dataset.classes, {"photo", "clip", "caption"}, b.xs, file, "test");
            QFAIL("a TorchScript encoder was written to ONNX");
        } catch (const Error &x) {
            const std::string what = x.what();
            QVERIFY2(what.find("encoder.torchscript") != std::string::npos && what.find("TorchScript module") != std::string::npos, what.c_str());
        }
        QVERIFY(!fs::exists(file));
    }
};

QTEST_GUILESS_MAIN(TestOnnx)
#include "test_onnx.moc"
