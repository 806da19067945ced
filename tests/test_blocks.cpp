// SPDX-License-Identifier: GPL-3.0-or-later
// Every built-in block: output shape = inferred shape, gradients reach every parameter,
// parameter count = a hand-computed figure, and each fusion's formula against a direct
// tensor computation on fixed inputs.
#include "core/cache/PreprocessSettings.h"
#include "core/document/Experiment.h"
#include "core/model/BlockCatalogue.h"
#include "core/graph/BlockRegistry.h"
#include "core/model/blocks/AttentionFusion.h"
#include "core/model/blocks/AutoencoderEncoder.h"
#include "core/model/blocks/AutoencoderFusion.h"
#include "core/model/blocks/ConcatFusion.h"
#include "core/model/blocks/BottleneckFusion.h"
#include "core/model/blocks/CrossAttentionFusion.h"
#include "core/model/blocks/TransformerEncoder.h"
#include "core/model/blocks/FilmFusion.h"
#include "core/model/blocks/GatedFusion.h"
#include "core/model/blocks/LateFusion.h"
#include "core/model/blocks/LowRankFusion.h"
#include "core/model/blocks/TensorFusion.h"

#include <QTemporaryDir>
#include <QTest>

using namespace fuselab;

namespace {

constexpr std::int64_t kBatch = 4;

struct Built {
    std::shared_ptr<BlockModule> module;
    std::vector<TensorShape> outputs;
    std::vector<std::vector<TensorShape>> inputs;
};

InferContext context()
{
    static const InputShapes shapes = inputShapes(PreprocessSettings{});
    InferContext c;
    c.inputs = shapes;
    c.numClasses = 3;
    return c;
}

Built build(const std::string &type, const nlohmann::json &params, const std::vector<std::vector<TensorShape>> &inputs)
{
    const BlockType *t = builtinBlocks().find(type);
    if (!t)
        throw std::runtime_error("no block " + type);
    std::vector<BlockProblem> problems;
    const nlohmann::json p = t->resolveParams(params, problems);
    const auto out = t->infer(p, inputs, context(), problems);
    if (!problems.empty())
        throw std::runtime_error(type + ": " + problems[0].where + " " + problems[0].text.str());
    return {t->create(p, inputs, context()), out, inputs};
}

torch::Tensor sample(const TensorShape &s)
{
    std::vector<std::int64_t> shape{kBatch};
    shape.insert(shape.end(), s.dims.begin(), s.dims.end());
    if (s.kind == PortKind::Tokens) {
        torch::Tensor ids = torch::randint(2, s.vocab, shape, torch::kLong);
        ids.index_put_({0, torch::indexing::Slice(s.dims[0] / 2)}, 0); // a padded row
        return ids;
    }
    return torch::randn(shape);
}

std::int64_t count(const torch::nn::Module &m)
{
    std::int64_t n = 0;
    for (const auto &p : m.parameters())
        n += p.numel();
    return n;
}

// Runs a block on random inputs (all present); checks shape and gradient flow.
std::int64_t exercise(const std::string &type, const nlohmann::json &params, const std::vector<std::vector<TensorShape>> &inputs)
{
    Built b = build(type, params, inputs);
    b.module->train();
    std::vector<std::vector<Value>> values;
    for (auto &port : inputs) {
        std::vector<Value> vs;
        for (auto &s : port)
            vs.push_back({s.kind == PortKind::Tokens ? sample(s) : sample(s).requires_grad_(true), torch::ones({kBatch})});
        values.push_back(vs);
    }
    const std::vector<Value> out = b.module->run(values);
    if (out.size() != b.outputs.size())
        throw std::runtime_error(type + ": wrong number of outputs");
    std::vector<std::int64_t> expected{kBatch};
    expected.insert(expected.end(), b.outputs[0].dims.begin(), b.outputs[0].dims.end());
    if (out[0].x.sizes().vec() != expected)
        throw std::runtime_error(type + ": output " + c10::str(out[0].x.sizes()) + " but inferred " + b.outputs[0].toString());
    torch::Tensor loss = out[0].x.pow(2).mean();
    if (b.module->auxiliaryLoss().defined())
        loss = loss + b.module->auxiliaryLoss();
    loss.backward();
    for (const auto &p : b.module->named_parameters()) {
        if (!p.value().grad().defined() || p.value().grad().abs().sum().item<double>() == 0.0)
            throw std::runtime_error(type + ": no gradient reaches " + p.key());
    }
    return count(*b.module);
}

} // namespace

