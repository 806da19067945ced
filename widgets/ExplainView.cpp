// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ExplainView.h"

#include "core/document/RunFolder.h"
#include "core/project/Services.h"
#include "core/project/Prediction.h"
#include "core/train/Explanation.h"
#include "core/train/Predictor.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

namespace fuselab {
namespace gui {

namespace {

// Blue (0) through cyan, green and yellow to red (1).
QColor heat(double v)
{
    v = std::clamp(v, 0.0, 1.0);
    return QColor::fromHsvF(static_cast<float>((1.0 - v) * 0.66), 1.0f, 1.0f);
}

} // namespace

QImage gradCamOverlay(const InputPicture &picture, const GradCamMap &map)
{
    if (picture.width <= 0 || picture.height <= 0 || picture.pixels.size() < static_cast<std::size_t>(picture.width * picture.height * picture.channels))
        return {};
    QImage out(picture.width, picture.height, QImage::Format_RGB32);
    for (int y = 0; y < picture.height; ++y)
        for (int x = 0; x < picture.width; ++x) {
            const std::uint8_t *p = &picture.pixels[static_cast<std::size_t>((y * picture.width + x) * picture.channels)];
            const int r = p[0], g = picture.channels >= 3 ? p[1] : p[0], b = picture.channels >= 3 ? p[2] : p[0];
            double v = 0;
            if (map.width > 0 && map.height > 0) {
                const int my = std::min(map.height - 1, y * map.height / picture.height), mx = std::min(map.width - 1, x * map.width / picture.width);
                v = map.values[static_cast<std::size_t>(my * map.width + mx)];
            }
            const QColor h = heat(v);
            const double a = 0.5;
            out.setPixel(x, y, qRgb(static_cast<int>((1 - a) * r + a * h.red()), static_cast<int>((1 - a) * g + a * h.green()),
                                    static_cast<int>((1 - a) * b + a * h.blue())));
        }
    return out;
}

QImage occlusionPicture(const OcclusionMap &map, int pixelsPerMel, int pixelsPerFrame)
{
    if (map.mels <= 0 || map.frames <= 0 || map.logMel.size() < static_cast<std::size_t>(map.mels * map.frames))
        return {};
    const auto [lo, hi] = std::minmax_element(map.logMel.begin(), map.logMel.end());
    float top = 0;
    for (float v : map.values)
        top = std::max(top, std::abs(v));
    QImage out(map.frames * pixelsPerFrame, map.mels * pixelsPerMel, QImage::Format_RGB32);
    for (int m = 0; m < map.mels; ++m)
        for (int f = 0; f < map.frames; ++f) {
            const float x = map.logMel[static_cast<std::size_t>(m * map.frames + f)];
            const int grey = *hi > *lo ? static_cast<int>(255 * (x - *lo) / (*hi - *lo)) : 0;
            const int band = std::min(map.bands - 1, m * map.bands / map.mels), seg = std::min(map.segments - 1, f * map.segments / map.frames);
            const float v = map.values.empty() || top <= 0 ? 0.f : map.values[static_cast<std::size_t>(band * map.segments + seg)] / top;
            const double a = 0.6 * std::abs(v);
            const QColor tint = v >= 0 ? QColor(230, 30, 30) : QColor(30, 90, 230);
            const QRgb px = qRgb(static_cast<int>((1 - a) * grey + a * tint.red()), static_cast<int>((1 - a) * grey + a * tint.green()),
                                 static_cast<int>((1 - a) * grey + a * tint.blue()));
            for (int dy = 0; dy < pixelsPerMel; ++dy)
                for (int dx = 0; dx < pixelsPerFrame; ++dx) // low mel bands at the bottom
                    out.setPixel(f * pixelsPerFrame + dx, (map.mels - 1 - m) * pixelsPerMel + dy, px);
        }
    return out;
}

QString tokenHtml(const TokenImportance &t)
{
    float top = 0;
    for (float v : t.importance)
        top = std::max(top, std::abs(v));
    QString h;
    for (std::size_t i = 0; i < t.tokens.size() && i < t.importance.size(); ++i) {
        const float v = top > 0 ? t.importance[i] / top : 0.f;
        const QColor c = v >= 0 ? QColor::fromHsvF(0.33f, 0.7f * v, 1.0f) : QColor::fromHsvF(0.0f, -0.7f * v, 1.0f);
        h += QStringLiteral("<span style=\"background-color:%1\">&nbsp;%2&nbsp;<sub>%3</sub></span> ")
                 .arg(c.name(), qs(t.tokens[i]).toHtmlEscaped(), QString::number(100.0 * t.importance[i], 'f', 1));
    }
    return h;
}

ExplainView::ExplainView(QWidget *parent)
    : QWidget(parent, Qt::Window), m_header(new QLabel), m_text(nullptr), m_weights(new QLabel), m_target(new QComboBox),
      m_probabilities(new QCustomPlot), m_details(new QWidget), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("explainView"));
    setWindowTitle(tr("Why this prediction? — FuseLab"));
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    m_weights->setWordWrap(true);
    m_probabilities->setMinimumHeight(160);
    m_probabilities->setMaximumHeight(260);
    auto *targetRow = new QHBoxLayout;
    targetRow->addWidget(new QLabel(tr("Explain the class:")));
    targetRow->addWidget(m_target, 1);
    m_detailsLayout = new QVBoxLayout(m_details);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_details);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addLayout(targetRow);
    layout->addWidget(m_probabilities);
    layout->addWidget(m_weights);
    layout->addWidget(scroll, 1);
    connect(m_target, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!m_filling && m_compute && i >= 0 && !isRunning())
            start(i);
    });
    connect(m_task, &BackgroundTask::finished, this, [this](bool ok, bool, const QString &error) {
        if (ok)
            showResult();
        else
            m_header->setText(tr("Could not explain %1: %2").arg(m_what, error.toHtmlEscaped()));
        Q_EMIT explained(ok, ok ? QString() : error);
    });
    resize(900, 820);
}

