// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/LessonWindow.h"

#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Lesson.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphScene.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/ThreadHandoff.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fuselab {
namespace gui {

namespace {

const QColor kColours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40), QColor(148, 103, 189),
                           QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207)};
QColor colour(int i) { return kColours[static_cast<std::size_t>(i) % (sizeof kColours / sizeof kColours[0])]; }

QString pct(double v) { return QStringLiteral("%1%").arg(100.0 * v, 0, 'f', 1); }

// Lesson progress for the GUI: progress and stop through the BackgroundTask's observer, each
// run's start and each validated epoch as queued calls on the window (plain values only).
class LessonProgress final : public LessonObserver {
public:
    LessonProgress(ProgressObserver &outer, LessonWindow *window, std::function<void(int, int, QString)> began,
                   std::function<void(int, double)> epoch)
        : m_outer(outer), m_window(window), m_began(std::move(began)), m_epoch(std::move(epoch))
    {
    }
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override { m_outer.onProgress(stage, done, total); }
    bool isCancelled() const override { return m_outer.isCancelled(); }
    bool isPaused() const override { return m_outer.isPaused(); }
    void lessonRun(int index, int count, const LessonRun &run) override
    {
        const QString name = qs(run.name);
        handoffRelease(); // ThreadHandoff.h
        QMetaObject::invokeMethod(m_window, [f = m_began, index, count, name] { f(index, count, name); }, Qt::QueuedConnection);
    }
    void batchEnded(const BatchEvent &b) override
    {
        m_outer.onProgress(Message(FL_TR("Lesson", "epoch %1"), std::to_string(b.epoch)).str(), b.step, b.steps);
    }
    void epochEnded(const EpochResult &e) override
    {
        if (!e.hasValidation)
            return;
        handoffRelease();
        QMetaObject::invokeMethod(m_window, [f = m_epoch, epoch = e.epoch, acc = e.val.accuracy] { f(epoch, acc); }, Qt::QueuedConnection);
    }

private:
    ProgressObserver &m_outer;
    LessonWindow *m_window;
    std::function<void(int, int, QString)> m_began;
    std::function<void(int, double)> m_epoch;
};

QTableWidgetItem *cell(const QString &text, bool number = false)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QString statusName(const std::string &status)
{
    if (status == "finished")
        return LessonWindow::tr("finished");
    if (status == "stopped")
        return LessonWindow::tr("stopped");
    if (status == "failed")
        return LessonWindow::tr("failed");
    if (status == "skipped")
        return LessonWindow::tr("skipped");
    return qs(status);
}

QString remedyName(const std::string &remedy) { return translated(remedyTitle(remedy)); }

QString runName(const LessonRun &r)
{
    if (r.kind == "single")
        return LessonWindow::tr("%1 only").arg(qs(r.modality));
    return qs(r.name);
}

QString pngData(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QString esc(const QString &s) { return s.toHtmlEscaped(); }

// A bar chart's legend in one row between its title and its bars, so it hides no bar.
void legendAboveBars(QCustomPlot *plot)
{
    plot->legend->setVisible(true);
    plot->plotLayout()->insertRow(1);
    auto *holder = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, holder);
    plot->axisRect()->insetLayout()->take(plot->legend);
    holder->addElement(0, 0, plot->legend);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    holder->setMargins(QMargins(0, 0, 0, 0));
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
}

// A table widget as an XHTML table (bold cells stay bold).
QString htmlTable(const QTableWidget *t, const QString &id)
{
    const bool rowNames = t->verticalHeader()->isVisible();
    QString h = QStringLiteral("<table id=\"%1\"><thead><tr>").arg(id);
    if (rowNames)
        h += QStringLiteral("<th></th>");
    for (int c = 0; c < t->columnCount(); ++c)
        h += QStringLiteral("<th>%1</th>").arg(esc(t->horizontalHeaderItem(c) ? t->horizontalHeaderItem(c)->text() : QString()));
    h += QStringLiteral("</tr></thead><tbody>");
    for (int r = 0; r < t->rowCount(); ++r) {
        h += QStringLiteral("<tr>");
        if (rowNames)
            h += QStringLiteral("<th>%1</th>").arg(esc(t->verticalHeaderItem(r) ? t->verticalHeaderItem(r)->text() : QString()));
        for (int c = 0; c < t->columnCount(); ++c) {
            const QTableWidgetItem *item = t->item(r, c);
            const QString text = esc(item ? item->text() : QString());
            h += item && item->font().bold() ? QStringLiteral("<td><b>%1</b></td>").arg(text) : QStringLiteral("<td>%1</td>").arg(text);
        }
        h += QStringLiteral("</tr>");
    }
    return h + QStringLiteral("</tbody></table>");
}

// The experiment's graph as a picture (the editor's drawing, rendered off screen).
QImage graphPicture(const Experiment &experiment)
{
    ExperimentDocument document;
    document.reset(experiment);
    GraphScene scene(&document);
    const QRectF bounds = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
    if (bounds.isEmpty())
        return {};
    const double scale = std::min(1.0, 1400.0 / bounds.width());
    QImage image((bounds.size() * scale).toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, QRectF(QPointF(0, 0), bounds.size() * scale), bounds);
    return image;
}

// The verdict's font: the window's, a quarter larger and bold.
QFont verdictFont(QFont f)
{
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    return f;
}

// A lesson tab: its choices, the verdict and the plots and tables on the left, the classroom
// explanation on the right.
void addLessonPage(QTabWidget *tabs, QWidget *choices, QLabel *verdict, QWidget *body, QTextBrowser *explanation)
{
    auto *page = new QWidget;
    auto *left = new QWidget;
    auto *l = new QVBoxLayout(left);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(choices);
    l->addWidget(verdict);
    l->addWidget(body, 1);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(explanation);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(split);
    tabs->addTab(page, QString());
}

} // namespace

