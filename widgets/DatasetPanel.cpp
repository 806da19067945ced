// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/DatasetPanel.h"

#include "core/data/DatasetLoader.h"
#include "core/project/Services.h"
#include "core/util/MessageJson.h"
#include "core/util/Words.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/SampleBrowser.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace fuselab {
namespace gui {

namespace {

QString modalityTitle(Modality m)
{
    switch (m) {
    case Modality::Image: return DatasetPanel::tr("image");
    case Modality::Audio: return DatasetPanel::tr("audio");
    case Modality::Text: return DatasetPanel::tr("text");
    }
    return {};
}

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_summary(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_openButton(new QPushButton(tr("Open dataset…"), this)),
      m_newButton(new QPushButton(tr("New experiment…"), this)), m_chart(new QCustomPlot(this)), m_problems(new QTreeWidget(this)),
      m_browser(new SampleBrowser(this)), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("datasetPanel"));
    m_cancel->setObjectName(QStringLiteral("cancelScan"));
    m_chart->setObjectName(QStringLiteral("classChart"));
    m_problems->setObjectName(QStringLiteral("skippedFiles"));
    m_title->setWordWrap(true);
    m_title->setText(tr("No dataset. Drop a folder, a CSV/JSONL manifest or an IDX folder on the window."));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_newButton->setEnabled(false);
    m_chart->setMinimumHeight(170);
    // The legend in a row of its own above the plot: it never covers a bar.
    m_chart->plotLayout()->insertRow(0);
    m_chart->plotLayout()->addElement(0, 0, m_chart->legend);
    m_chart->plotLayout()->setRowStretchFactor(0, 0.001);
    m_chart->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_chart->legend->setBorderPen(Qt::NoPen);
    m_chart->legend->setMargins(QMargins(2, 0, 2, 0));
    m_chart->setVisible(false);
    m_problems->setHeaderLabels({tr("Skipped file"), tr("Reason")});
    m_problems->setRootIsDecorated(false);
    m_problems->header()->setStretchLastSection(true);
    m_problems->setVisible(false);
    m_problems->setToolTip(tr("Double-click a file to open its folder"));

    m_taskChoice = new QComboBox(this);
    m_taskChoice->setObjectName(QStringLiteral("taskChoice"));
    m_taskChoice->addItem(tr("Task: as the labels suggest"), QString());
    m_taskChoice->addItem(tr("Task: classification"), QStringLiteral("classification"));
    m_taskChoice->addItem(tr("Task: multi-label"), QStringLiteral("multilabel"));
    m_taskChoice->addItem(tr("Task: regression (a number)"), QStringLiteral("regression"));
    m_taskChoice->addItem(tr("Task: sequence (a text to produce)"), QStringLiteral("sequence"));
    m_taskChoice->setToolTip(tr("What the label column holds: one class, several classes, a number or a text to produce per sample. Manifests only."));
    connect(m_taskChoice, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_path.isEmpty())
            open(m_path);
    });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_openButton);
    buttons->addWidget(m_newButton);
    buttons->addStretch(1);
    buttons->addWidget(m_taskChoice);
    auto *busy = new QHBoxLayout;
    busy->addWidget(m_progress, 1);
    busy->addWidget(m_cancel);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 6, 6, 6);
    v->addLayout(buttons);
    v->addWidget(m_title);
    v->addLayout(busy);
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("datasetTabs"));
    auto *health = new QWidget;
    auto *h = new QVBoxLayout(health);
    h->setContentsMargins(0, 4, 0, 0);
    h->addWidget(m_summary);
    h->addWidget(m_chart, 2);
    h->addWidget(m_problems, 1);
    tabs->addTab(health, tr("Health"));
    tabs->addTab(m_browser, tr("Samples"));
    v->addWidget(tabs, 1);

    connect(m_openButton, &QPushButton::clicked, this, &DatasetPanel::openRequested);
    connect(m_newButton, &QPushButton::clicked, this, &DatasetPanel::newExperimentRequested);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetPanel::cancel);
    connect(m_task, &BackgroundTask::progress, this, &DatasetPanel::progressed);
    connect(m_task, &BackgroundTask::progress, this, [this](const QString &stage, qint64 done, qint64 total) {
        const QString label = stage == QLatin1String("scanning")     ? tr("Scanning")
                            : stage == QLatin1String("checking files") ? tr("Checking files")
                            : stage == QLatin1String("hashing files")  ? tr("Looking for duplicates")
                                                                       : stage;
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(static_cast<int>(1000 * done / total));
            m_progress->setFormat(tr("%1: %2 of %3").arg(label, QLocale().toString(done), QLocale().toString(total)));
        } else {
            m_progress->setRange(0, 0);
            m_progress->setFormat(tr("%1: %2 files").arg(label, QLocale().toString(done)));
        }
    });
    connect(m_problems, &QTreeWidget::itemDoubleClicked, this, [](QTreeWidgetItem *item) {
        const QString file = item->data(0, Qt::UserRole).toString();
        if (!file.isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(file).absolutePath()));
    });
}

