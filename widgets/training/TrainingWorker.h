// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>

#include <string>
#include <vector>

namespace fuselab {
struct SamplePrediction;
namespace gui {

// Predictions of a split's samples (single-label runs), behind a confusion matrix's cells:
// each sample's dataset row, true and predicted class, the predicted class's probability,
// and its three most likely classes as text ("bright 91%, mid 7%, dark 2%").
struct PredictionList {
    QVector<qint64> rows;
    QVector<int> truth, predicted;
    QVector<float> confidence;
    QStringList top;
    bool isEmpty() const { return rows.isEmpty(); }
};
PredictionList predictionList(const std::vector<SamplePrediction> &predictions, const std::vector<std::string> &classes);

// What the GUI learns of a run: plain values, copied through queued signals.
struct TrainingPlanInfo {
    QString runDir, device;
    int epochs = 0, startEpoch = 1;
    qint64 stepsPerEpoch = 0, trainSamples = 0, valSamples = 0, parameters = 0;
    QStringList classes;
    QString notice;
    bool regression = false; // a number per sample (classes holds its name)
    bool sequence = false;   // a text per sample (classes holds the target vocabulary)
    bool characterTargets = false; // sequence targets are characters: CER rather than WER
};
struct TrainingBatchInfo {
    int epoch = 0;
    qint64 step = 0, steps = 0;
    double loss = 0, learningRate = 0, samplesPerSecond = 0;
};
struct TrainingEpochInfo {
    int epoch = 0;
    double trainLoss = 0, valLoss = 0, valAccuracy = 0, valMacroF1 = 0, seconds = 0, learningRate = 0;
    bool best = false, hasValidation = true;
    QVector<QVector<qint64>> confusion; // [true][predicted], single-label runs
    PredictionList val; // every validation sample's prediction (single-label runs)
    // Regression runs: the validation RMSE, R² and Pearson r, and every validation sample's
    // dataset row, target and prediction.
    bool regression = false;
    double valRmse = 0, valR2 = 0, valPearson = 0;
    QVector<qint64> valRows;
    QVector<double> valTargets, valPredicted;
    // Sequence runs: BLEU and chrF (0-100), exact match (%), WER and CER (fractions), and
    // every validation sample's reference and decoded text (rows in valRows).
    bool sequence = false, characterTargets = false;
    double valBleu = 0, valChrf = 0, valExactMatch = 0, valWer = 0, valCer = 0;
    QStringList valReferences, valHypotheses;
};
struct TrainingResultInfo {
    QString runDir;
    bool stopped = false;
    int epochsCompleted = 0, bestEpoch = 0;
    double testAccuracy = -1; // -1: not evaluated
    double testRmse = -1, testR2 = 0; // regression runs (-1: not evaluated)
    double testBleu = -1, testWer = 0;  // sequence runs (-1: not evaluated)
    QString earlyStop;
};

// Runs core's trainer on the thread it is moved to. Stop and pause are atomics the GUI sets
// from its thread; everything else leaves as queued signals carrying the values above.
// No widget is touched here.
class TrainingWorker final : public QObject {
    Q_OBJECT
public:
    TrainingWorker();
    std::atomic<bool> stop{false}, pause{false};

public Q_SLOTS:
    // Trains `experimentFile` into `runDir` (a new run), or resumes `runDir` when resume is set.
    // `device` ("" = the experiment's) overrides the experiment's device; a GPU that cannot be
    // used falls back to the CPU, saying so through notice().
    void train(const QString &experimentFile, const QString &runDir, bool resume, const QString &device);

Q_SIGNALS:
    void phaseChanged(int phase); // fuselab::TrainingPhase
    void progress(const QString &stage, qint64 done, qint64 total);
    void started(const fuselab::gui::TrainingPlanInfo &plan);
    void batch(const fuselab::gui::TrainingBatchInfo &batch);
    void epoch(const fuselab::gui::TrainingEpochInfo &epoch);
    void finished(const fuselab::gui::TrainingResultInfo &result);
    // deviceFailure: the GPU failed (CUDA error, out of memory); the run's last checkpoint can
    // continue on the CPU.
    void failed(const QString &message, bool deviceFailure);
    void notice(const QString &message);
};

} // namespace gui
} // namespace fuselab

Q_DECLARE_METATYPE(fuselab::gui::TrainingPlanInfo)
Q_DECLARE_METATYPE(fuselab::gui::TrainingBatchInfo)
Q_DECLARE_METATYPE(fuselab::gui::TrainingEpochInfo)
Q_DECLARE_METATYPE(fuselab::gui::TrainingResultInfo)