QString fusionLessonExplanation()
{
    return LessonWindow::tr(
        "<h3>Does fusing modalities help?</h3>"
        "<p>The lesson trains one model per modality alone and one per fusion strategy, with the same data, the same seed and "
        "each template's default settings, then compares them on the test split, which no model saw while training.</p>"
        "<p><b>Feature-level fusion</b> (concat, attention, gated): each modality's encoder turns its input into a vector of "
        "features; the vectors are combined into one and a single classifier learns from all of them together, so it can "
        "use how the modalities relate. <b>Model-level fusion</b> (late fusion): each modality gets its own classifier and "
        "their predictions are averaged; simple and robust when a modality is missing, but blind to how they interact.</p>"
        "<h3>What the curves show</h3>"
        "<p>Validation accuracy after each epoch. A curve that climbs and then flattens has learnt what it can; a curve "
        "above another all along learns faster and better. The gap between the best fusion and the best single modality is "
        "what the other modalities add.</p>"
        "<h3>What to look for</h3>"
        "<ul><li>Does the best fusion beat the best single modality, and by how much? If not, one modality carries the "
        "answer and the others add nothing, or only noise.</li>"
        "<li><b>What each modality brings</b>: the best fusion tested with each modality removed. A large drop means the "
        "fusion relies on it; almost none means it ignores it. A fusion that leans on one modality while another is useful "
        "shows <i>modality competition</i>, the commonest failure of naive fusion.</li>"
        "<li><b>Modality weights</b>: attention and gated fusions weigh the modalities for each sample. Averaged per class, "
        "they show which modality the model listens to for which class.</li></ul>");
}

QString imbalanceLessonExplanation()
{
    return LessonWindow::tr(
        "<h3>When one class is rare</h3>"
        "<p>One class is made rare in the training split only; validation and test keep all of it, so the rare class is "
        "judged fairly. A model that seldom sees a class learns to ignore it: overall accuracy stays high while that "
        "class's <b>recall</b> (the share of its samples found) falls.</p>"
        "<h3>The remedies</h3>"
        "<ul><li><b>Class weights</b>: each mistake on a rare class costs more in the loss.</li>"
        "<li><b>Balanced sampler</b>: batches show every class equally often, so the rare samples are repeated.</li>"
        "<li><b>Oversampling with augmentation</b>: the same repetition, but each repeat is varied (flips, crops and "
        "brightness for images; masks and shifts for audio), so the model learns the class rather than its few samples.</li></ul>"
        "<h3>What to look for</h3>"
        "<p>Compare the rare class's recall (marked) and the macro-F1, which weighs every class equally, not the accuracy, "
        "which hides the rare class. A remedy often trades a little recall on the common classes for much more on the "
        "rare one.</p>");
}

LessonWindow::LessonWindow(QWidget *parent) : QWidget(parent, Qt::Window), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("lessonWindow"));
    m_baseFont = font();
    auto *top = new QHBoxLayout;
    m_datasetLabel = new QLabel;
    m_datasetLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_epochs = new QSpinBox;
    m_epochs->setRange(0, 1000);
    m_run = new QPushButton;
    m_stop = new QPushButton;
    m_open = new QPushButton;
    m_report = new QPushButton;
    m_present = new QPushButton;
    m_present->setCheckable(true);
    top->addWidget(m_datasetLabel, 1);
    auto *epochsLabel = new QLabel;
    epochsLabel->setObjectName(QStringLiteral("epochsLabel"));
    top->addWidget(epochsLabel);
    top->addWidget(m_epochs);
    for (QPushButton *b : {m_run, m_stop, m_open, m_report, m_present})
        top->addWidget(b);
    m_epochs->setMinimumWidth(m_epochs->fontMetrics().horizontalAdvance(QStringLiteral("template default")) + 40);
    m_setupWidgets = {m_datasetLabel, epochsLabel, m_epochs, m_run, m_open, m_report}; // hidden in presentation mode

    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);

    m_tabs = new QTabWidget;
    buildFusionTab();
    buildImbalanceTab();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(statusRow);
    layout->addWidget(m_tabs, 1);

    connect(m_run, &QPushButton::clicked, this, [this] {
        if (m_tabs->currentIndex() == 1)
            startImbalanceLesson();
        else
            startFusionLesson();
    });
    connect(m_stop, &QPushButton::clicked, this, &LessonWindow::stop);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a lesson folder"), m_folder.isEmpty() ? m_lessonsFolder : m_folder);
        QString error;
        if (!dir.isEmpty() && !openFolder(dir, &error))
            m_status->setText(error);
    });
    connect(m_report, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export the lesson as a report"),
                                                          QDir(m_folder).filePath(QStringLiteral("report.html")), tr("Web page (*.html)"));
        if (file.isEmpty())
            return;
        QString error;
        m_status->setText(exportReport(file, &error) ? tr("Report written to %1").arg(QDir::toNativeSeparators(file)) : error);
    });
    connect(m_present, &QPushButton::toggled, this, &LessonWindow::setPresentationMode);
    connect(m_task, &BackgroundTask::progress, this, [this](const QString &stage, qint64 done, qint64 total) {
        m_progress->setVisible(true);
        m_progress->setFormat(stage + QStringLiteral("  %p%"));
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(1000 * done / total));
    });
    connect(m_task, &BackgroundTask::finished, this, &LessonWindow::ended);
    retranslate();
    setBusy(false);
    resize(1280, 860);
}

LessonWindow::~LessonWindow() = default; // the task, a child, cancels and waits first