DatasetPanel::~DatasetPanel() = default;

bool DatasetPanel::isBusy() const { return m_task->isRunning(); }

void DatasetPanel::cancel() { m_task->cancel(); }

void DatasetPanel::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_openButton->setEnabled(!busy);
    if (busy) {
        m_progress->setRange(0, 0);
        m_progress->setFormat(tr("Opening…"));
    }
}

void DatasetPanel::open(const QString &path, const LoadOptions *given)
{
    if (m_task->isRunning())
        return;
    auto dataset = std::make_shared<Dataset>();
    auto report = std::make_shared<nlohmann::json>();
    const std::string p = QDir::cleanPath(path).toStdString();
    setBusy(true);
    m_title->setText(tr("Opening %1").arg(QDir::toNativeSeparators(path)));
    connect(
        m_task, &BackgroundTask::finished, this,
        [this, path, dataset, report](bool ok, bool cancelled, const QString &error) {
            setBusy(false);
            if (cancelled) {
                m_title->setText(tr("Opening %1 was cancelled.").arg(QDir::toNativeSeparators(path)));
                return;
            }
            if (!ok) {
                m_title->setText(tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), error));
                Q_EMIT failed(error);
                return;
            }
            m_path = path;
            m_dataset = dataset;
            m_report = *report;
            showReport();
            Q_EMIT opened(path);
        },
        Qt::SingleShotConnection);
    LoadOptions options;
    if (given) {
        options = *given;
        const QSignalBlocker quiet(m_taskChoice); // the experiment's task, shown (not a new choice)
        const int i = options.reader.task ? m_taskChoice->findData(QString::fromLatin1(taskName(*options.reader.task))) : 0;
        m_taskChoice->setCurrentIndex(std::max(0, i));
    } else {
        options.reader.task = taskFromName(m_taskChoice->currentData().toString().toStdString()); // none: as the labels suggest
    }
    m_task->start([p, dataset, report, options](ProgressObserver &progress) {
        *dataset = openDataset(p, options, &progress);
        *report = healthReport(*dataset, 0, &progress);
    });
}

namespace {
// The inspection's target vocabulary (sequence datasets), an empty object when it has none.
nlohmann::json targetVocabulary(const nlohmann::json &report)
{
    const nlohmann::json targets = report.is_object() ? report.value("targets", nlohmann::json::object()) : nlohmann::json::object();
    const nlohmann::json vocabulary = targets.is_object() ? targets.value("vocabulary", nlohmann::json::object()) : nlohmann::json::object();
    return vocabulary.is_object() ? vocabulary : nlohmann::json::object();
}
} // namespace

