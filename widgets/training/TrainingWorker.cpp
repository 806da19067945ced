// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/training/TrainingWorker.h"

#include "core/project/Services.h"
#include "widgets/GuiText.h"
#include "widgets/ThreadHandoff.h"

#include <QElapsedTimer>

#include <optional>

namespace fuselab {
namespace gui {

namespace {

class Observer final : public TrainingObserver {
public:
    explicit Observer(TrainingWorker &w) : m_w(w) { m_clock.start(); }
    bool isCancelled() const override { return m_w.stop; }
    bool isPaused() const override { return m_w.pause; }
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override
    {
        if (m_clock.elapsed() < 100 && done != total)
            return;
        m_clock.restart();
        const QString text = qs(stage);
        handoffRelease(); // to the GUI thread (ThreadHandoff.h), after the last write it hands over
        Q_EMIT m_w.progress(text, done, total);
    }
    void phaseChanged(TrainingPhase p) override
    {
        handoffRelease();
        Q_EMIT m_w.phaseChanged(static_cast<int>(p));
    }
    void runStarted(const RunPlan &p) override
    {
        TrainingPlanInfo i;
        i.runDir = qs(p.runDir);
        i.device = qs(p.device);
        i.epochs = p.epochs;
        i.startEpoch = p.startEpoch;
        i.stepsPerEpoch = p.stepsPerEpoch;
        i.trainSamples = p.trainSamples;
        i.valSamples = p.valSamples;
        i.parameters = p.parameters;
        for (auto &c : p.classes)
            i.classes << qs(c);
        classes = p.classes;
        i.notice = qs(p.notice);
        i.regression = p.regression;
        i.sequence = p.sequence;
        device = p.device;
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT m_w.started(i);
    }
    void batchEnded(const BatchEvent &b) override
    {
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT m_w.batch({b.epoch, b.step, b.steps, b.loss, b.learningRate, b.samplesPerSecond});
    }
    void epochEnded(const EpochResult &r) override
    {
        TrainingEpochInfo i;
        i.epoch = r.epoch;
        i.trainLoss = r.trainLoss;
        i.valLoss = r.valLoss;
        i.valAccuracy = r.val.accuracy;
        i.valMacroF1 = r.val.macroF1;
        i.seconds = r.seconds;
        i.learningRate = r.learningRate;
        i.best = r.best;
        i.hasValidation = r.hasValidation;
        if (!r.val.multiLabel)
            for (auto &row : r.val.single.confusion)
                i.confusion.push_back(QVector<qint64>(row.begin(), row.end()));
        i.val = predictionList(r.valPredictions, classes);
        if (r.val.regression) {
            i.regression = true;
            i.valRmse = r.val.numbers.rmse;
            i.valR2 = r.val.numbers.r2;
            i.valPearson = r.val.numbers.pearson;
            i.valRows = QVector<qint64>(r.valRows.begin(), r.valRows.end());
            i.valTargets = QVector<double>(r.valTargets.begin(), r.valTargets.end());
            i.valPredicted = QVector<double>(r.valPredicted.begin(), r.valPredicted.end());
        }
        if (r.val.sequence) {
            i.sequence = true;
            i.characterTargets = r.charTokens;
            i.valBleu = r.val.text.bleu;
            i.valChrf = r.val.text.chrf;
            i.valExactMatch = r.val.text.exactMatch;
            i.valWer = r.val.text.wer;
            i.valCer = r.val.text.cer;
            i.valRows = QVector<qint64>(r.valRows.begin(), r.valRows.end());
            for (std::size_t k = 0; k < r.valReferences.size() && k < r.valHypotheses.size(); ++k) {
                i.valReferences << qs(r.valReferences[k]);
                i.valHypotheses << qs(r.valHypotheses[k]);
            }
        }
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT m_w.epoch(i);
    }
    TrainingWorker &m_w;
    QElapsedTimer m_clock;
    std::string device; // the device the run trains on, once it has started
    std::vector<std::string> classes;
};

} // namespace

PredictionList predictionList(const std::vector<SamplePrediction> &predictions, const std::vector<std::string> &classes)
{
    PredictionList out;
    for (const SamplePrediction &p : predictions) {
        out.rows << p.row;
        out.truth << p.label;
        out.predicted << p.predicted;
        out.confidence << p.confidence;
        QStringList top;
        for (std::size_t k = 0; k < p.top.size(); ++k)
            if (p.top[k] >= 0 && static_cast<std::size_t>(p.top[k]) < classes.size())
                top << QStringLiteral("%1 %2%").arg(qs(classes[static_cast<std::size_t>(p.top[k])])).arg(p.topProbability[k] * 100, 0, 'f', 0);
        out.top << top.join(QStringLiteral(", "));
    }
    return out;
}

TrainingWorker::TrainingWorker()
{
    qRegisterMetaType<TrainingPlanInfo>();
    qRegisterMetaType<TrainingBatchInfo>();
    qRegisterMetaType<TrainingEpochInfo>();
    qRegisterMetaType<TrainingResultInfo>();
}

void TrainingWorker::train(const QString &experimentFile, const QString &runDir, bool resume, const QString &device)
{
    stop = false;
    pause = false;
    Observer observer(*this);
    std::optional<std::string> chosen;
    if (!device.isEmpty())
        chosen = device.toStdString();
    if (chosen && *chosen != "cpu") {
        Message why;
        if (!deviceUsable(*chosen, &why)) {
            const QString text = tr("%1 cannot be used (%2); training on the CPU instead.").arg(device, translated(why));
            handoffRelease(); // to the GUI thread (ThreadHandoff.h)
            Q_EMIT notice(text);
            chosen = "cpu";
        }
    }
    observer.device = chosen.value_or(std::string());
    try {
        TrainingReport r;
        if (resume) {
            ResumeRequest q;
            q.runDir = runDir.toStdString();
            q.device = chosen;
            r = resumeRun(q, &observer);
        } else {
            TrainRequest q;
            q.experimentFile = experimentFile.toStdString();
            q.runDir = runDir.toStdString();
            q.device = chosen;
            r = trainExperiment(q, &observer);
        }
        TrainingResultInfo i;
        i.runDir = qs(r.runDir);
        i.stopped = r.stopped;
        i.epochsCompleted = r.epochsCompleted;
        i.bestEpoch = r.bestEpoch;
        i.testAccuracy = r.test && !r.test->regression && !r.test->sequence ? r.test->accuracy : -1;
        if (r.test && r.test->sequence) {
            i.testBleu = r.test->text.bleu;
            i.testWer = r.test->text.wer;
        }
        if (r.test && r.test->regression) {
            i.testRmse = r.test->numbers.rmse;
            i.testR2 = r.test->numbers.r2;
        }
        i.earlyStop = qs(r.earlyStopReason);
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT finished(i);
    } catch (const Cancelled &) {
        TrainingResultInfo i;
        i.runDir = runDir;
        i.stopped = true;
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT finished(i);
    } catch (const std::exception &e) {
        // Never a crash: a CUDA error (out of memory, say) ends the run with its reason; its
        // last checkpoint stays, and the panel offers to continue on the CPU.
        const QString text = translated(messageOf(e));
        const bool deviceFailure = isDeviceFailure(observer.device, e.what());
        handoffRelease(); // to the GUI thread (ThreadHandoff.h)
        Q_EMIT failed(text, deviceFailure);
    }
}

} // namespace gui
} // namespace fuselab