void LessonWindow::buildFusionTab()
{
    auto *fusionRow = new QHBoxLayout;
    auto *fusionLabel = new QLabel;
    fusionLabel->setObjectName(QStringLiteral("fusionsLabel"));
    fusionRow->addWidget(fusionLabel);
    for (const ExperimentTemplate &t : experimentTemplates()) {
        if (t.minModalities < 2)
            continue;
        auto *box = new QCheckBox(qs(t.name));
        box->setProperty("template", qs(t.name));
        box->setToolTip(translated("Templates", t.description));
        box->setChecked(t.name == "concat" || t.name == "late-fusion" || t.name == "attention-fusion" || t.name == "gated-fusion");
        m_fusionBoxes << box;
        fusionRow->addWidget(box);
    }
    fusionRow->addStretch(1);
    auto *fusionChoice = new QWidget;
    fusionChoice->setLayout(fusionRow);
    fusionRow->setContentsMargins(0, 0, 0, 0);
    m_setupWidgets << fusionChoice;

    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_verdict->setFont(verdictFont(m_verdict->font()));

    m_curves = new QCustomPlot;
    m_curves->setObjectName(QStringLiteral("lessonCurves"));
    m_curves->setMinimumHeight(220);
    m_curves->legend->setVisible(true);
    m_curves->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_curves->legend->setBrush(QColor(255, 255, 255, 200));
    m_curves->yAxis->setRange(0, 1.02);
    m_contributions = new QCustomPlot;
    m_contributions->setObjectName(QStringLiteral("lessonContributions"));
    m_contributions->setMinimumHeight(220);
    m_contributions->yAxis->setRange(0, 1.05);
    m_contributions->plotLayout()->insertRow(0);
    m_contributionsTitle = new QCPTextElement(m_contributions, QString());
    m_contributions->plotLayout()->addElement(0, 0, m_contributionsTitle);
    legendAboveBars(m_contributions);
    m_table = new QTableWidget;
    m_table->setObjectName(QStringLiteral("lessonTable"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_weights = new QTableWidget;
    m_weights->setObjectName(QStringLiteral("lessonWeights"));
    m_weights->verticalHeader()->setVisible(true);

    auto *plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(m_curves);
    plots->addWidget(m_contributions);
    auto *tables = new QSplitter(Qt::Horizontal);
    tables->addWidget(m_table);
    tables->addWidget(m_weights);
    tables->setStretchFactor(0, 3);
    tables->setStretchFactor(1, 2);
    auto *body = new QSplitter(Qt::Vertical);
    body->addWidget(plots);
    body->addWidget(tables);
    body->setStretchFactor(0, 3);
    body->setStretchFactor(1, 2);

    m_fusionText = new QTextBrowser;
    m_fusionText->setObjectName(QStringLiteral("fusionExplanation"));
    m_fusionText->setMinimumWidth(340);
    addLessonPage(m_tabs, fusionChoice, m_verdict, body, m_fusionText);
}

void LessonWindow::buildImbalanceTab()
{
    auto *row = new QHBoxLayout;
    auto *classLabel = new QLabel;
    classLabel->setObjectName(QStringLiteral("rareClassLabel"));
    m_rareClass = new QComboBox;
    auto *ratioLabel = new QLabel;
    ratioLabel->setObjectName(QStringLiteral("ratioLabel"));
    m_ratio = new QDoubleSpinBox;
    m_ratio->setRange(0.5, 50);
    m_ratio->setDecimals(1);
    m_ratio->setValue(5);
    m_ratio->setSuffix(QStringLiteral(" %"));
    row->addWidget(classLabel);
    row->addWidget(m_rareClass);
    row->addWidget(ratioLabel);
    row->addWidget(m_ratio);
    row->addStretch(1);
    auto *rareChoice = new QWidget;
    rareChoice->setLayout(row);
    row->setContentsMargins(0, 0, 0, 0);
    m_setupWidgets << rareChoice;
    m_imbalanceVerdict = new QLabel;
    m_imbalanceVerdict->setWordWrap(true);
    m_imbalanceVerdict->setFont(verdictFont(m_imbalanceVerdict->font()));
    m_recall = new QCustomPlot;
    m_recall->setObjectName(QStringLiteral("imbalanceRecall"));
    m_recall->setMinimumHeight(260);
    m_recall->yAxis->setRange(0, 1.05);
    m_recall->plotLayout()->insertRow(0);
    m_recallTitle = new QCPTextElement(m_recall, QString());
    m_recall->plotLayout()->addElement(0, 0, m_recallTitle);
    legendAboveBars(m_recall);
    m_imbalanceTable = new QTableWidget;
    m_imbalanceTable->setObjectName(QStringLiteral("imbalanceTable"));
    m_imbalanceTable->verticalHeader()->setVisible(false);
    m_imbalanceText = new QTextBrowser;
    m_imbalanceText->setObjectName(QStringLiteral("imbalanceExplanation"));
    m_imbalanceText->setMinimumWidth(340);
    auto *body = new QSplitter(Qt::Vertical);
    body->addWidget(m_recall);
    body->addWidget(m_imbalanceTable);
    body->setStretchFactor(0, 3);
    body->setStretchFactor(1, 2);
    addLessonPage(m_tabs, rareChoice, m_imbalanceVerdict, body, m_imbalanceText);
}

void LessonWindow::retranslate()
{
    setWindowTitle(tr("Lessons — FuseLab"));
    m_tabs->setTabText(0, tr("Fusion lesson"));
    m_tabs->setTabText(1, tr("Imbalance lesson"));
    m_run->setText(tr("&Run lesson"));
    m_run->setToolTip(tr("Train the lesson's models one after another on the dataset (the lesson of the tab shown)"));
    m_stop->setText(tr("&Stop"));
    m_stop->setToolTip(tr("Stop the current run (kept as a stopped run you can resume) and skip the rest"));
    m_open->setText(tr("&Open lesson…"));
    m_report->setText(tr("&Export report…"));
    m_report->setToolTip(tr("One web page with the plots, tables, graph and settings, to hand out"));
    m_present->setText(tr("&Presentation mode"));
    m_present->setToolTip(tr("Larger text and plots for a projector (F5)"));
    findChild<QLabel *>(QStringLiteral("epochsLabel"))->setText(tr("Epochs per run:"));
    m_epochs->setSpecialValueText(tr("template default"));
    findChild<QLabel *>(QStringLiteral("fusionsLabel"))->setText(tr("Fusions to compare:"));
    findChild<QLabel *>(QStringLiteral("rareClassLabel"))->setText(tr("Make this class rare:"));
    findChild<QLabel *>(QStringLiteral("ratioLabel"))->setText(tr("its share of the training split:"));
    m_datasetLabel->setText(m_datasetPath.isEmpty() ? tr("No dataset open: open one in the main window, or open a lesson folder.")
                                                    : tr("Dataset: %1").arg(QDir::toNativeSeparators(m_datasetPath)));
    m_fusionText->setHtml(fusionLessonExplanation());
    m_imbalanceText->setHtml(imbalanceLessonExplanation());
    m_curves->xAxis->setLabel(tr("epoch"));
    m_curves->yAxis->setLabel(tr("validation accuracy"));
    m_contributions->yAxis->setLabel(tr("accuracy / recall"));
    m_recall->yAxis->setLabel(tr("test recall"));
    if (m_lesson)
        showLesson(*m_lesson);
    if (m_imbalance)
        showImbalance(*m_imbalance);
}

void LessonWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void LessonWindow::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_F5) {
        m_present->toggle();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_presentation) {
        m_present->setChecked(false);
        return;
    }
    QWidget::keyPressEvent(event);
}

