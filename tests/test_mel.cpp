// SPDX-License-Identifier: GPL-3.0-or-later
// Log-mel front end against torchaudio.transforms.MelSpectrogram (reference values made by
// tests/data/make_mel_reference.py with Debian's python3-torchaudio).
#include "core/media/AudioDecoder.h"
#include "core/media/MelSpectrogram.h"
#include "core/util/Error.h"
#include "tests/support/TestFiles.h"

#include <ATen/ATen.h>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace fuselab;

namespace {
at::Tensor loadF32(const std::string &path)
{
    const std::string bytes = test::readAll(path);
    return at::from_blob(const_cast<char *>(bytes.data()), {static_cast<std::int64_t>(bytes.size() / 4)}, at::kFloat).clone();
}
} // namespace

class TestMel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTorchaudio_data()
    {
        QTest::addColumn<QString>("caseName");
        const auto index = nlohmann::json::parse(test::readAll(FUSELAB_TEST_DATA_DIR "/mel/index.json"));
        for (auto &c : index["cases"])
            QTest::newRow(c["case"].get<std::string>().c_str()) << QString::fromStdString(c["case"].get<std::string>());
    }
    void matchesTorchaudio()
    {
        QFETCH(QString, caseName);
        const auto index = nlohmann::json::parse(test::readAll(FUSELAB_TEST_DATA_DIR "/mel/index.json"));
        nlohmann::json c;
        for (auto &e : index["cases"])
            if (e["case"] == caseName.toStdString())
                c = e;
        MelOptions o;
        o.sampleRate = c["sample_rate"];
        o.nFft = c["n_fft"];
        o.hopLength = c["hop_length"];
        o.nMels = c["n_mels"];
        o.fMin = c["f_min"];
        o.fMax = c["f_max"].is_null() ? 0.0 : c["f_max"].get<double>();
        o.log = false;
        const std::string base = std::string(FUSELAB_TEST_DATA_DIR "/mel/") + caseName.toStdString();
        const at::Tensor signal = loadF32(base + ".signal.f32");
        const std::int64_t frames = c["n_frames"];
        const at::Tensor ref = loadF32(base + ".mel.f32").view({o.nMels, frames});
        const MelSpectrogram mel(o);
        const at::Tensor ours = mel(signal);
        QCOMPARE(ours.size(0), ref.size(0));
        QCOMPARE(ours.size(1), ref.size(1));
        QCOMPARE(o.frames(signal.size(0)), frames);
        // 1e-4 relative, with an absolute floor a millionth of the spectrogram's peak for
        // near-silent bins (float32 rounding there is relative to the peak, not the bin).
        const double peak = ref.abs().max().item<double>();
        const at::Tensor err = (ours - ref).abs();
        const at::Tensor tol = ref.abs() * 1e-4 + peak * 1e-6;
        const double worst = (err / tol).max().item<double>();
        QVERIFY2(worst <= 1.0, qPrintable(QStringLiteral("worst error is %1 x tolerance").arg(worst)));
        // The log version is log(mel + eps).
        o.log = true;
        const at::Tensor logMel = MelSpectrogram(o)(signal);
        QVERIFY(at::allclose(logMel, at::log(ref + o.logEps), 1e-4, 1e-3));
    }

    void resampleMatchesTorchaudio()
    {
        const auto index = nlohmann::json::parse(test::readAll(FUSELAB_TEST_DATA_DIR "/mel/index.json"));
        QVERIFY(!index["resample"].empty());
        for (auto &c : index["resample"]) {
            const std::string base = std::string(FUSELAB_TEST_DATA_DIR "/mel/") + c["case"].get<std::string>();
            const at::Tensor in = loadF32(base + ".in.f32"), ref = loadF32(base + ".out.f32");
            const std::vector<float> x(in.data_ptr<float>(), in.data_ptr<float>() + in.numel());
            const std::vector<float> y = resampleMono(x, c["orig"], c["new"]);
            QCOMPARE(static_cast<std::int64_t>(y.size()), ref.numel());
            const at::Tensor ours = at::from_blob(const_cast<float *>(y.data()), {ref.numel()}, at::kFloat);
            const double worst = (ours - ref).abs().max().item<double>();
            QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("%1: max abs difference %2")
                                                  .arg(QString::fromStdString(c["case"].get<std::string>())).arg(worst)));
        }
    }

    void batchedInputGivesTheSameFrames()
    {
        MelOptions o;
        const MelSpectrogram mel(o);
        const at::Tensor x = at::randn({3, 4000});
        const at::Tensor batch = mel(x);
        QCOMPARE(batch.dim(), int64_t(3));
        QVERIFY(at::allclose(batch[1], mel(x[1]), 1e-4, 1e-4));
    }

    void badSettingsAreRefused()
    {
        MelOptions o;
        o.fMax = 20000; // above Nyquist at 16 kHz
        QVERIFY_THROWS_EXCEPTION(Error, MelSpectrogram{o});
        MelOptions w;
        w.winLength = 800; // longer than n_fft
        QVERIFY_THROWS_EXCEPTION(Error, MelSpectrogram{w});
    }
};

QTEST_APPLESS_MAIN(TestMel)
#include "test_mel.moc"