class TestBlocks final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(7); }

    void shapesGradientsAndParameterCounts_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("inputs"); // JSON: [[{"kind":..,"dims":[..],"vocab":..}, ...], ...]
        QTest::addColumn<qlonglong>("parameters");
        auto v = [](int d) { return QStringLiteral("{\"kind\":\"vector\",\"dims\":[%1]}").arg(d); };
        // 3*8*9 + 2*8 + 8*16*9 + 2*16: convolutions without bias (batch norm follows), BN scale+shift.
        QTest::newRow("cnn") << "encoder.cnn" << R"({"layers":2,"channels":8})" << R"([[{"kind":"image","dims":[3,8,8]}]])" << 1416LL;
        QTest::newRow("cnn+projection") << "encoder.cnn" << R"({"layers":1,"channels":4,"batch_norm":false,"out_features":5})"
                                        << R"([[{"kind":"image","dims":[1,4,4]}]])" << qlonglong(1 * 4 * 9 + 4 + 4 * 5 + 5);
        // stem 36+8; stage 0 block 4->4: 144+8+144+8; stage 1 block 4->8 stride 2: 288+16+576+16 + shortcut 32+16.
        QTest::newRow("resnet") << "encoder.resnet" << R"({"stages":2,"blocks":1,"channels":4})" << R"([[{"kind":"image","dims":[1,8,8]}]])" << 1292LL;
        QTest::newRow("mlp") << "encoder.mlp" << R"({"hidden":5,"layers":2})" << "[[" + v(10) + "]]" << 85LL;
        QTest::newRow("mlp on image") << "encoder.mlp" << R"({"hidden":5,"layers":1})" << R"([[{"kind":"image","dims":[1,2,3]}]])" << 35LL;
        // embedding 20*4; per direction 3*(6*4 + 6*6 + 6 + 6).
        QTest::newRow("gru bidirectional") << "encoder.rnn" << R"({"hidden":6,"embedding_dim":4,"bidirectional":true})"
                                           << R"([[{"kind":"tokens","dims":[7],"vocab":20}]])" << 512LL;
        QTest::newRow("gru mean") << "encoder.rnn" << R"({"hidden":6,"embedding_dim":4,"output":"mean"})"
                                  << R"([[{"kind":"tokens","dims":[7],"vocab":20}]])" << qlonglong(80 + 216);
        // 4*(3*5 + 3*3 + 3 + 3).
        QTest::newRow("lstm sequence") << "encoder.rnn" << R"({"cell":"lstm","hidden":3,"output":"sequence"})"
                                       << R"([[{"kind":"sequence","dims":[6,5]}]])" << 120LL;
        // embedding 80, cls 8, in_proj 216, out_proj 72, ff 144+136, norms 32.
        QTest::newRow("transformer cls") << "encoder.transformer" << R"({"d_model":8,"heads":2,"layers":1,"ff_dim":16})"
                                         << R"([[{"kind":"tokens","dims":[5],"vocab":10}]])" << 688LL;
        QTest::newRow("transformer seq") << "encoder.transformer" << R"({"d_model":8,"heads":2,"layers":1,"ff_dim":16,"pooling":"sequence"})"
                                         << R"([[{"kind":"sequence","dims":[5,3]}]])" << qlonglong(3 * 8 + 8 + 600);
        QTest::newRow("audio cnn") << "encoder.audio_cnn" << R"({"layers":2,"channels":4})" << R"([[{"kind":"image","dims":[1,8,12]}]])" << 348LL;
        // embedding 80; conv 4->6 k3: 78; conv 6->6 k3: 114.
        QTest::newRow("conv1d") << "encoder.conv1d" << R"({"embedding_dim":4,"channels":6,"kernel_size":3})"
                                << R"([[{"kind":"tokens","dims":[9],"vocab":20}]])" << 272LL;
        // widths 12-8-3: encoder 104 + 27, decoder 32 + 108.
        QTest::newRow("autoencoder") << "encoder.autoencoder" << R"({"hidden":8,"layers":1,"latent":3})" << "[[" + v(12) + "]]" << 271LL;
        QTest::newRow("concat") << "fusion.concat" << "{}" << "[[" + v(4) + "," + v(6) + "]]" << 0LL;
        QTest::newRow("late learned") << "fusion.late" << R"({"mode":"learned"})" << "[[" + v(4) + "," + v(6) + "]]" << 38LL;
        QTest::newRow("attention") << "fusion.attention" << R"({"dim":5})" << "[[" + v(4) + "," + v(6) + "]]" << 95LL;
        QTest::newRow("gmu 2") << "fusion.gated" << R"({"dim":5})" << "[[" + v(4) + "," + v(6) + "]]" << 100LL;
        QTest::newRow("gmu 3") << "fusion.gated" << R"({"dim":5})" << "[[" + v(2) + "," + v(3) + "," + v(4) + "]]" << 180LL;
        QTest::newRow("tfn") << "fusion.tensor" << R"({"out_features":4})" << "[[" + v(2) + "," + v(3) + "]]" << 52LL;
        QTest::newRow("tfn 3 projected") << "fusion.tensor" << R"({"proj_dim":2,"out_features":4})"
                                         << "[[" + v(2) + "," + v(3) + "," + v(5) + "]]" << qlonglong(6 + 8 + 12 + 27 * 4 + 4);
        QTest::newRow("lmf") << "fusion.low_rank" << R"({"rank":2,"dim":4})" << "[[" + v(2) + "," + v(3) + "]]" << 62LL;
        QTest::newRow("film vector") << "fusion.film" << "{}" << "[[" + v(6) + "],[" + v(4) + "]]" << 60LL;
        QTest::newRow("film image") << "fusion.film" << "{}" << R"([[{"kind":"image","dims":[3,4,4]}],[)" + v(4) + "]]" << 30LL;
        QTest::newRow("ae joint") << "fusion.autoencoder" << R"({"hidden":4,"latent":2})" << "[[" + v(2) + "," + v(3) + "]]" << 71LL;
        // projections 32 + 48; two pairs of (MHA 288, norms 32, FF 280).
        QTest::newRow("cross attention") << "fusion.cross_attention" << R"({"d_model":8,"heads":2})"
                                         << R"([[{"kind":"sequence","dims":[4,3]},{"kind":"sequence","dims":[6,5]}]])" << 1280LL;
        // projections 32 + 48, bottleneck 2 x 8; per modality and layer MHA 288, norms 32, FF 280.
        QTest::newRow("bottleneck") << "fusion.bottleneck" << R"({"d_model":8,"heads":2,"bottlenecks":2,"layers":1})"
                                    << R"([[{"kind":"sequence","dims":[4,3]},{"kind":"sequence","dims":[6,5]}]])" << 1296LL;
        QTest::newRow("head linear") << "head.classification" << "{}" << "[[" + v(10) + "]]" << 33LL;
        QTest::newRow("head mlp") << "head.multilabel" << R"({"hidden":4})" << "[[" + v(10) + "]]" << 59LL;
    }
    void shapesGradientsAndParameterCounts()
    {
        QFETCH(QString, type);
        QFETCH(QString, params);
        QFETCH(QString, inputs);
        QFETCH(qlonglong, parameters);
        std::vector<std::vector<TensorShape>> shapes;
        for (auto &port : nlohmann::json::parse(inputs.toStdString())) {
            std::vector<TensorShape> ps;
            for (auto &s : port) {
                const std::string k = s["kind"];
                TensorShape t;
                t.kind = k == "vector" ? PortKind::Vector : k == "image" ? PortKind::Image : k == "sequence" ? PortKind::Sequence : PortKind::Tokens;
                t.dims = s["dims"].get<std::vector<std::int64_t>>();
                t.vocab = s.value("vocab", 0);
                ps.push_back(t);
            }
            shapes.push_back(ps);
        }
        try {
            QCOMPARE(exercise(type.toStdString(), nlohmann::json::parse(params.toStdString()), shapes), static_cast<std::int64_t>(parameters));
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }

    void concatZeroesMissingModalities()
    {
        ConcatFusion f(ConcatFusionOptions().inFeatures({2, 3}));
        const torch::Tensor a = torch::tensor({{1.f, 2.f}, {3.f, 4.f}}), b = torch::ones({2, 3});
        const torch::Tensor out = f->forward({a, b}, {torch::tensor({1.f, 1.f}), torch::tensor({1.f, 0.f})});
        QVERIFY(torch::equal(out, torch::tensor({{1.f, 2.f, 1.f, 1.f, 1.f}, {3.f, 4.f, 0.f, 0.f, 0.f}})));
    }

    void lateFusionFormulas()
    {
        LateFusion f(LateFusionOptions({2, 2}, 3).mode("weighted").weights({3.0, 1.0}));
        const torch::Tensor a = torch::randn({2, 2}), b = torch::randn({2, 2});
        auto *c0 = f->named_modules()["classifiers.0"]->as<torch::nn::Linear>();
        auto *c1 = f->named_modules()["classifiers.1"]->as<torch::nn::Linear>();
        const torch::Tensor la = c0->forward(a), lb = c1->forward(b);
        const torch::Tensor out = f->forward({a, b}, {torch::ones({2}), torch::tensor({1.f, 0.f})});
        // Row 0: weights 3:1 -> 0.75 / 0.25. Row 1: modality b missing -> all weight on a.
        QVERIFY(torch::allclose(out[0], 0.75 * la[0] + 0.25 * lb[0], 1e-5, 1e-6));
        QVERIFY(torch::allclose(out[1], la[1], 1e-5, 1e-6));
        LateFusion mean(LateFusionOptions({2, 2}, 3));
        const torch::Tensor m = mean->forward({a, b}, {torch::ones({2}), torch::ones({2})});
        auto *m0 = mean->named_modules()["classifiers.0"]->as<torch::nn::Linear>();
        auto *m1 = mean->named_modules()["classifiers.1"]->as<torch::nn::Linear>();
        QVERIFY(torch::allclose(m, (m0->forward(a) + m1->forward(b)) / 2, 1e-5, 1e-6));
    }

    void attentionFusionFormula()
    {
        AttentionFusion f(AttentionFusionOptions({2, 3}).dim(4));
        const torch::Tensor a = torch::randn({2, 2}), b = torch::randn({2, 3});
        auto mods = f->named_modules();
        const torch::Tensor pa = mods["projections.0"]->as<torch::nn::Linear>()->forward(a);
        const torch::Tensor pb = mods["projections.1"]->as<torch::nn::Linear>()->forward(b);
        auto *u = mods["context"]->as<torch::nn::Linear>();
        auto *v = mods["score"]->as<torch::nn::Linear>();
        const torch::Tensor sa = v->forward(torch::tanh(u->forward(pa))), sb = v->forward(torch::tanh(u->forward(pb)));
        const torch::Tensor w = torch::softmax(torch::cat({sa, sb}, 1), 1);
        const torch::Tensor expect = w.select(1, 0).unsqueeze(1) * pa + w.select(1, 1).unsqueeze(1) * pb;
        QVERIFY(torch::allclose(f->forward({a, b}, {torch::ones({2}), torch::ones({2})}), expect, 1e-5, 1e-6));
        // A missing modality gets weight 0: the output is the other projection.
        const torch::Tensor out = f->forward({a, b}, {torch::ones({2}), torch::zeros({2})});
        QVERIFY(torch::allclose(out, pa, 1e-5, 1e-6));
        QVERIFY(torch::allclose(f->lastWeights().select(1, 1), torch::zeros({2})));
    }

    void gatedUnitFormula()
    {
        GatedFusion f(GatedFusionOptions({2, 3}).dim(4));
        const torch::Tensor a = torch::randn({5, 2}), b = torch::randn({5, 3});
        auto mods = f->named_modules();
        const torch::Tensor h1 = torch::tanh(mods["hidden.0"]->as<torch::nn::Linear>()->forward(a));
        const torch::Tensor h2 = torch::tanh(mods["hidden.1"]->as<torch::nn::Linear>()->forward(b));
        const torch::Tensor z = torch::sigmoid(mods["gate"]->as<torch::nn::Linear>()->forward(torch::cat({a, b}, 1)));
        QVERIFY(torch::allclose(f->forward({a, b}, {torch::ones({5}), torch::ones({5})}), z * h1 + (1 - z) * h2, 1e-5, 1e-6));
        // Missing second modality: h = h1.
        QVERIFY(torch::allclose(f->forward({a, b}, {torch::ones({5}), torch::zeros({5})}), h1, 1e-5, 1e-6));
    }

    void tensorFusionIsTheOuterProduct()
    {
        const torch::Tensor a = torch::randn({2, 2}), b = torch::randn({2, 3}), c = torch::randn({2, 1});
        const torch::Tensor z = TensorFusionImpl::outerProduct({a, b, c});
        QCOMPARE(z.size(1), std::int64_t(3 * 4 * 2));
        for (std::int64_t n = 0; n < 2; ++n)
            for (std::int64_t i = 0; i < 3; ++i)
                for (std::int64_t j = 0; j < 4; ++j)
                    for (std::int64_t k = 0; k < 2; ++k) {
                        const double ai = i < 2 ? a[n][i].item<double>() : 1.0;
                        const double bj = j < 3 ? b[n][j].item<double>() : 1.0;
                        const double ck = k < 1 ? c[n][k].item<double>() : 1.0;
                        QVERIFY(std::abs(z[n][(i * 4 + j) * 2 + k].item<double>() - ai * bj * ck) < 1e-5);
                    }
        // The trailing 1s keep the unimodal terms: the last entry is 1, and a's entries appear alone.
        QVERIFY(std::abs(z[0][23].item<double>() - 1.0) < 1e-6);
    }

    void lowRankFusionEqualsItsFullTensor()
    {
        LowRankFusion f(LowRankFusionOptions({2, 3}).rank(3).dim(4));
        const torch::Tensor a = torch::randn({2, 2}), b = torch::randn({2, 3});
        const torch::Tensor out = f->forward({a, b}, {torch::ones({2}), torch::ones({2})});
        // Build the full weight W[i, j, d] = sum_r w_r A_r[i, d] B_r[j, d] and apply it to the outer product.
        const torch::Tensor A = f->factors()[0], B = f->factors()[1], w = f->fusionWeights().squeeze(0);
        const torch::Tensor W = torch::einsum("r,rid,rjd->ijd", {w, A, B});
        const torch::Tensor za = torch::cat({a, torch::ones({2, 1})}, 1), zb = torch::cat({b, torch::ones({2, 1})}, 1);
        const torch::Tensor expect = torch::einsum("ni,nj,ijd->nd", {za, zb, W}) + f->bias();
        QVERIFY(torch::allclose(out, expect, 1e-4, 1e-5));
    }

    void filmFormula()
    {
        FilmFusion f(FilmFusionOptions(3, 2));
        const torch::Tensor x = torch::randn({2, 3, 4, 4}), c = torch::randn({2, 2});
        auto mods = f->named_modules();
        const torch::Tensor g = 1 + mods["gamma"]->as<torch::nn::Linear>()->forward(c);
        const torch::Tensor be = mods["beta"]->as<torch::nn::Linear>()->forward(c);
        const torch::Tensor expect = g.view({2, 3, 1, 1}) * x + be.view({2, 3, 1, 1});
        QVERIFY(torch::allclose(f->forward(x, c, torch::ones({2})), expect, 1e-5, 1e-6));
        // No condition: identity.
        QVERIFY(torch::allclose(f->forward(x, c, torch::zeros({2})), x));
    }

    void autoencoderLosses()
    {
        AutoencoderFusion f(AutoencoderFusionOptions({2, 3}).hidden(4).latent(2).reconWeight(2.0));
        const torch::Tensor a = torch::randn({3, 2}), b = torch::randn({3, 3});
        const torch::Tensor mb = torch::tensor({1.f, 0.f, 1.f});
        f->forward({a, b}, {torch::ones({3}), mb});
        auto mods = f->named_modules();
        const torch::Tensor u = torch::cat({a, b * mb.unsqueeze(1)}, 1);
        const torch::Tensor uHat = mods["decoder"]->as<torch::nn::Sequential>()->forward(mods["encoder"]->as<torch::nn::Sequential>()->forward(u));
        const torch::Tensor mask = torch::cat({torch::ones({3, 2}), mb.unsqueeze(1).expand({3, 3})}, 1);
        const torch::Tensor expect = 2.0 * ((uHat - u).pow(2) * mask).sum() / mask.sum();
        QVERIFY(torch::allclose(f->auxiliaryLoss(), expect, 1e-5, 1e-6));

        AutoencoderEncoder e(AutoencoderEncoderOptions(6).hidden(4).latent(2));
        const torch::Tensor x = torch::randn({2, 6});
        const torch::Tensor code = e->forward(x, torch::tensor({1.f, 0.f}));
        const torch::Tensor rec = e->reconstruct(code);
        QVERIFY(torch::allclose(e->auxiliaryLoss(), (rec[0] - x[0]).pow(2).mean(), 1e-5, 1e-6)); // sample 1 is missing
    }

    void crossAttentionFormula()
    {
        CrossAttentionFusion f(CrossAttentionFusionOptions({3, 5}, {4, 6}).dModel(8).heads(2).dropout(0.0));
        f->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor a = torch::randn({2, 4, 3}), b = torch::randn({2, 6, 5});
        auto mods = f->named_modules();
        auto lin = [&](const std::string &n) { return mods[n]->as<torch::nn::Linear>(); };
        const torch::Tensor qa = (lin("projections.0")->forward(a) + sinusoidalPositions(4, 8)).transpose(0, 1);
        const torch::Tensor qb = (lin("projections.1")->forward(b) + sinusoidalPositions(6, 8)).transpose(0, 1);
        auto cross = [&](const std::string &pair, const torch::Tensor &q, const torch::Tensor &kv) {
            auto *mha = mods[pair + "_attention"]->as<torch::nn::MultiheadAttention>();
            torch::Tensor h = mods[pair + "_norm1"]->as<torch::nn::LayerNorm>()->forward(q + std::get<0>(mha->forward(q, kv, kv)));
            h = mods[pair + "_norm2"]->as<torch::nn::LayerNorm>()->forward(h + mods[pair + "_ff"]->as<torch::nn::Sequential>()->forward(h));
            return h.mean(0);
        };
        // Target a attends to b, then target b to a; concatenated in target order.
        const torch::Tensor expect = torch::cat({cross("cross_1_to_0", qa, qb), cross("cross_0_to_1", qb, qa)}, 1);
        QVERIFY(torch::allclose(f->forward({a, b}, {torch::ones({2}), torch::ones({2})}), expect, 1e-5, 1e-6));
        // A missing modality: nothing crosses from or to it.
        const torch::Tensor out = f->forward({a, b}, {torch::ones({2}), torch::tensor({1.f, 0.f})});
        QVERIFY(torch::allclose(out[0], expect[0], 1e-5, 1e-6));
        QCOMPARE(out[1].abs().sum().item<double>(), 0.0);
    }

    // Attention bottlenecks: one layer computed by hand from the block's parts (each
    // modality's Transformer layer over its tokens and the shared tokens); modalities meet
    // only through the bottleneck, and a missing one sends nothing through it.
    void bottleneckFormula()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor a = torch::randn({2, 4, 3}), b = torch::randn({2, 6, 5}), ones = torch::ones({2});
        {
            BottleneckFusion f(BottleneckFusionOptions({3, 5}, {4, 6}).dModel(8).heads(2).bottlenecks(2).layers(1).dropout(0.0));
            f->eval();
            auto mods = f->named_modules();
            const torch::Tensor z = f->named_parameters()["bottleneck"].expand({2, 2, 8});
            auto side = [&](const std::string &i, const torch::Tensor &x, std::int64_t T) {
                const torch::Tensor q = mods["projections." + i]->as<torch::nn::Linear>()->forward(x) + sinusoidalPositions(T, 8);
                const torch::Tensor s = torch::cat({q, z}, 1).transpose(0, 1); // [T + 2, B, D]
                auto *mha = mods["layer0_" + i + "_attention"]->as<torch::nn::MultiheadAttention>();
                torch::Tensor h = mods["layer0_" + i + "_norm1"]->as<torch::nn::LayerNorm>()->forward(s + std::get<0>(mha->forward(s, s, s)));
                h = mods["layer0_" + i + "_norm2"]->as<torch::nn::LayerNorm>()->forward(h + mods["layer0_" + i + "_ff"]->as<torch::nn::Sequential>()->forward(h));
                return h.slice(0, 0, T).mean(0); // its own tokens, averaged
            };
            const torch::Tensor pa = side("0", a, 4), pb = side("1", b, 6);
            QVERIFY(torch::allclose(f->forward({a, b}, {ones, ones}), (pa + pb) / 2, 1e-5, 1e-6));
            // Sample 1 without b: the output is a's alone.
            const torch::Tensor out = f->forward({a, b}, {ones, torch::tensor({1.f, 0.f})});
            QVERIFY(torch::allclose(out[1], pa[1], 1e-5, 1e-6));
        }
        // Two layers: b reaches a's tokens through the bottleneck, unless b is missing.
        BottleneckFusion f(BottleneckFusionOptions({3, 5}, {4, 6}).dModel(8).heads(2).bottlenecks(2).layers(2).dropout(0.0));
        f->eval();
        const torch::Tensor bOther = torch::randn({2, 6, 5});
        const torch::Tensor onlyA = torch::tensor({1.f, 0.f});
        const torch::Tensor withB = f->forward({a, b}, {ones, onlyA}), withOtherB = f->forward({a, bOther}, {ones, onlyA});
        QVERIFY(torch::allclose(withB[1], withOtherB[1], 1e-6, 1e-7));                       // b missing: nothing of it arrives
        QVERIFY(!torch::allclose(withB[0], withOtherB[0], 1e-3, 1e-3));                     // b present: it does
    }

    void sequenceEncodersIgnorePadding()
    {
        // The same sentence with more padding must encode the same (mean and last pooling).
        for (const char *pooling : {"mean", "last"}) {
            torch::manual_seed(3);
            Built b = build("encoder.rnn", {{"hidden", 5}, {"embedding_dim", 4}, {"output", pooling}, {"bidirectional", true}},
                            {{TensorShape::tokens(6, 12)}});
            b.module->eval();
            const torch::Tensor ids = torch::tensor({{3, 4, 5, 0, 0, 0}, {3, 4, 5, 6, 0, 0}}, torch::kLong);
            const torch::Tensor shortIds = torch::tensor({{3, 4, 5}}, torch::kLong);
            const torch::Tensor full = b.module->run({{{ids, torch::ones({2})}}})[0].x;
            const torch::Tensor alone = b.module->run({{{shortIds, torch::ones({1})}}})[0].x;
            QVERIFY2(torch::allclose(full[0], alone[0], 1e-5, 1e-6), pooling);
        }
    }

    void torchScriptEncoder()
    {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/proj.pt";
        {
            torch::jit::Module m("Projection");
            m.register_parameter("weight", torch::randn({5, 3}), false);
            m.define("def forward(self, x):\n    return torch.matmul(x, self.weight)\n");
            m.save(path);
        }
        for (bool frozen : {true, false}) {
            Built b = build("encoder.torchscript", {{"path", path}, {"frozen", frozen}}, {{TensorShape::vector(5)}});
            QCOMPARE(b.outputs[0], TensorShape::vector(3));
            const torch::Tensor x = torch::randn({2, 5}).requires_grad_(true);
            const torch::Tensor y = b.module->run({{{x, torch::ones({2})}}})[0].x;
            QCOMPARE(y.sizes().vec(), (std::vector<std::int64_t>{2, 3}));
            y.sum().backward();
            std::int64_t trainable = 0;
            for (auto &p : b.module->parameters())
                trainable += p.requires_grad() ? p.numel() : 0;
            QCOMPARE(trainable, frozen ? std::int64_t(0) : std::int64_t(15));
        }
        // A file that is not a module is a problem naming the option, not a crash.
        const BlockType *t = builtinBlocks().find("encoder.torchscript");
        std::vector<BlockProblem> problems;
        const auto p = t->resolveParams({{"path", dir.path().toStdString() + "/missing.pt"}}, problems);
        t->infer(p, {{TensorShape::vector(5)}}, context(), problems);
        QCOMPARE(problems.size(), std::size_t(1));
        QCOMPARE(problems[0].where, std::string("path"));
    }
};

QTEST_APPLESS_MAIN(TestBlocks)
#include "test_blocks.moc"