void LessonWindow::setDataset(const QString &path, const QStringList &classes)
{
    m_datasetPath = path;
    m_classes = classes;
    const QString chosen = m_rareClass->currentText();
    m_rareClass->clear();
    m_rareClass->addItems(classes);
    if (classes.contains(chosen))
        m_rareClass->setCurrentText(chosen);
    retranslate();
    setBusy(isRunning());
}

void LessonWindow::setFusions(const QStringList &templates)
{
    for (QCheckBox *b : m_fusionBoxes)
        b->setChecked(templates.contains(b->property("template").toString()));
}

QStringList LessonWindow::fusions() const
{
    QStringList out;
    for (QCheckBox *b : m_fusionBoxes)
        if (b->isChecked())
            out << b->property("template").toString();
    return out;
}

void LessonWindow::setEpochs(int epochs) { m_epochs->setValue(epochs); }

void LessonWindow::setImbalance(const QString &rareClass, double ratio)
{
    m_rareClass->setCurrentText(rareClass);
    m_ratio->setValue(100 * ratio);
}

bool LessonWindow::isRunning() const { return m_task->isRunning(); }

bool LessonWindow::startFusionLesson(const QString &outDir) { return start(false, outDir); }
bool LessonWindow::startImbalanceLesson(const QString &outDir) { return start(true, outDir); }