ExplainView::~ExplainView() = default;

bool ExplainView::isRunning() const { return m_task->isRunning(); }

QList<QLabel *> ExplainView::pictures() const { return m_details->findChildren<QLabel *>(QStringLiteral("explainPicture")); }

bool ExplainView::explain(const QString &runDir, qint64 row, int target)
{
    if (isRunning())
        return false;
    m_run = runDir;
    m_row = row;
    m_what = tr("sample %1").arg(row);
    const std::string dir = runDir.toStdString();
    m_compute = [dir, row](ProgressObserver &p, int t) {
        const RunRecord record = ensureRunCache(RunFolder(dir), &p);
        return explainSample(dir, record.cache, row, t, "cpu");
    };
    return start(target);
}

bool ExplainView::explainFiles(const QString &runDir, const QStringList &files, const QStringList &texts, int target)
{
    if (isRunning())
        return false;
    m_run = runDir;
    m_row = -1;
    m_what = tr("your sample");
    const std::string dir = runDir.toStdString();
    std::vector<std::string> f, t;
    for (const QString &x : files)
        f.push_back(x.toStdString());
    for (const QString &x : texts)
        t.push_back(x.toStdString());
    m_compute = [dir, f, t](ProgressObserver &p, int target) {
        const RunRecord record = ensureRunCache(RunFolder(dir), &p);
        const Predictor predictor(dir, "cpu", record.cache);
        return predictor.explain(combinedSample(predictor.columns(), f, t).fields, target);
    };
    return start(target);
}