void DatasetPanel::showReport()
{
    const Dataset &d = *m_dataset;
    const nlohmann::json &r = m_report;
    m_title->setText(QStringLiteral("<b>%1</b>").arg(QDir::toNativeSeparators(m_path).toHtmlEscaped()));
    QStringList modalities;
    for (auto &m : d.columns) // "photo (image)", or just "image" when the column is named after its kind
        modalities << (qs(m.name) == QString::fromLatin1(modalityName(m.kind)) ? modalityTitle(m.kind)
                                                                              : tr("%1 (%2)").arg(qs(m.name), modalityTitle(m.kind)));
    QString html = d.task == Task::Regression
                       ? tr("%1 samples, a number each (%2); modalities: %3")
                             .arg(QLocale().toString(static_cast<qlonglong>(d.samples.size())), qs(d.classes.empty() ? std::string() : d.classes[0]),
                                  modalities.join(QStringLiteral(", ")))
                       : d.task == Task::Sequence
                       ? tr("%1 samples, a text to produce each (a vocabulary of %2 tokens, the longest target %3); modalities: %4")
                             .arg(QLocale().toString(static_cast<qlonglong>(d.samples.size())))
                             .arg(targetVocabulary(r).value("size", 0LL))
                             .arg(targetVocabulary(r).value("train", nlohmann::json::object()).value("longest", 0LL))
                             .arg(modalities.join(QStringLiteral(", ")))
                       : tr("%1 samples, %2 classes; modalities: %3")
                             .arg(QLocale().toString(static_cast<qlonglong>(d.samples.size())))
                             .arg(d.classes.size())
                             .arg(modalities.join(QStringLiteral(", ")));
    const QString task = d.task == Task::Regression ? tr("regression: a number per sample")
                       : d.task == Task::Sequence   ? tr("sequence: a text to produce per sample")
                       : d.multiLabel               ? tr("multi-label: a sample may have several classes")
                                                    : tr("classification: one class per sample");
    const QString reason = translated(d.taskReason);
    html += QStringLiteral("<br>") + (reason.isEmpty() ? tr("Task: %1").arg(task) : tr("Task: %1 (%2)").arg(task, reason.toHtmlEscaped()));
    const auto &splits = r["splits"];
    const QLocale locale;
    html += QStringLiteral("<br>") + tr("Splits: %1 train, %2 validation, %3 test")
                                           .arg(locale.toString(splits.value("train", 0LL)), locale.toString(splits.value("val", 0LL)),
                                                locale.toString(splits.value("test", 0LL)));
    const auto &samples = r["samples"];
    if (samples.value("with_missing_modality", 0) > 0) {
        QStringList missing;
        for (const auto &m : r.value("modalities", nlohmann::json::array()))
            if (m.value("missing", 0) > 0)
                missing << tr("%1: %2").arg(qs(m.value("column", std::string()))).arg(m.value("missing", 0));
        html += QStringLiteral("<br>") + tr("%1 samples lack a modality (%2); missing inputs are masked in training")
                                               .arg(samples.value("with_missing_modality", 0))
                                               .arg(missing.join(tr(", ")));
    }
    // null where no class has samples (regression and sequence datasets have no classes)
    const nlohmann::json ratio = r.value("imbalance_ratio", nlohmann::json());
    const double imbalance = ratio.is_number() ? ratio.get<double>() : 1.0;
    if (imbalance >= 3.0)
        html += QStringLiteral("<br><span style='color:#a05a00'>%1</span>")
                    .arg(tr("Imbalanced: the largest class has %1 times the samples of the smallest; consider class weights or the balanced sampler")
                             .arg(imbalance, 0, 'f', 1));
    if (!r.value("usable", true))
        html += QStringLiteral("<br><span style='color:#a01c1c'>%1</span>")
                    .arg(tr("Not usable: %1").arg(translated(messageFromJson(r.value("verdict_message", r.value("verdict", nlohmann::json()))))));
    m_summary->setText(html);
    m_newButton->setEnabled(r.value("usable", true));

    if (d.task == Task::Regression || d.task == Task::Sequence) {
        showTargetHistogram();
        showProblems();
        return;
    }
    // Samples per class and modality.
    const auto C = d.classes.size();
    std::vector<std::vector<double>> counts(d.columns.size(), std::vector<double>(C, 0.0));
    for (const Sample &s : d.samples)
        forEachClass(d, s, [&](int c) {
            for (std::size_t m = 0; m < d.columns.size(); ++m)
                if (s.fields[m].present)
                    counts[m][static_cast<std::size_t>(c)] += 1;
        });
    m_chart->clearPlottables();
    auto *group = new QCPBarsGroup(m_chart);
    const QColor colours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xe1, 0x57, 0x59), QColor(0x59, 0xa1, 0x4f), QColor(0xf2, 0x8e, 0x2b)};
    QVector<double> ticks;
    QVector<QString> labels;
    for (std::size_t c = 0; c < C; ++c) {
        ticks << double(c + 1);
        labels << qs(d.classes[c]);
    }
    double top = 1;
    for (std::size_t m = 0; m < d.columns.size(); ++m) {
        auto *bars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
        bars->setName(qs(d.columns[m].name));
        bars->setBrush(colours[m % 4]);
        bars->setPen(Qt::NoPen);
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setWidth(0.8 / double(std::max<std::size_t>(1, d.columns.size())));
        bars->setBarsGroup(group);
        QVector<double> values(counts[m].begin(), counts[m].end());
        bars->setData(ticks, values, true);
        for (double v : values)
            top = std::max(top, v);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(ticks, labels);
    m_chart->xAxis->setTicker(ticker);
    m_chart->xAxis->setTickLabelRotation(C > 8 ? 45 : 0);
    m_chart->xAxis->setRange(0.4, double(C) + 0.6);
    m_chart->yAxis->setRange(0, top * 1.1);
    m_chart->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    m_chart->xAxis->setLabel(QString());
    m_chart->yAxis->setLabel(tr("samples"));
    m_chart->legend->setVisible(d.columns.size() > 1);
    m_chart->setVisible(true);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    showProblems();
}