bool LessonWindow::start(bool imbalance, QString outDir)
{
    if (isRunning())
        return false;
    if (m_datasetPath.isEmpty()) {
        m_status->setText(tr("Open a dataset with two or more modalities in the main window first."));
        return false;
    }
    if (!imbalance && fusions().isEmpty()) {
        m_status->setText(tr("Choose at least one fusion to compare."));
        return false;
    }
    if (imbalance && m_rareClass->currentText().isEmpty()) {
        m_status->setText(tr("Choose the class to make rare."));
        return false;
    }
    if (outDir.isEmpty()) {
        const QString base = m_lessonsFolder.isEmpty() ? QDir::current().filePath(QStringLiteral("lessons")) : m_lessonsFolder;
        const QString name = QFileInfo(m_datasetPath).isDir() ? QFileInfo(m_datasetPath).fileName() : QFileInfo(m_datasetPath).dir().dirName();
        outDir = QDir(base).filePath(QStringLiteral("%1-%2-%3")
                                         .arg(name.isEmpty() ? QStringLiteral("dataset") : name,
                                              imbalance ? QStringLiteral("imbalance") : QStringLiteral("lesson"),
                                              QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    }
    clearViews();
    m_folder = m_runFolder = outDir;
    m_stopRequested = false;
    m_runningImbalance = imbalance;
    m_liveRun = -1;
    m_tabs->setCurrentIndex(imbalance ? 1 : 0);
    const std::optional<int> epochs = m_epochs->value() > 0 ? std::optional<int>(m_epochs->value()) : std::nullopt;
    std::function<void(int, int, QString)> began = [this](int i, int n, const QString &name) { beginRun(i, n, name); };
    std::function<void(int, double)> epoch = [this](int e, double acc) { addEpoch(e, acc); };
    std::function<void(ProgressObserver &)> work;
    if (imbalance) {
        ImbalanceRequest r;
        r.dataset = m_datasetPath.toStdString();
        r.outDir = outDir.toStdString();
        r.rareClass = m_rareClass->currentText().toStdString();
        r.ratio = m_ratio->value() / 100.0;
        r.epochs = epochs;
        work = [this, r, began, epoch](ProgressObserver &p) {
            LessonProgress observer(p, this, began, epoch);
            runImbalanceLesson(r, &observer);
        };
    } else {
        LessonRequest r;
        r.dataset = m_datasetPath.toStdString();
        r.outDir = outDir.toStdString();
        r.fusions.clear();
        for (const QString &f : fusions())
            r.fusions.push_back(f.toStdString());
        r.epochs = epochs;
        work = [this, r, began, epoch](ProgressObserver &p) {
            LessonProgress observer(p, this, began, epoch);
            runLesson(r, &observer);
        };
    }
    if (!m_task->start(work))
        return false;
    m_status->setText(tr("Reading the dataset…"));
    setBusy(true);
    return true;
}

void LessonWindow::stop()
{
    if (!isRunning())
        return;
    m_stopRequested = true; // a stop while the lesson measures its last run ends it normally: still a stop
    m_task->cancel();
    m_status->setText(tr("Stopping: the current run saves a checkpoint and the rest are skipped…"));
}

void LessonWindow::setBusy(bool busy)
{
    m_run->setEnabled(!busy && !m_datasetPath.isEmpty());
    m_stop->setEnabled(busy);
    m_open->setEnabled(!busy);
    m_report->setEnabled(!busy && (m_lesson || m_imbalance));
    for (QCheckBox *b : m_fusionBoxes)
        b->setEnabled(!busy);
    m_epochs->setEnabled(!busy);
    m_rareClass->setEnabled(!busy);
    m_ratio->setEnabled(!busy);
    if (!busy)
        m_progress->setVisible(false);
}

void LessonWindow::beginRun(int index, int count, const QString &name)
{
    reloadFolder(); // the runs finished so far (the lesson file is rewritten after each)
    m_liveRun = index;
    m_status->setText(tr("Training %1 (run %2 of %3)…").arg(m_runningImbalance ? remedyName(name.toStdString()) : name).arg(index + 1).arg(count));
    if (!m_runningImbalance) {
        QCPGraph *g = m_curves->addGraph();
        g->setName(name);
        g->setPen(QPen(colour(index), 2, Qt::DashLine)); // dashed while it trains
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        g->setProperty("live", true);
        m_curves->replot(QCustomPlot::rpQueuedReplot);
    }
    Q_EMIT runBegan(index, count, name);
}

void LessonWindow::addEpoch(int epoch, double valAccuracy)
{
    if (!m_runningImbalance && m_curves->graphCount() > 0) {
        QCPGraph *g = m_curves->graph(m_curves->graphCount() - 1);
        if (g->property("live").toBool()) {
            g->addData(epoch, valAccuracy);
            m_curves->xAxis->setRange(0.5, std::max(m_curves->xAxis->range().upper, epoch + 0.5));
            m_curves->replot(QCustomPlot::rpQueuedReplot);
        }
    }
    Q_EMIT epochPlotted(m_liveRun, epoch, valAccuracy);
}

void LessonWindow::ended(bool ok, bool cancelled, const QString &error)
{
    setBusy(false);
    m_folder = m_runFolder; // the lesson that ran is the one shown
    reloadFolder();
    bool stopped = cancelled || m_stopRequested;
    if (m_lesson)
        for (const LessonRun &r : m_lesson->runs)
            stopped |= r.status == "stopped";
    if (m_imbalance)
        for (const ImbalanceRun &r : m_imbalance->runs)
            stopped |= r.status == "stopped";
    if (!ok && !cancelled)
        m_status->setText(tr("The lesson failed: %1").arg(error));
    else if (stopped)
        m_status->setText(tr("Stopped. The runs that finished are compared below; the stopped run can be resumed from the run history."));
    else
        m_status->setText(tr("Lesson finished. Its runs are in %1 and in the run history.").arg(QDir::toNativeSeparators(m_folder)));
    setBusy(false);
    Q_EMIT lessonFinished(ok || cancelled, stopped, ok || cancelled ? QString() : error);
}

void LessonWindow::reloadFolder()
{
    if (m_folder.isEmpty())
        return;
    QString error;
    if (!openFolder(m_folder, &error) && !isRunning())
        m_status->setText(error);
}

void LessonWindow::clearViews()
{
    m_lesson.reset();
    m_imbalance.reset();
    m_curves->clearGraphs();
    m_curves->clearItems();
    m_contributions->clearPlottables();
    m_recall->clearPlottables();
    m_recall->clearItems();
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_weights->clear();
    m_weights->setRowCount(0);
    m_weights->setColumnCount(0);
    m_imbalanceTable->clear();
    m_imbalanceTable->setRowCount(0);
    m_imbalanceTable->setColumnCount(0);
    m_verdict->clear();
    m_imbalanceVerdict->clear();
    for (QCustomPlot *p : {m_curves, m_contributions, m_recall})
        p->replot();
}

bool LessonWindow::openFolder(const QString &dir, QString *error)
{
    if (isRunning() && QDir(dir) != QDir(m_runFolder)) {
        if (error)
            *error = tr("A lesson is running: stop it before opening another one.");
        return false;
    }
    const std::string d = dir.toStdString();
    const bool fusion = QFileInfo::exists(QDir(dir).filePath(QStringLiteral("lesson.json")));
    const bool imbalance = QFileInfo::exists(QDir(dir).filePath(QStringLiteral("imbalance.json")));
    if (!fusion && !imbalance) {
        if (error)
            *error = tr("%1 holds no lesson (no lesson.json or imbalance.json)").arg(QDir::toNativeSeparators(dir));
        return false;
    }
    try {
        // Read first, so a folder that cannot be read leaves the lesson shown as it was.
        std::unique_ptr<Lesson> lesson = fusion ? std::make_unique<Lesson>(readLesson(d)) : nullptr;
        std::unique_ptr<ImbalanceLesson> imb = imbalance ? std::make_unique<ImbalanceLesson>(readImbalanceLesson(d)) : nullptr;
        if (!isRunning() || m_folder != dir) { // another folder: nothing of the previous one stays (report included)
            const int live = m_liveRun;
            clearViews();
            m_liveRun = live;
        }
        m_lesson = std::move(lesson);
        m_imbalance = std::move(imb);
        if (m_lesson)
            showLesson(*m_lesson);
        if (m_imbalance)
            showImbalance(*m_imbalance);
    } catch (const std::exception &e) {
        if (error)
            *error = translated(messageOf(e));
        return false;
    }
    m_folder = dir;
    if (!isRunning())
        m_tabs->setCurrentIndex(fusion ? 0 : 1);
    setBusy(isRunning());
    return true;
}

QString LessonWindow::verdictText(const Lesson &lesson) const { return translated(fusionVerdict(lesson)); }

void LessonWindow::showLesson(const Lesson &lesson)
{
    // Curves: one per run that validated, in the lesson's order and colours; a run training
    // now keeps its live curve (it is not in lesson.json yet).
    QList<QPair<QString, QVector<QPair<double, double>>>> live;
    for (int i = 0; i < m_curves->graphCount(); ++i)
        if (m_curves->graph(i)->property("live").toBool() && static_cast<std::size_t>(m_liveRun) >= lesson.runs.size()) {
            QVector<QPair<double, double>> points;
            for (auto it = m_curves->graph(i)->data()->constBegin(); it != m_curves->graph(i)->data()->constEnd(); ++it)
                points.append({it->key, it->value});
            live.append({m_curves->graph(i)->name(), points});
        }
    m_curves->clearGraphs();
    double maxEpoch = 1;
    for (std::size_t i = 0; i < lesson.runs.size(); ++i) {
        const LessonRun &r = lesson.runs[i];
        if (r.valAccuracy.empty())
            continue;
        QCPGraph *g = m_curves->addGraph();
        g->setName(runName(r));
        QPen pen(colour(static_cast<int>(i)), static_cast<int>(i) == lesson.best ? 3.5 : 2);
        g->setPen(pen);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        for (std::size_t e = 0; e < r.valAccuracy.size(); ++e)
            g->addData(static_cast<double>(e + 1), r.valAccuracy[e]);
        maxEpoch = std::max(maxEpoch, static_cast<double>(r.valAccuracy.size()));
    }
    for (const auto &[name, points] : live) {
        QCPGraph *g = m_curves->addGraph();
        g->setName(name);
        g->setPen(QPen(colour(m_liveRun), 2, Qt::DashLine));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        g->setProperty("live", true);
        for (const auto &p : points) {
            g->addData(p.first, p.second);
            maxEpoch = std::max(maxEpoch, p.first);
        }
    }
    m_curves->xAxis->setRange(0.5, maxEpoch + 0.5);
    m_curves->yAxis->setRange(0, 1.02);
    m_curves->replot();

    // The table.
    const int C = static_cast<int>(lesson.classes.size());
    QStringList header = {tr("model"), tr("kind"), tr("test accuracy"), tr("macro-F1")};
    for (const std::string &c : lesson.classes)
        header << tr("recall: %1").arg(qs(c));
    header << tr("parameters") << tr("training time") << tr("status");
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    m_table->setRowCount(static_cast<int>(lesson.runs.size()));
    for (int i = 0; i < static_cast<int>(lesson.runs.size()); ++i) {
        const LessonRun &r = lesson.runs[static_cast<std::size_t>(i)];
        int c = 0;
        QString name = runName(r);
        if (i == lesson.best)
            name = tr("★ %1 (best)").arg(name);
        m_table->setItem(i, c++, cell(name));
        m_table->setItem(i, c++, cell(r.kind == "single" ? tr("one modality") : tr("fusion")));
        m_table->setItem(i, c++, cell(r.test ? pct(r.test->accuracy) : QStringLiteral("–"), true));
        m_table->setItem(i, c++, cell(r.test ? pct(r.test->macroF1) : QStringLiteral("–"), true));
        for (int k = 0; k < C; ++k)
            m_table->setItem(i, c++, cell(r.test && k < static_cast<int>(r.test->single.recall.size()) ? pct(r.test->single.recall[static_cast<std::size_t>(k)])
                                                                                                     : QStringLiteral("–"),
                                          true));
        m_table->setItem(i, c++, cell(QLocale().toString(static_cast<qlonglong>(r.parameters)), true));
        m_table->setItem(i, c++, cell(tr("%1 s").arg(std::lround(r.seconds)), true));
        QTableWidgetItem *status = cell(statusName(r.status));
        if (!r.error.empty())
            status->setToolTip(qs(r.error));
        m_table->setItem(i, c++, status);
        for (int k = 0; k < m_table->columnCount(); ++k) {
            QTableWidgetItem *item = m_table->item(i, k);
            item->setForeground(colour(i).darker(130));
            if (i == lesson.best || i == lesson.bestSingle || i == lesson.bestFusion) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            if (i == lesson.best)
                item->setBackground(QColor(255, 245, 200));
        }
    }
    m_table->resizeColumnsToContents();
    m_verdict->setText(verdictText(lesson));

    // What each modality brings to the best fusion: grouped bars, overall then per class.
    m_contributions->clearPlottables();
    if (!m_contributionsGroup)
        m_contributionsGroup = new QCPBarsGroup(m_contributions);
    m_contributionsGroup->clear();
    QCPBarsGroup *group = m_contributionsGroup;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTick(0, tr("overall"));
    for (int k = 0; k < C; ++k)
        ticker->addTick(k + 1, qs(lesson.classes[static_cast<std::size_t>(k)]));
    m_contributions->xAxis->setTicker(ticker);
    m_contributions->xAxis->setTickLabelRotation(C > 6 ? 45 : 0);
    m_contributions->xAxis->setRange(-0.6, C + 0.6);
    const double width = 0.8 / std::max<std::size_t>(1, lesson.contributions.size());
    for (std::size_t j = 0; j < lesson.contributions.size(); ++j) {
        const ModalityContribution &mc = lesson.contributions[j];
        auto *bars = new QCPBars(m_contributions->xAxis, m_contributions->yAxis);
        bars->setName(mc.removed.empty() ? tr("every modality") : tr("without %1").arg(qs(mc.removed)));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        const QColor c = mc.removed.empty() ? QColor(90, 90, 90) : colour(static_cast<int>(j) + 2);
        bars->setPen(QPen(c.darker(120)));
        bars->setBrush(c);
        bars->addData(0, mc.metrics.accuracy);
        for (int k = 0; k < C && k < static_cast<int>(mc.metrics.single.recall.size()); ++k)
            bars->addData(k + 1, mc.metrics.single.recall[static_cast<std::size_t>(k)]);
    }
    m_contributionsTitle->setText(lesson.bestFusion >= 0 && !lesson.contributions.empty()
                                      ? tr("What each modality brings to %1 (test split)").arg(qs(lesson.runs[static_cast<std::size_t>(lesson.bestFusion)].name))
                                      : tr("What each modality brings (after the lesson)"));
    m_contributions->replot();

    // Modality weights of attention and gated fusions, per class.
    m_weights->clear();
    QStringList cols;
    std::vector<std::pair<const FusionWeightsByClass *, std::size_t>> columns;
    for (const LessonRun &r : lesson.runs)
        for (const FusionWeightsByClass &w : r.weights)
            for (std::size_t m = 0; m < w.modalities.size(); ++m) {
                cols << (r.weights.size() > 1 ? tr("%1 (%2): %3").arg(qs(r.name), qs(w.node), qs(w.modalities[m]))
                                               : tr("%1: %2").arg(qs(r.name), qs(w.modalities[m])));
                columns.emplace_back(&w, m);
            }
    m_weights->setVisible(!columns.empty());
    m_weights->setColumnCount(static_cast<int>(columns.size()));
    m_weights->setHorizontalHeaderLabels(cols);
    m_weights->setRowCount(C + 1);
    QStringList rows;
    for (const std::string &c : lesson.classes)
        rows << qs(c);
    rows << tr("all classes");
    m_weights->setVerticalHeaderLabels(rows);
    for (int j = 0; j < static_cast<int>(columns.size()); ++j) {
        const auto &[w, m] = columns[static_cast<std::size_t>(j)];
        for (int k = 0; k <= C; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            const double v = k < C ? (kk < w->perClass.size() && m < w->perClass[kk].size() ? w->perClass[kk][m] : 0.0)
                                   : (m < w->overall.size() ? w->overall[m] : 0.0);
            QTableWidgetItem *item = cell(pct(v), true);
            item->setBackground(QColor::fromHsvF(0.58, std::clamp(v, 0.0, 1.0) * 0.6, 1.0));
            m_weights->setItem(k, j, item);
        }
    }
    m_weights->setToolTip(tr("The weight each fusion gives each modality, averaged over the test samples of each class"));
    m_weights->resizeColumnsToContents();
}

void LessonWindow::showImbalance(const ImbalanceLesson &lesson)
{
    const int C = static_cast<int>(lesson.classes.size());
    const int rare = static_cast<int>(std::find(lesson.classes.begin(), lesson.classes.end(), lesson.rareClass) - lesson.classes.begin());
    m_recall->clearPlottables();
    m_recall->clearItems();
    if (!m_recallGroup)
        m_recallGroup = new QCPBarsGroup(m_recall);
    m_recallGroup->clear();
    QCPBarsGroup *group = m_recallGroup;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int k = 0; k < C; ++k)
        ticker->addTick(k, k == rare ? tr("%1 (rare)").arg(qs(lesson.classes[static_cast<std::size_t>(k)])) : qs(lesson.classes[static_cast<std::size_t>(k)]));
    m_recall->xAxis->setTicker(ticker);
    m_recall->xAxis->setTickLabelRotation(C > 6 ? 45 : 0);
    m_recall->xAxis->setRange(-0.6, C - 0.4);
    if (rare < C) { // the rare class's column stands out
        auto *band = new QCPItemRect(m_recall);
        band->topLeft->setCoords(rare - 0.5, 1.05);
        band->bottomRight->setCoords(rare + 0.5, 0);
        band->setPen(Qt::NoPen);
        band->setBrush(QColor(255, 220, 210));
        band->setLayer(QStringLiteral("background"));
    }
    const double width = 0.8 / std::max<std::size_t>(1, lesson.runs.size());
    for (std::size_t j = 0; j < lesson.runs.size(); ++j) {
        const ImbalanceRun &r = lesson.runs[j];
        auto *bars = new QCPBars(m_recall->xAxis, m_recall->yAxis);
        bars->setName(remedyName(r.remedy));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        bars->setPen(QPen(colour(static_cast<int>(j)).darker(120)));
        bars->setBrush(colour(static_cast<int>(j)));
        if (r.test)
            for (int k = 0; k < C && k < static_cast<int>(r.test->single.recall.size()); ++k)
                bars->addData(k, r.test->single.recall[static_cast<std::size_t>(k)]);
    }
    m_recallTitle->setText(tr("Recall per class on the test split: %1 made %2 of the training split").arg(qs(lesson.rareClass), pct(lesson.ratio)));
    m_recall->replot();

    const QStringList header = {tr("remedy"), tr("macro-F1"), tr("test accuracy"), tr("recall of %1 (rare)").arg(qs(lesson.rareClass)),
                                tr("training samples (rare)"), tr("status")};
    m_imbalanceTable->clear();
    m_imbalanceTable->setColumnCount(header.size());
    m_imbalanceTable->setHorizontalHeaderLabels(header);
    m_imbalanceTable->setRowCount(static_cast<int>(lesson.runs.size()));
    const int best = lesson.bestRun();
    for (int i = 0; i < static_cast<int>(lesson.runs.size()); ++i) {
        const ImbalanceRun &r = lesson.runs[static_cast<std::size_t>(i)];
        m_imbalanceTable->setItem(i, 0, cell(i == best ? tr("★ %1 (best macro-F1)").arg(remedyName(r.remedy)) : remedyName(r.remedy)));
        m_imbalanceTable->setItem(i, 1, cell(r.test ? pct(r.test->macroF1) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 2, cell(r.test ? pct(r.test->accuracy) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 3, cell(r.test ? pct(r.rareRecall) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 4, cell(QStringLiteral("%1 (%2)").arg(r.trainSamples).arg(r.rareTrainSamples), true));
        QTableWidgetItem *status = cell(statusName(r.status));
        if (!r.error.empty())
            status->setToolTip(qs(r.error));
        m_imbalanceTable->setItem(i, 5, status);
        for (int k = 0; k < header.size(); ++k) {
            QTableWidgetItem *item = m_imbalanceTable->item(i, k);
            item->setForeground(colour(i).darker(130));
            if (i == best) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
        }
    }
    m_imbalanceTable->resizeColumnsToContents();
    m_imbalanceVerdict->setText(translated(imbalanceVerdict(lesson)));
}

void LessonWindow::applyPlotFonts()
{
    const double scale = m_presentation ? 1.6 : 1.0;
    QFont f = m_baseFont;
    f.setPointSizeF(m_baseFont.pointSizeF() * scale);
    for (QCustomPlot *p : {m_curves, m_contributions, m_recall}) {
        for (QCPAxis *a : {p->xAxis, p->yAxis}) {
            a->setTickLabelFont(f);
            a->setLabelFont(f);
        }
        p->legend->setFont(f);
        for (int i = 0; i < p->plotLayout()->elementCount(); ++i)
            if (auto *t = qobject_cast<QCPTextElement *>(p->plotLayout()->elementAt(i))) {
                QFont tf = f;
                tf.setBold(true);
                t->setFont(tf);
            }
        p->replot();
    }
}

void LessonWindow::setPresentationMode(bool on)
{
    if (m_presentation == on)
        return;
    m_presentation = on;
    if (m_present->isChecked() != on)
        m_present->setChecked(on);
    QFont f = m_baseFont;
    f.setPointSizeF(m_baseFont.pointSizeF() * (on ? 1.6 : 1.0));
    setFont(f);
    for (QLabel *l : {m_verdict, m_imbalanceVerdict})
        l->setFont(verdictFont(f));
    for (QWidget *w : m_setupWidgets)
        w->setVisible(!on);
    m_fusionText->setMinimumWidth(on ? 480 : 340);
    m_imbalanceText->setMinimumWidth(on ? 480 : 340);
    applyPlotFonts();
    m_table->resizeColumnsToContents();
    m_weights->resizeColumnsToContents();
    m_imbalanceTable->resizeColumnsToContents();
    if (on)
        showFullScreen();
    else if (isFullScreen())
        showNormal();
}

bool LessonWindow::exportReport(const QString &file, QString *error)
{
    if (!m_lesson && !m_imbalance) {
        if (error)
            *error = tr("Nothing to export: run or open a lesson first.");
        return false;
    }
    const QString css = QStringLiteral(
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}"
        "th{background:#eee}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #ddd}"
        ".verdict{font-size:1.25em;font-weight:bold}aside{background:#f6f8fa;border-left:4px solid #4a90d9;padding:0.5em 1em}");
    QString h = QStringLiteral("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"%1\"><head><meta charset=\"utf-8\"/>")
                    .arg(QLocale().name().section(QLatin1Char('_'), 0, 0));
    const QString dataset = qs(m_lesson ? m_lesson->dataset : m_imbalance->dataset);
    const QString title = m_lesson ? tr("Fusion lesson: %1").arg(dataset) : tr("Imbalance lesson: %1").arg(dataset);
    h += QStringLiteral("<title>%1</title><style>%2</style></head><body><h1>%1</h1>").arg(esc(title), css);
    h += QStringLiteral("<p>%1</p>").arg(esc(tr("Made with FuseLab on %1.").arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::LongFormat))));
    const QSize plotSize(1000, 460);
    std::vector<std::string> runDirs;
    if (m_lesson) {
        h += QStringLiteral("<section id=\"verdict\"><p class=\"verdict\">%1</p></section>").arg(esc(verdictText(*m_lesson)));
        h += QStringLiteral("<section id=\"curves\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                 .arg(esc(tr("Validation accuracy per epoch")), pngData(m_curves->toPixmap(plotSize.width(), plotSize.height()).toImage()));
        h += QStringLiteral("<section id=\"results\"><h2>%1</h2>%2</section>").arg(esc(tr("Results on the test split")), htmlTable(m_table, QStringLiteral("results-table")));
        if (!m_lesson->contributions.empty())
            h += QStringLiteral("<section id=\"contributions\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                     .arg(esc(tr("What each modality brings to the best fusion")),
                          pngData(m_contributions->toPixmap(plotSize.width(), plotSize.height()).toImage()));
        if (m_weights->columnCount() > 0)
            h += QStringLiteral("<section id=\"weights\"><h2>%1</h2>%2</section>")
                     .arg(esc(tr("Modality weights per class")), htmlTable(m_weights, QStringLiteral("weights-table")));
        for (const LessonRun &r : m_lesson->runs)
            runDirs.push_back(r.runDir);
        if (m_lesson->best >= 0) {
            try {
                const QImage graph = graphPicture(RunFolder(m_lesson->runs[static_cast<std::size_t>(m_lesson->best)].runDir).readExperiment());
                if (!graph.isNull())
                    h += QStringLiteral("<section id=\"graph\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                             .arg(esc(tr("The best model's graph (%1)").arg(runName(m_lesson->runs[static_cast<std::size_t>(m_lesson->best)]))), pngData(graph));
            } catch (const std::exception &) {
                // the run folder is gone: the report goes without the picture
            }
        }
    }
    if (m_imbalance) {
        h += QStringLiteral("<section id=\"imbalance\"><h2>%1</h2><p class=\"verdict\">%2</p><img alt=\"%1\" src=\"%3\"/>%4</section>")
                 .arg(esc(tr("The imbalance lesson")), esc(m_imbalanceVerdict->text()),
                      pngData(m_recall->toPixmap(plotSize.width(), plotSize.height()).toImage()), htmlTable(m_imbalanceTable, QStringLiteral("imbalance-table")));
        for (const ImbalanceRun &r : m_imbalance->runs)
            runDirs.push_back(r.runDir);
    }
    // Settings: each run's template, training settings and seed.
    h += QStringLiteral("<section id=\"settings\"><h2>%1</h2><p>%2</p><table><thead><tr>").arg(esc(tr("Settings")), esc(tr("Dataset: %1").arg(dataset)));
    for (const QString &c : {tr("run"), tr("epochs"), tr("batch size"), tr("optimizer"), tr("learning rate"), tr("seed"), tr("device")})
        h += QStringLiteral("<th>%1</th>").arg(esc(c));
    h += QStringLiteral("</tr></thead><tbody>");
    for (const std::string &dir : runDirs) {
        try {
            const Experiment e = RunFolder(dir).readExperiment();
            const TrainingSettings &t = e.training;
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td></tr>")
                     .arg(esc(qs(e.name.empty() ? std::filesystem::path(dir).filename().string() : e.name)))
                     .arg(t.epochs)
                     .arg(t.batchSize)
                     .arg(esc(qs(t.optimizer)))
                     .arg(t.learningRate)
                     .arg(static_cast<qulonglong>(t.seed))
                     .arg(esc(qs(t.device)));
        } catch (const std::exception &) {
            // a run that never started (skipped) has no experiment to show
        }
    }
    h += QStringLiteral("</tbody></table></section>");
    h += QStringLiteral("<section id=\"explanation\"><aside>%1</aside></section>")
             .arg(m_lesson ? fusionLessonExplanation() + (m_imbalance ? imbalanceLessonExplanation() : QString()) : imbalanceLessonExplanation());
    h += QStringLiteral("</body></html>\n");
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(h.toUtf8()) < 0 || !out.commit()) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(file), out.errorString());
        return false;
    }
    return true;
}

} // namespace gui
} // namespace fuselab
