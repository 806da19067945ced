// SPDX-License-Identifier: GPL-3.0-or-later
// Experiment files, graph validation and shape inference, templates, and the whole model.
#include "core/document/Templates.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/FusionModel.h"
#include "core/model/ModalityDropout.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

using namespace fuselab;

namespace {

DatasetSummary demoSummary()
{
    DatasetSummary s;
    s.path = "data";
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageChannels = 3;
    s.imageWidth = 32;
    s.imageHeight = 32;
    return s;
}

Experiment demoExperiment(const std::string &name = "concat") { return makeExperiment(name, demoSummary()); }

std::vector<std::string> problems(const Experiment &e)
{
    std::vector<std::string> out;
    for (auto &p : analyseGraph(e.graph, inferContext(e), builtinBlocks()).problems)
        out.push_back(p.toString());
    return out;
}

bool hasProblem(const std::vector<std::string> &ps, const std::string &a, const std::string &b = "")
{
    for (auto &p : ps)
        if (p.find(a) != std::string::npos && p.find(b) != std::string::npos)
            return true;
    return false;
}

std::string errorOf(const nlohmann::json &j)
{
    try {
        Experiment::fromJson(j);
    } catch (const Error &e) {
        return e.what();
    }
    return "";
}

} // namespace

class TestGraph final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(1); }

    void everyTemplateRoundTripsAndValidates_data()
    {
        QTest::addColumn<QString>("name");
        for (auto &t : experimentTemplates())
            QTest::newRow(t.name.c_str()) << QString::fromStdString(t.name);
    }
    void everyTemplateRoundTripsAndValidates()
    {
        QFETCH(QString, name);
        DatasetSummary summary = demoSummary();
        const bool numbers = name == "regression";
        if (numbers) { // the template for a number per sample
            summary.task = Task::Regression;
            summary.classes = {"label"};
        }
        if (name == "captioning" || name == "translation" || name == "transcription") { // texts to produce
            summary.task = Task::Sequence;
            summary.classes.clear();
            summary.trainTargets = {"a red circle", "two squares", "a red star on the left"};
        }
        const Experiment e = makeExperiment(name.toStdString(), summary);
        const nlohmann::json j = e.toJson();
        QVERIFY(Experiment::fromJson(j).toJson() == j);
        QTemporaryDir dir;
        const std::string file = dir.path().toStdString() + "/x.fuselab.json";
        e.save(file);
        const std::string bytes = test::readAll(file);
        Experiment::load(file).save(file);
        QCOMPARE(test::readAll(file), bytes); // save -> load -> save: the same document
        const auto ps = problems(e);
        QVERIFY2(ps.empty(), ps.empty() ? "" : ps[0].c_str());
        // And the model runs: logits for every class.
        FusionModel model(e.graph, inferContext(e));
        model->train();
        const std::vector<torch::Tensor> columns = {torch::randn({2, 3, 32, 32}), torch::randn({2, 64, 81}),
                                                    torch::randint(1, 50, {2, 64}, torch::kLong)};
        const auto out = model->forward(columns, torch::ones({2, 3}, torch::kBool));
        if (summary.task == Task::Sequence) { // per step, one logit per token of the target vocabulary
            QCOMPARE(out.logits.dim(), std::int64_t(3));
            QCOMPARE(out.logits.size(2), static_cast<std::int64_t>(e.dataset.classes.size()));
            // "the", "a", "red", ... fitted on the targets, after the four specials.
            QCOMPARE(e.dataset.classes.at(0), std::string("<pad>"));
            return;
        }
        QCOMPARE(out.logits.sizes().vec(), (std::vector<std::int64_t>{2, numbers ? 1 : 3}));
        (out.logits.sum() + out.auxLoss).backward();
        if (name == "autoencoder-fusion")
            QVERIFY(out.auxLoss.item<double>() > 0);
    }

    void unimodalTemplatesNeedTheirModality()
    {
        DatasetSummary s = demoSummary();
        s.modalities = {{"caption", Modality::Text}};
        QVERIFY_THROWS_EXCEPTION(Error, makeExperiment("image-cnn", s));
        QVERIFY_THROWS_EXCEPTION(Error, makeExperiment("concat", s)); // one modality cannot be fused
        QVERIFY(makeExperiment("text-gru", s).graph.nodes.size() == 4);
        QVERIFY_THROWS_EXCEPTION(Error, makeExperiment("no-such-template", s));
    }

    void imageTemplateKeepsSmallImages()
    {
        DatasetSummary s = demoSummary();
        s.imageChannels = 1;
        s.imageWidth = s.imageHeight = 28;
        const Experiment e = makeExperiment("image-cnn", s);
        QCOMPARE(e.preprocessing.image.width, 28);
        QCOMPARE(e.preprocessing.image.channels, 1);
        const GraphAnalysis a = analyseGraph(e.graph, inferContext(e), builtinBlocks());
        QVERIFY(a.ok());
        QCOMPARE(a.outputShapes.at("input_photo")[0], TensorShape::image(1, 28, 28));
    }

    void shapesOnEveryEdge()
    {
        const Experiment e = demoExperiment("concat");
        const GraphAnalysis a = analyseGraph(e.graph, inferContext(e), builtinBlocks());
        QVERIFY(a.ok());
        QCOMPARE(a.outputShapes.at("input_photo")[0], TensorShape::image(3, 32, 32));
        QCOMPARE(a.outputShapes.at("input_clip")[0], TensorShape::image(1, 64, 81)); // 1 s at 16 kHz, hop 200
        QCOMPARE(a.outputShapes.at("input_caption")[0], TensorShape::tokens(64, 20000));
        QCOMPARE(a.outputShapes.at("encode_caption")[0], TensorShape::vector(128)); // bidirectional GRU, 64 per direction
        const std::int64_t fused = a.outputShapes.at("encode_photo")[0].dims[0] + a.outputShapes.at("encode_clip")[0].dims[0] + 128;
        QCOMPARE(a.outputShapes.at("fusion")[0], TensorShape::vector(fused));
        QCOMPARE(a.outputShapes.at("head")[0], TensorShape::vector(3));
        for (auto &edge : e.graph.edges)
            QVERIFY(a.edgeShape(edge, e.graph, builtinBlocks()) != nullptr);
    }

    void everyProblemKindIsReportedAtOnce()
    {
        Experiment e = demoExperiment("concat");
        Graph &g = e.graph;
        // 1. wrong port type: text tokens straight into the image CNN.
        g.edges.push_back({{"input_caption", "out"}, {"encode_photo", "in"}});
        // 2. a fusion with one input, 3. an unconnected input, 4. an unknown block,
        // 5. a bad option value and an unknown option, 6. a cycle.
        g.nodes.push_back({"lonely", "", "fusion.attention", {{"dim", 0}, {"colour", "red"}}, 0, 0});
        g.edges.push_back({{"encode_clip", "out"}, {"lonely", "in"}});
        g.nodes.push_back({"dangling", "", "head.classification", nlohmann::json::object(), 0, 0});
        g.nodes.push_back({"mystery", "", "encoder.quantum", nlohmann::json::object(), 0, 0});
        g.nodes.push_back({"loop_a", "", "encoder.mlp", nlohmann::json::object(), 0, 0});
        g.nodes.push_back({"loop_b", "", "encoder.mlp", nlohmann::json::object(), 0, 0});
        g.edges.push_back({{"loop_a", "out"}, {"loop_b", "in"}});
        g.edges.push_back({{"loop_b", "out"}, {"loop_a", "in"}});
        // 7. an edge to a port that does not exist.
        g.edges.push_back({{"encode_clip", "out"}, {"head", "features"}});
        const auto ps = problems(e);
        QVERIFY(hasProblem(ps, "encode_photo.in", "takes one connection"));
        QVERIFY(hasProblem(ps, "lonely.in", "at least 2 inputs"));
        QVERIFY(hasProblem(ps, "lonely.dim", "must be from 1"));
        QVERIFY(hasProblem(ps, "lonely.colour", "not an option"));
        QVERIFY(hasProblem(ps, "dangling.in", "not connected"));
        QVERIFY(hasProblem(ps, "mystery", "unknown block type \"encoder.quantum\""));
        QVERIFY(hasProblem(ps, "cycle", "loop_a"));
        QVERIFY(hasProblem(ps, "head.features", "no such input port"));
        QVERIFY(ps.size() >= 8);
    }

    void portTypeMismatchNamesBothEnds()
    {
        Experiment e = demoExperiment("image-cnn");
        for (auto &edge : e.graph.edges)
            if (edge.to.node == "head")
                edge.from = {"input_photo", "out"}; // an image into the classifier
        const auto ps = problems(e);
        QVERIFY(hasProblem(ps, "head.in", "receives image[3, 32, 32] from input_photo.out but accepts vector"));
    }

    void dimensionMismatchAtTheOutput()
    {
        Experiment e = demoExperiment("image-cnn");
        e.dataset.classes.push_back("d"); // the head makes 4 logits now: consistent
        QVERIFY(problems(e).empty());
        // Wire the encoder (vector[128]) straight to the output: 128 logits for 4 classes.
        e.graph.edges.erase(std::remove_if(e.graph.edges.begin(), e.graph.edges.end(),
                                           [](const GraphEdge &x) { return x.to.node == "output"; }),
                            e.graph.edges.end());
        e.graph.edges.push_back({{"encode_photo", "out"}, {"output", "logits"}});
        QVERIFY(hasProblem(problems(e), "output.logits", "the dataset has 4 classes"));
    }

    void headMustMatchTheTask()
    {
        DatasetSummary s = demoSummary();
        s.multiLabel = true;
        Experiment multi = makeExperiment("concat", s);
        QVERIFY(multi.dataset.multiLabel);
        QCOMPARE(multi.graph.node("head")->type, std::string("head.multilabel"));
        QCOMPARE(multi.training.earlyStopMetric, std::string("val_macro_f1"));
        QCOMPARE(demoExperiment().training.earlyStopMetric, std::string("val_accuracy"));
        QVERIFY(problems(multi).empty());
        QVERIFY(FusionModel(multi.graph, inferContext(multi))->multiLabel());
        // Late fusion has no head: the model takes the task from the dataset.
        Experiment late = makeExperiment("late-fusion", s);
        QVERIFY(FusionModel(late.graph, inferContext(late))->multiLabel());
        // The flag survives the experiment file.
        QVERIFY(Experiment::fromJson(multi.toJson()).dataset.multiLabel);

        Experiment wrong = multi;
        wrong.graph.node("head")->type = "head.classification";
        QVERIFY(hasProblem(problems(wrong), "head", "the dataset is multi-label"));
        wrong = demoExperiment();
        wrong.graph.node("head")->type = "head.multilabel";
        QVERIFY(hasProblem(problems(wrong), "head", "use head.classification"));
    }

    void tooSmallImagesAndBadHeads()
    {
        Experiment e = demoExperiment("image-cnn");
        e.graph.node("encode_photo")->params["layers"] = 6; // 32x32 cannot be pooled 6 times
        QVERIFY(hasProblem(problems(e), "encode_photo.in", "too small"));
        Experiment t = demoExperiment("text-gru");
        t.graph.node("encode_caption")->type = "encoder.transformer";
        t.graph.node("encode_caption")->params = {{"d_model", 30}, {"heads", 4}};
        QVERIFY(hasProblem(problems(t), "encode_caption.heads", "do not divide"));
    }

    // The two attention fusions share one width rule: heads divide d_model, and d_model is even.
    void attentionFusionsRefuseABadWidth()
    {
        for (const char *type : {"fusion.cross_attention", "fusion.bottleneck"}) {
            Experiment e = demoExperiment("concat");
            e.graph.node("fusion")->type = type;
            e.graph.node("fusion")->params = {{"d_model", 30}, {"heads", 4}}; // 4 does not divide 30
            QVERIFY2(hasProblem(problems(e), "fusion.heads", "heads must divide d_model"), type);
            e.graph.node("fusion")->params = {{"d_model", 9}, {"heads", 3}}; // divides, but odd
            QVERIFY2(hasProblem(problems(e), "fusion.heads", "d_model must be even"), type);
            e.graph.node("fusion")->params = {{"d_model", 12}, {"heads", 3}};
            QVERIFY2(!hasProblem(problems(e), "fusion.heads", "heads must divide"), type);
        }
    }

    void tensorFusionTooLargeIsExplained()
    {
        Experiment e = demoExperiment("tensor-fusion");
        e.graph.node("fusion")->params["proj_dim"] = 0;
        e.graph.node("encode_photo")->params["out_features"] = 1000; // 1001 x 129 x 129 features
        QVERIFY(hasProblem(problems(e), "fusion.in", "set proj_dim"));
    }

    // What a run changed against another: leaf settings and block options by node id.
    void settingDifferencesNameWhatChanged()
    {
        const Experiment a = demoExperiment("concat");
        Experiment b = a;
        b.training.epochs = 31;
        b.graph.node("fusion")->params["aux_weight"] = 0.25;
        b.graph.nodes.push_back({"n9", "n9", "encoder.mlp", nlohmann::json::object(), 0, 0});
        b.name = "renamed";                 // ignored
        b.graph.node("head")->x += 100;     // ignored
        const auto d = settingDifferences(a, b);
        const std::vector<std::string> want = {"training.epochs 10 \u2192 31", "fusion.aux_weight 0.5 \u2192 0.25", "+ n9 (encoder.mlp)"};
        QCOMPARE(d, want);
        QVERIFY(settingDifferences(a, a).empty());
    }

    void missingModalitiesAreMaskedEndToEnd()
    {
        const Experiment e = demoExperiment("attention-fusion");
        FusionModel model(e.graph, inferContext(e));
        model->eval();
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> columns = {torch::randn({2, 3, 32, 32}), torch::randn({2, 64, 81}),
                                              torch::randint(1, 50, {2, 64}, torch::kLong)};
        const torch::Tensor present = torch::tensor({{1, 0, 1}, {1, 0, 1}}, torch::kBool);
        const torch::Tensor a = model->forward(columns, present).logits;
        columns[1] = torch::randn({2, 64, 81}) * 100; // whatever sits in a missing column must not matter
        const torch::Tensor b = model->forward(columns, present).logits;
        QVERIFY(torch::allclose(a, b, 1e-5, 1e-6));
    }

    // Channels-last weights change the memory layout only: same logits and gradients (up to
    // float rounding) for a CNN and a ResNet image encoder, in a fused model.
    void channelsLastKeepsTheResults()
    {
        Experiment e = demoExperiment("concat");
        for (const char *encoder : {"encoder.cnn", "encoder.resnet"}) {
            Experiment x = e;
            x.graph.node("encode_photo")->type = encoder;
            x.graph.node("encode_photo")->params = nlohmann::json::object();
            torch::manual_seed(3);
            FusionModel model(x.graph, inferContext(x));
            model->eval();
            const std::vector<torch::Tensor> columns = {torch::randn({4, 3, 32, 32}), torch::randn({4, 64, 81}),
                                                        torch::randint(1, 50, {4, 64}, torch::kLong)};
            const torch::Tensor present = torch::ones({4, 3}, torch::kBool);
            auto run = [&] {
                model->zero_grad();
                const torch::Tensor logits = model->forward(columns, present).logits;
                logits.square().sum().backward();
                std::vector<torch::Tensor> grads;
                for (auto &p : model->parameters())
                    if (p.grad().defined()) // the fusion's auxiliary classifiers are training-only
                        grads.push_back(p.grad().clone());
                return std::make_pair(logits.detach().clone(), grads);
            };
            const auto plain = run();
            model->setChannelsLast(true);
            int channelsLast = 0;
            for (auto &p : model->parameters())
                channelsLast += p.dim() == 4 && !p.is_contiguous() && p.is_contiguous(at::MemoryFormat::ChannelsLast);
            QVERIFY2(channelsLast >= 2, encoder);
            const auto nhwc = run();
            QVERIFY2(torch::allclose(plain.first, nhwc.first, 1e-4, 1e-5), encoder);
            for (std::size_t k = 0; k < plain.second.size(); ++k)
                QVERIFY2(torch::allclose(plain.second[k], nhwc.second[k], 1e-3, 1e-4), encoder);
        }
    }

    void modalityDropout()
    {
        const std::int64_t B = 2000;
        torch::Tensor present = torch::ones({B, 3}, torch::kBool);
        present.index_put_({torch::indexing::Slice(0, 100), 2}, false); // some samples lack text
        std::vector<torch::Tensor> columns = {torch::ones({B, 1, 2, 2}), torch::ones({B, 4, 5}), torch::ones({B, 6}, torch::kLong)};
        auto cols = columns;
        torch::Tensor p = present.clone();
        dropModalities(cols, p, 0.0, 1);
        QVERIFY(torch::equal(p, present));
        dropModalities(cols, p, 0.3, 1);
        // Never more than before, never nothing, about 30% dropped, dropped inputs zeroed.
        QVERIFY((p & ~present).sum().item<std::int64_t>() == 0);
        QVERIFY(p.any(1).all().item<bool>());
        const double dropped = 1.0 - p.sum().item<double>() / present.sum().item<double>();
        QVERIFY2(dropped > 0.25 && dropped < 0.35, qPrintable(QString::number(dropped)));
        for (int m = 0; m < 3; ++m)
            QVERIFY(torch::equal(cols[m].flatten(1).amax(1).to(torch::kBool), p.select(1, m)));
        auto again = columns;
        torch::Tensor p2 = present.clone();
        dropModalities(again, p2, 0.3, 1);
        QVERIFY(torch::equal(p, p2)); // same seed, same drops
    }

    void experimentErrorsNameTheField()
    {
        const nlohmann::json good = demoExperiment().toJson();
        nlohmann::json j = good;
        j["fuselab_experiment"] = 99;
        QVERIFY(errorOf(j).find("fuselab_experiment: version 99") != std::string::npos);
        j = good;
        j.erase("graph");
        QVERIFY(errorOf(j).find("experiment.graph: missing") != std::string::npos);
        j = good;
        j["dataset"].erase("path");
        QVERIFY(errorOf(j).find("dataset.path: missing") != std::string::npos);
        j = good;
        j["training"]["epochs"] = 0;
        QVERIFY(errorOf(j).find("training.epochs: must be 1 to 100000") != std::string::npos);
        j = good;
        j["training"]["optimizer"] = "lion";
        QVERIFY(errorOf(j).find("training.optimizer") != std::string::npos);
        j = good;
        j["graph"]["nodes"][1]["type"] = 5;
        QVERIFY(errorOf(j).find("graph.nodes[1].type") != std::string::npos);
        j = good;
        j["graph"]["edges"][0]["to"] = "nodot";
        QVERIFY(errorOf(j).find("graph.edges[0].to") != std::string::npos);
        j = good;
        j["preprocessing"]["audio"]["n_mels"] = 0;
        QVERIFY(errorOf(j).find("audio.n_mels") != std::string::npos);
        j = good;
        j["graph"]["nodes"].push_back(j["graph"]["nodes"][0]);
        QVERIFY(errorOf(j).find("is used by another node") != std::string::npos);
        QTemporaryDir dir;
        test::writeFile(dir.path().toStdString() + "/broken.fuselab.json", "{ not json");
        try {
            Experiment::load(dir.path().toStdString() + "/broken.fuselab.json");
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("broken.fuselab.json: not valid JSON") != std::string::npos);
        }
    }

    void cliNewAndCheck()
    {
        QTemporaryDir dir;
        const std::string exp = dir.path().toStdString() + "/demo.fuselab.json";
        std::string out, err;
        QCOMPARE(test::runCli({"new", "--list"}, &out, &err), 0);
        for (auto &t : experimentTemplates())
            QVERIFY(out.find(t.name) != std::string::npos);
        const std::string demo = std::string(FUSELAB_TEST_DATA_DIR) + "/../../resources/demo";
        QCOMPARE(test::runCli({"new", "--template", "gated-fusion", "--dataset", demo, "-o", exp}, &out, &err), 0);
        QCOMPARE(test::runCli({"new", "--template", "gated-fusion", "--dataset", demo, "-o", exp}, &out, &err), 2); // exists
        QCOMPARE(test::runCli({"check", exp}, &out, &err), 0);
        QVERIFY2(out.find("fusion.gated") != std::string::npos && out.find("total") != std::string::npos, out.c_str());
        QVERIFY(out.find("image[3, 32, 32]") != std::string::npos);
        // Break it: the check lists the problem and exits 2.
        Experiment e = Experiment::load(exp);
        e.graph.node("fusion")->params["dim"] = -1;
        e.save(exp);
        QCOMPARE(test::runCli({"check", exp}, &out, &err), 2);
        QVERIFY2(err.find("fusion.dim") != std::string::npos, err.c_str());
        QCOMPARE(test::runCli({"new", "--template", "image-cnn", "--dataset", dir.path().toStdString() + "/none", "-o", exp + "2"}, &out, &err), 2);
    }

    // Found by fuzz_experiment (UBSan: a shift by -1): an option out of its range was reported
    // but still reached shape inference. Now the block works with its default and the
    // experiment is refused with the reason.
    void fuzzRegressionOptionOutOfRange()
    {
        const auto j = nlohmann::json::parse(test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/experiment/cnn-layers-out-of-range.json"));
        const Experiment e = Experiment::fromJson(j);
        const GraphAnalysis a = analyseGraph(e.graph, inferContext(e), builtinBlocks());
        QVERIFY(!a.ok());
        bool named = false;
        for (const auto &p : a.problems)
            named |= p.toString().find("layers") != std::string::npos && p.toString().find("must be from 1 to 8") != std::string::npos;
        QVERIFY(named);
        // Integers too large for 64 bits are refused, not cast.
        GraphNode n;
        n.id = "cnn";
        n.type = "encoder.cnn";
        n.params = {{"layers", 1e300}, {"channels", 18446744073709551615ull}};
        std::vector<BlockProblem> bp;
        const auto params = builtinBlocks().find("encoder.cnn")->resolveParams(n.params, bp);
        QCOMPARE(bp.size(), std::size_t(2));
        QCOMPARE(params["layers"].get<long long>(), 3LL);
        QCOMPARE(params["channels"].get<long long>(), 32LL);
    }

    // Found by fuzz_experiment (UBSan): "spm_vocab": 7.8e59 in the preprocessing settings was
    // converted to int (undefined); now it is refused naming the field. Whole floats (64.0) and
    // in-range integers still read.
    void fuzzRegressionSettingOutOfIntRange()
    {
        const auto j = nlohmann::json::parse(test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/experiment/preprocessing-int-huge-float.json"));
        try {
            (void)Experiment::fromJson(j);
            QFAIL("a setting too large for its type was accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("spm_vocab") != std::string::npos, e.what());
        }
        auto ok = j;
        ok["preprocessing"]["text"]["spm_vocab"] = 2000.0;
        QCOMPARE(Experiment::fromJson(ok).preprocessing.text.spmVocab, 2000);
        auto big = j;
        big["preprocessing"]["text"]["spm_vocab"] = 2000;
        big["training"]["epochs"] = 4294967297LL; // would wrap to 1 as an int
        QVERIFY_THROWS_EXCEPTION(Error, (void)Experiment::fromJson(big));
    }
};

QTEST_APPLESS_MAIN(TestGraph)
#include "test_graph.moc"
