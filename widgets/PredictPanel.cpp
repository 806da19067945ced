// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/PredictPanel.h"

#include "core/document/RunFolder.h"
#include "core/project/Prediction.h"
#include "core/project/Services.h"
#include "widgets/BackgroundTask.h"
#include "widgets/ExplainView.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QVBoxLayout>

#include <memory>
#include <numeric>

namespace fuselab {
namespace gui {

PredictPanel::PredictPanel(QWidget *parent)
    : QWidget(parent), m_runLabel(new QLabel(this)), m_answer(new QLabel(this)), m_files(new QListWidget(this)), m_text(new QLineEdit(this)),
      m_predict(new QPushButton(tr("Predict"), this)), m_chart(new QCustomPlot(this)), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("predictPanel"));
    setAcceptDrops(true);
    m_runLabel->setWordWrap(true);
    m_answer->setWordWrap(true);
    m_answer->setObjectName(QStringLiteral("predictionAnswer"));
    m_files->setMaximumHeight(70);
    m_files->setToolTip(tr("Drop an image, a sound and a .txt file of one sample here: one of each modality"));
    m_text->setPlaceholderText(tr("…or type the text of the sample"));
    m_predict->setObjectName(QStringLiteral("predictButton"));
    auto *add = new QPushButton(tr("Add files…"), this);
    auto *clear = new QPushButton(tr("Clear"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    buttons->addWidget(m_predict);
    m_why = new QPushButton(tr("Why?"), this);
    m_why->setObjectName(QStringLiteral("explainPrediction"));
    m_why->setToolTip(tr("What the model looks at in this sample: Grad-CAM over images, occlusion over audio, each word's weight"));
    m_why->setEnabled(false);
    buttons->addWidget(m_why);

    // Probabilities as horizontal bars, the most likely class on top.
    m_chart->setMinimumHeight(120);
    m_chart->xAxis->setRange(0, 1);
    m_chart->xAxis->setLabel(tr("probability"));
    m_chart->yAxis->setRangeReversed(true);
    m_chart->yAxis->setTicks(true);

    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 4, 0, 0);
    v->addWidget(m_runLabel);
    v->addWidget(m_files);
    v->addWidget(m_text);
    v->addLayout(buttons);
    v->addWidget(m_answer);
    v->addWidget(m_chart, 1);
    setRun(QString());

    connect(add, &QPushButton::clicked, this, [this] {
        addFiles(QFileDialog::getOpenFileNames(this, tr("Files of one sample")));
    });
    connect(clear, &QPushButton::clicked, this, [this] {
        m_files->clear();
        m_text->clear();
    });
    connect(m_predict, &QPushButton::clicked, this, &PredictPanel::predict);
    connect(m_why, &QPushButton::clicked, this, &PredictPanel::explain);
    // "Why?" explains the sample that was predicted: any change to it waits for a new prediction.
    connect(m_text, &QLineEdit::textChanged, this, [this] { m_why->setEnabled(false); });
    connect(m_files->model(), &QAbstractItemModel::rowsInserted, this, [this] { m_why->setEnabled(false); });
    connect(m_files->model(), &QAbstractItemModel::rowsRemoved, this, [this] { m_why->setEnabled(false); });
    connect(m_files->model(), &QAbstractItemModel::modelReset, this, [this] { m_why->setEnabled(false); });
    connect(m_text, &QLineEdit::returnPressed, this, &PredictPanel::predict);
}

void PredictPanel::setRun(const QString &runDir)
{
    m_run = runDir;
    m_runLabel->setText(runDir.isEmpty() ? tr("Train a model, or select a run in Runs, to ask it about new samples.")
                                         : tr("Run %1 (its best checkpoint)").arg(QFileInfo(runDir).fileName()));
    m_predict->setEnabled(!runDir.isEmpty());
    m_why->setEnabled(false);
}

ExplainView *PredictPanel::explain()
{
    if (m_run.isEmpty())
        return nullptr;
    QStringList files, texts;
    for (int i = 0; i < m_files->count(); ++i)
        files << QDir::fromNativeSeparators(m_files->item(i)->text());
    if (!m_text->text().trimmed().isEmpty())
        texts << m_text->text();
    if (files.isEmpty() && texts.isEmpty())
        return nullptr;
    if (!m_explain)
        m_explain = new ExplainView(this);
    m_explain->show();
    m_explain->raise();
    m_explain->explainFiles(m_run, files, texts);
    return m_explain;
}

void PredictPanel::addFiles(const QStringList &files)
{
    for (const QString &f : files)
        m_files->addItem(QDir::toNativeSeparators(f));
}

void PredictPanel::setText(const QString &text) { m_text->setText(text); }

void PredictPanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void PredictPanel::dropEvent(QDropEvent *event)
{
    QStringList files;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    addFiles(files);
    event->acceptProposedAction();
}

bool PredictPanel::predict()
{
    if (m_run.isEmpty() || m_task->isRunning())
        return false;
    std::vector<std::string> files, texts;
    for (int i = 0; i < m_files->count(); ++i)
        files.push_back(QDir::fromNativeSeparators(m_files->item(i)->text()).toStdString());
    if (!m_text->text().trimmed().isEmpty())
        texts.push_back(m_text->text().toStdString());
    if (files.empty() && texts.empty()) {
        m_answer->setText(tr("Give a file or some text first."));
        return false;
    }
    struct Result {
        QStringList classes, missing;
        QVector<double> probabilities;
    };
    auto result = std::make_shared<Result>();
    const std::string run = m_run.toStdString();
    m_predict->setEnabled(false);
    m_why->setEnabled(false);
    m_answer->setText(tr("Asking the model…"));
    connect(m_task, &BackgroundTask::finished, this, [this, result](bool ok, bool, const QString &error) {
        m_predict->setEnabled(!m_run.isEmpty());
        if (!ok) {
            m_answer->setText(tr("Cannot predict: %1").arg(error));
            return;
        }
        show(result->classes, result->probabilities, result->missing);
        m_why->setEnabled(true);
    }, Qt::SingleShotConnection);
    m_task->start([run, files, texts, result](ProgressObserver &progress) {
        const RunRecord record = ensureRunCache(RunFolder(run), &progress);
        const Predictor predictor(run, "cpu", record.cache);
        const PredictionSample sample = combinedSample(predictor.columns(), files, texts);
        const Prediction p = predictSamples(predictor, {sample}).at(0);
        for (const std::string &c : predictor.classes())
            result->classes << qs(c);
        for (double v : p.probabilities)
            result->probabilities << v;
        for (std::size_t c = 0; c < predictor.columns().size(); ++c)
            if (!sample.fields[c].present)
                result->missing << qs(predictor.columns()[c].name);
    });
    return true;
}

void PredictPanel::show(const QStringList &classes, const QVector<double> &probabilities, const QStringList &missing)
{
    std::vector<int> order(static_cast<std::size_t>(classes.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probabilities[a] > probabilities[b]; });
    m_chart->clearPlottables();
    auto *bars = new QCPBars(m_chart->yAxis, m_chart->xAxis);
    bars->setBrush(QColor(0x4e, 0x79, 0xa7));
    bars->setPen(Qt::NoPen);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys, values;
    for (int k = 0; k < static_cast<int>(order.size()); ++k) {
        keys << k;
        values << probabilities[order[static_cast<std::size_t>(k)]];
        ticker->addTick(k, classes[order[static_cast<std::size_t>(k)]]);
    }
    bars->setData(keys, values, true);
    m_chart->yAxis->setTicker(ticker);
    m_chart->yAxis->setRange(-0.5, classes.size() - 0.5);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    QString text = order.empty() ? QString()
                                 : tr("Most likely: %1 (%2%)").arg(classes[order[0]]).arg(probabilities[order[0]] * 100, 0, 'f', 1);
    if (!missing.isEmpty())
        text += QLatin1Char(' ') + tr("Missing modalities, treated as absent: %1.").arg(missing.join(QStringLiteral(", ")));
    m_answer->setText(text);
    Q_EMIT predicted(classes, probabilities);
}

} // namespace gui
} // namespace fuselab