bool ExplainView::start(int target)
{
    try {
        const RunFolder run(m_run.toStdString());
        const Experiment e = run.readExperiment();
        m_classes.clear();
        for (const auto &c : e.dataset.classes)
            m_classes << qs(c);
        m_columns.clear();
        for (const auto &c : e.dataset.modalities)
            m_columns << qs(c.name);
    } catch (const std::exception &e) {
        m_header->setText(tr("Could not explain %1: %2").arg(m_what, translated(messageOf(e)).toHtmlEscaped()));
        return false;
    }
    m_header->setText(tr("Explaining %1 with %2…").arg(m_what, QDir::toNativeSeparators(m_run).toHtmlEscaped()));
    clearDetails();
    auto result = std::make_shared<SampleExplanation>();
    m_result.reset();
    const auto compute = m_compute;
    const bool started = m_task->start([result, compute, target](ProgressObserver &p) { *result = compute(p, target); });
    if (started)
        m_pending = result;
    return started;
}

void ExplainView::clearDetails()
{
    std::function<void(QLayout *)> empty = [&](QLayout *layout) {
        while (QLayoutItem *item = layout->takeAt(0)) {
            if (item->widget())
                item->widget()->deleteLater();
            if (item->layout())
                empty(item->layout());
            delete item;
        }
    };
    empty(m_detailsLayout);
    m_text = nullptr;
    m_weights->clear();
    m_probabilities->clearPlottables();
    m_probabilities->replot();
}