// Regression and sequence datasets have no classes to count: the training targets' values
// (20 bins) or lengths in tokens instead.
void DatasetPanel::showTargetHistogram()
{
    const Dataset &d = *m_dataset;
    const bool sequence = d.task == Task::Sequence;
    std::vector<double> values;
    for (const Sample &s : d.samples)
        if (s.split == Split::Train || !d.splitGiven)
            values.push_back(sequence ? double((targetVocabulary(m_report).value("tokens", std::string("word")) == "char"
                                                    ? splitChars(s.targetText, false)
                                                    : splitWords(s.targetText, false))
                                                   .size())
                                      : s.target);
    m_chart->clearPlottables();
    m_chart->legend->setVisible(false);
    m_chart->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_chart->xAxis->setTickLabelRotation(0);
    if (values.empty()) {
        m_chart->setVisible(false);
        return;
    }
    const double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
    // Lengths: one bar per length; numbers: 20 bins over their range.
    const int bins = sequence ? static_cast<int>(hi - lo) + 1 : 20;
    const double width = sequence ? 1.0 : std::max(1e-12, (hi - lo) / bins);
    QVector<double> centres(bins), counts(bins, 0);
    for (int b = 0; b < bins; ++b)
        centres[b] = lo + (sequence ? b : (b + 0.5) * width);
    for (double v : values)
        ++counts[std::clamp(static_cast<int>(sequence ? v - lo : (v - lo) / width), 0, bins - 1)];
    auto *bars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
    bars->setBrush(QColor(0x4e, 0x79, 0xa7));
    bars->setPen(Qt::NoPen);
    bars->setWidth(width * 0.85);
    bars->setData(centres, counts, true);
    m_chart->xAxis->setRange(centres.front() - width, centres.back() + width);
    m_chart->yAxis->setRange(0, *std::max_element(counts.begin(), counts.end()) * 1.1);
    m_chart->xAxis->setLabel(sequence ? (targetVocabulary(m_report).value("tokens", std::string("word")) == "char"
                                             ? tr("target length (characters), training split")
                                             : tr("target length (words), training split"))
                                      : tr("target value, training split"));
    m_chart->yAxis->setLabel(tr("samples"));
    m_chart->setVisible(true);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
}

void DatasetPanel::showProblems()
{
    const Dataset &d = *m_dataset;
    const nlohmann::json &r = m_report;
    m_problems->clear();
    for (const auto &p : r["problems"].value("listed", nlohmann::json::array())) {
        QString file = qs(p.value("file", std::string()));
        if (p.contains("line"))
            file += QStringLiteral(":%1").arg(p["line"].get<long long>());
        // The reason in the user's language: the report carries it as a translatable message.
        auto *item = new QTreeWidgetItem(m_problems, {file, translated(reasonFromJson(p))});
        const QString absolute = QDir(qs(d.root)).absoluteFilePath(qs(p.value("file", std::string())));
        item->setData(0, Qt::UserRole, absolute);
        item->setToolTip(1, item->text(1));
    }
    m_problems->setVisible(m_problems->topLevelItemCount() > 0);
    m_browser->setDataset(m_dataset);
}

} // namespace gui
} // namespace fuselab
