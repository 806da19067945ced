// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QVBoxLayout;

namespace fuselab {
class ProgressObserver;
struct SampleExplanation;
struct GradCamMap;
struct InputPicture;
struct OcclusionMap;
struct TokenImportance;
namespace gui {

class BackgroundTask;

// Why this prediction, for one sample of a trained run (a gallery sample): the class
// probabilities, then per input the model reads: a Grad-CAM map over each image (overlaid),
// an occlusion map over each audio input's log-mel, each text token's importance (coloured),
// and the modality weights of attention and gated fusions. Computed by core (explainSample)
// on a thread of its own; another class can be explained from the list.
class ExplainView final : public QWidget {
    Q_OBJECT
public:
    explicit ExplainView(QWidget *parent = nullptr);
    ~ExplainView() override;
    // Explains `row` (the dataset's and the run's cache row) for `target` (-1: the predicted class).
    bool explain(const QString &runDir, qint64 row, int target = -1);
    // Explains a new sample made of these files and texts (one per modality, as the Predict
    // panel gives them).
    bool explainFiles(const QString &runDir, const QStringList &files, const QStringList &texts, int target = -1);
    bool isRunning() const;
    const SampleExplanation *explanation() const { return m_result.get(); }
    QLabel *header() const { return m_header; }
    QCustomPlot *probabilities() const { return m_probabilities; }
    // The pictures shown (overlays, spectrograms), for tests and screenshots.
    QList<QLabel *> pictures() const;
    QLabel *textView() const { return m_text; }

Q_SIGNALS:
    void explained(bool ok, const QString &error);

private:
    bool start(int target);
    void showResult();
    void clearDetails();
    QString m_run, m_what;
    qint64 m_row = -1;
    std::function<SampleExplanation(ProgressObserver &, int)> m_compute; // the explanation for a class
    QStringList m_classes, m_columns;
    std::shared_ptr<SampleExplanation> m_result, m_pending;
    QLabel *m_header, *m_text, *m_weights;
    QComboBox *m_target;
    QCustomPlot *m_probabilities;
    QWidget *m_details;
    QVBoxLayout *m_detailsLayout;
    BackgroundTask *m_task;
    bool m_filling = false;
};

// Grad-CAM over the image the model saw: the map in a blue-to-red scale, half transparent.
QImage gradCamOverlay(const InputPicture &picture, const GradCamMap &map);
// The log-mel (grey, low frequencies at the bottom) with the occlusion cells tinted: red
// where blanking the cell lowered the class's probability, blue where it raised it.
QImage occlusionPicture(const OcclusionMap &map, int pixelsPerMel = 3, int pixelsPerFrame = 4);
// The tokens as rich text, each on a background by its importance (green: for the class,
// red: against), its value beside it.
QString tokenHtml(const TokenImportance &tokens);

} // namespace gui
} // namespace fuselab