void ExplainView::showResult()
{
    m_result = m_pending;
    if (!m_result)
        return;
    const SampleExplanation &ex = *m_result;
    auto className = [this](int c) { return c >= 0 && c < m_classes.size() ? m_classes[c] : QStringLiteral("?"); };
    const double p = ex.predicted >= 0 && ex.predicted < static_cast<int>(ex.probabilities.size()) ? ex.probabilities[static_cast<std::size_t>(ex.predicted)] : 0;
    QString head = ex.row >= 0 ? tr("<b>Sample %1</b>: labelled <b>%2</b>, predicted <b>%3</b> (%4%).")
                                     .arg(ex.row)
                                     .arg(ex.label >= 0 ? className(ex.label).toHtmlEscaped() : tr("(no label)"), className(ex.predicted).toHtmlEscaped())
                                     .arg(100 * p, 0, 'f', 1)
                               : tr("<b>Your sample</b>: predicted <b>%1</b> (%2%).").arg(className(ex.predicted).toHtmlEscaped()).arg(100 * p, 0, 'f', 1);
    head += QLatin1Char(' ') + tr("Below: what speaks for <b>%1</b>.").arg(className(ex.target).toHtmlEscaped());
    m_header->setText(head);
    m_filling = true;
    m_target->clear();
    m_target->addItems(m_classes);
    m_target->setCurrentIndex(ex.target);
    m_filling = false;

    // Probabilities as bars, the explained class darker.
    m_probabilities->clearPlottables();
    auto *bars = new QCPBars(m_probabilities->xAxis, m_probabilities->yAxis);
    auto *target = new QCPBars(m_probabilities->xAxis, m_probabilities->yAxis);
    bars->setBrush(QColor(120, 160, 220));
    bars->setPen(Qt::NoPen);
    target->setBrush(QColor(30, 80, 170));
    target->setPen(Qt::NoPen);
    bars->setName(tr("probability"));
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int c = 0; c < static_cast<int>(ex.probabilities.size()); ++c) {
        ticker->addTick(c, className(c));
        (c == ex.target ? target : bars)->addData(c, ex.probabilities[static_cast<std::size_t>(c)]);
    }
    m_probabilities->xAxis->setTicker(ticker);
    m_probabilities->xAxis->setTickLabelRotation(ex.probabilities.size() > 6 ? 45 : 0);
    m_probabilities->xAxis->setRange(-0.6, static_cast<double>(ex.probabilities.size()) - 0.4);
    m_probabilities->yAxis->setRange(0, 1.02);
    m_probabilities->yAxis->setLabel(tr("probability"));
    m_probabilities->replot();

    QStringList weights;
    for (const ModalityWeights &w : ex.weights) {
        QStringList parts;
        for (std::size_t i = 0; i < w.modalities.size() && i < w.weights.size(); ++i)
            parts << QStringLiteral("%1 %2%").arg(qs(w.modalities[i])).arg(100.0 * w.weights[i], 0, 'f', 1);
        const QString kind = w.kind == "attention" ? tr("attention") : w.kind == "gated" ? tr("gated") : w.kind == "late" ? tr("late") : qs(w.kind);
        weights << tr("The %1 fusion (%2) weighs the modalities: %3.").arg(kind, qs(w.node), parts.join(QStringLiteral(", ")));
    }
    for (const ModalityEffect &m : ex.without)
        weights << tr("Without %1: %2 %3% (predicted: %4).")
                       .arg(qs(m.modality), className(ex.target))
                       .arg(100.0 * m.probability, 0, 'f', 1)
                       .arg(className(m.predicted));
    m_weights->setText(weights.join(QLatin1Char('\n')));
    m_weights->setVisible(!weights.isEmpty());

    auto section = [this](const QString &title, const QString &note) {
        auto *t = new QLabel(QStringLiteral("<b>%1</b><br>%2").arg(title.toHtmlEscaped(), note.toHtmlEscaped()), m_details);
        t->setWordWrap(true);
        m_detailsLayout->addWidget(t);
    };
    auto picture = [this](const QImage &image, int minWidth) {
        auto *l = new QLabel(m_details);
        l->setObjectName(QStringLiteral("explainPicture"));
        QImage shown = image;
        if (shown.width() < minWidth)
            shown = shown.scaled(minWidth, shown.height() * minWidth / std::max(1, shown.width()), Qt::KeepAspectRatio, Qt::FastTransformation);
        l->setPixmap(QPixmap::fromImage(shown));
        return l;
    };
    for (const GradCamMap &m : ex.maps) {
        const auto pic = std::find_if(ex.pictures.begin(), ex.pictures.end(), [&](const InputPicture &p) { return p.column == m.column; });
        if (pic == ex.pictures.end())
            continue;
        section(tr("Grad-CAM of %1").arg(qs(m.node)), tr("Where the image speaks for the class: red most, blue least (left: the image as the model saw it)."));
        auto *row = new QHBoxLayout;
        QImage plain(pic->width, pic->height, QImage::Format_RGB32);
        for (int y = 0; y < pic->height; ++y)
            for (int x = 0; x < pic->width; ++x) {
                const std::uint8_t *px = &pic->pixels[static_cast<std::size_t>((y * pic->width + x) * pic->channels)];
                plain.setPixel(x, y, pic->channels >= 3 ? qRgb(px[0], px[1], px[2]) : qRgb(px[0], px[0], px[0]));
            }
        row->addWidget(picture(plain, 256));
        row->addWidget(picture(gradCamOverlay(*pic, m), 256));
        row->addStretch(1);
        m_detailsLayout->addLayout(row);
    }
    for (const OcclusionMap &m : ex.audio) {
        section(tr("Occlusion over the log-mel of %1").arg(m.column >= 0 && m.column < m_columns.size() ? m_columns[m.column] : tr("the audio")),
                tr("Each cell (frequency band × time) replaced in turn by the clip's background: red where that lowered the class's probability, "
                   "blue where it raised it. Low frequencies at the bottom, time to the right."));
        m_detailsLayout->addWidget(picture(occlusionPicture(m), 0));
    }
    for (const TokenImportance &t : ex.text) {
        section(tr("Token importance"), tr("Each token left out in turn: green tokens speak for the class, red ones against it (the number: "
                                           "points of probability lost without it)."));
        auto *l = new QLabel(tokenHtml(t), m_details);
        l->setWordWrap(true);
        l->setTextFormat(Qt::RichText);
        m_text = l;
        m_detailsLayout->addWidget(l);
    }
    if (ex.maps.empty() && ex.audio.empty() && ex.text.empty())
        section(tr("Nothing to show"), tr("This model reads no input FuseLab can explain for this sample."));
    m_detailsLayout->addStretch(1);
}

} // namespace gui
} // namespace fuselab
