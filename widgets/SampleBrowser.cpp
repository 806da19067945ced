// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/SampleBrowser.h"

#include "core/project/Preview.h"
#include "widgets/GuiText.h"
#include "widgets/ThreadHandoff.h"

#include <QComboBox>
#include <QPushButton>
#include <QUrl>
#ifdef FUSELAB_WITH_MULTIMEDIA
#include <QAudioOutput>
#include <QMediaPlayer>
#endif
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QPainter>
#include <QPointer>
#include <QStyle>
#include <QRunnable>
#include <QVBoxLayout>

#include <cmath>

namespace fuselab {
namespace gui {

QImage previewImage(const Dataset &d, std::size_t sample, std::size_t column, int size, QString *text)
{
    const FieldPreview p = previewField(d, sample, column, size);
    if (!p.error.empty() && text)
        *text = translated(p.error);
    switch (p.kind) {
    case Modality::Image: {
        if (p.rgb.empty())
            return {};
        QImage img(p.rgb.data(), p.width, p.height, p.width * 3, QImage::Format_RGB888);
        return img.copy(); // own the pixels
    }
    case Modality::Text:
        if (text && p.error.empty())
            *text = QString::fromStdString(p.text);
        return {};
    case Modality::Audio: {
        if (p.samples.empty())
            return {};
        if (text)
            *text = SampleBrowser::tr("%1 s of audio").arg(p.seconds, 0, 'f', 2);
        return audioPicture(p.samples, {}, 0, 0, size * 2, size);
    }
    }
    return {};
}

namespace {

// The column a thumbnail shows: the first image, else the first audio, else the first text.
int pictureColumn(const Dataset &d)
{
    for (Modality m : {Modality::Image, Modality::Audio, Modality::Text})
        if (int c = d.columnIndex(m); c >= 0)
            return c;
    return -1;
}

} // namespace

QImage audioPicture(const std::vector<float> &samples, const std::vector<float> &logMel, int melBins, int melFrames, int width, int waveH)
{
    const int specH = melBins > 0 ? 2 * melBins : 0;
    QImage img(width, waveH + specH, QImage::Format_RGB32);
    img.fill(QColor(0xf7, 0xf7, 0xf7));
    QPainter painter(&img);
    painter.setPen(QColor(0xe1, 0x57, 0x59));
    const std::size_t n = samples.size();
    float peak = 1e-6f;
    for (float v : samples)
        peak = std::max(peak, std::abs(v));
    for (int x = 0; x < width && n > 0; ++x) {
        const std::size_t a = n * static_cast<std::size_t>(x) / static_cast<std::size_t>(width);
        const std::size_t b = std::max(a + 1, n * static_cast<std::size_t>(x + 1) / static_cast<std::size_t>(width));
        float lo = 0, hi = 0;
        for (std::size_t i = a; i < b && i < n; ++i) {
            lo = std::min(lo, samples[i]);
            hi = std::max(hi, samples[i]);
        }
        painter.drawLine(x, waveH / 2 - static_cast<int>(hi / peak * (waveH / 2 - 2)), x, waveH / 2 - static_cast<int>(lo / peak * (waveH / 2 - 2)));
    }
    painter.end();
    if (specH > 0 && melFrames > 0) {
        float lo = logMel.empty() ? 0 : logMel[0], hi = lo;
        for (float v : logMel) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        lo = std::max(lo, hi - 12.0f); // about 50 dB of range
        for (int y = 0; y < specH; ++y) {
            const int bin = melBins - 1 - y / 2;
            for (int x = 0; x < width; ++x) {
                const int frame = x * melFrames / width;
                const float v = (logMel[static_cast<std::size_t>(bin * melFrames + frame)] - lo) / std::max(1e-6f, hi - lo);
                const float t = std::clamp(v, 0.0f, 1.0f);
                // dark blue -> orange -> pale yellow
                const int r = static_cast<int>(255 * std::min(1.0f, 1.6f * t));
                const int g = static_cast<int>(255 * std::clamp(1.6f * t - 0.45f, 0.0f, 1.0f));
                const int b = static_cast<int>(255 * std::clamp(0.45f - 0.45f * t + std::max(0.0f, 2.5f * t - 1.7f), 0.0f, 1.0f));
                img.setPixel(x, waveH + y, qRgb(r, g, b));
            }
        }
    }
    return img;
}

SampleModel::SampleModel(QObject *parent) : QAbstractListModel(parent), m_pixmaps(4000), m_generation(std::make_shared<std::atomic<int>>(0))
{
    m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
}

SampleModel::~SampleModel()
{
    ++*m_generation;
    m_pool.clear();
    m_pool.waitForDone();
}

void SampleModel::setDataset(std::shared_ptr<const Dataset> dataset)
{
    beginResetModel();
    ++*m_generation;
    m_pool.clear();
    m_dataset = std::move(dataset);
    m_pixmaps.clear();
    m_tips.clear();
    m_pending.clear();
    m_rows.clear();
    if (m_dataset)
        for (std::size_t i = 0; i < m_dataset->samples.size(); ++i)
            m_rows.push_back(i);
    endResetModel();
}

void SampleModel::setFilter(int classIndex, int split, int modality)
{
    beginResetModel();
    m_rows.clear();
    m_notes.clear();
    if (m_dataset) {
        const Dataset &d = *m_dataset;
        for (std::size_t i = 0; i < d.samples.size(); ++i) {
            const Sample &s = d.samples[i];
            if (split >= 0 && static_cast<int>(s.split) != split)
                continue;
            if (modality >= 0 && !s.fields[static_cast<std::size_t>(modality)].present)
                continue;
            if (classIndex >= 0) {
                bool has = false;
                forEachClass(d, s, [&](int c) { has |= c == classIndex; });
                if (!has)
                    continue;
            }
            m_rows.push_back(i);
        }
    }
    endResetModel();
}

void SampleModel::setSamples(const std::vector<std::size_t> &samples, const QStringList &notes)
{
    beginResetModel();
    m_rows.clear();
    m_notes.clear();
    if (m_dataset)
        for (std::size_t k = 0; k < samples.size(); ++k)
            if (samples[k] < m_dataset->samples.size()) {
                m_rows.push_back(samples[k]);
                m_notes << notes.value(static_cast<int>(k));
            }
    endResetModel();
}

int SampleModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : static_cast<int>(m_rows.size()); }

QVariant SampleModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_dataset || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const std::size_t sample = m_rows[static_cast<std::size_t>(index.row())];
    const Dataset &d = *m_dataset;
    const Sample &s = d.samples[sample];
    if (role == Qt::DisplayRole) {
        QStringList classes;
        forEachClass(d, s, [&](int c) { classes << qs(d.classes[static_cast<std::size_t>(c)]); });
        return classes.join(QStringLiteral(", "));
    }
    if (role == Qt::ToolTipRole) {
        const QString tip = m_tips.value(sample);
        const QString note = noteAt(index.row());
        return qs(s.id) + (note.isEmpty() ? QString() : QStringLiteral("\n") + note) + (tip.isEmpty() ? QString() : QStringLiteral("\n") + tip);
    }
    if (role != Qt::DecorationRole)
        return {};
    if (QPixmap *p = m_pixmaps.object(sample))
        return *p;
    if (!m_pending.contains(sample)) {
        m_pending.insert(sample);
        const int column = pictureColumn(d);
        std::shared_ptr<const Dataset> dataset = m_dataset;
        QPointer<SampleModel> self(const_cast<SampleModel *>(this));
        const std::shared_ptr<std::atomic<int>> generation = m_generation;
        const int expected = generation->load();
        // The job, captures included, is complete before the pool sees it (ThreadHandoff.h).
        QRunnable *job = QRunnable::create([dataset, sample, column, self, generation, expected] {
            handoffAcquire();
            if (generation->load() != expected || column < 0)
                return;
            QString text;
            const QImage img = previewImage(*dataset, sample, static_cast<std::size_t>(column), kThumb, &text);
            handoffRelease();
            QMetaObject::invokeMethod(
                self, [self, sample, img, text, generation, expected] {
                    if (self && generation->load() == expected)
                        self->decoded(sample, img.isNull() ? QPixmap() : QPixmap::fromImage(img), text);
                },
                Qt::QueuedConnection);
        });
        handoffRelease();
        m_pool.start(job);
    }
    QPixmap blank(kThumb, kThumb);
    blank.fill(QColor(0xe8, 0xe8, 0xe8));
    return blank;
}

void SampleModel::decoded(std::size_t sample, const QPixmap &pixmap, const QString &tip)
{
    m_pending.remove(sample);
    QPixmap shown = pixmap;
    if (shown.isNull()) { // text, or an unreadable file: a card with the start of the text
        shown = QPixmap(kThumb, kThumb);
        shown.fill(Qt::white);
        QPainter p(&shown);
        p.setPen(QColor(0x33, 0x33, 0x33));
        QFont f = p.font();
        f.setPointSizeF(f.pointSizeF() * 0.75);
        p.setFont(f);
        p.drawText(shown.rect().adjusted(3, 3, -3, -3), Qt::TextWordWrap, tip.left(120));
    }
    m_pixmaps.insert(sample, new QPixmap(shown));
    if (!tip.isEmpty())
        m_tips.insert(sample, tip);
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), sample);
    if (it != m_rows.end() && *it == sample) {
        const QModelIndex i = index(static_cast<int>(it - m_rows.begin()));
        Q_EMIT dataChanged(i, i, {Qt::DecorationRole, Qt::ToolTipRole});
    }
}

SampleBrowser::SampleBrowser(QWidget *parent)
    : QWidget(parent), m_model(new SampleModel(this)), m_view(new QListView(this)), m_class(new QComboBox(this)),
      m_split(new QComboBox(this)), m_modality(new QComboBox(this)), m_detail(new QLabel(this)), m_count(new QLabel(this)),
      m_picture(new QLabel(this)), m_play(new QPushButton(tr("Play"), this)), m_showAll(new QPushButton(tr("Show all"), this)),
      m_explain(new QPushButton(tr("Why this prediction?"), this))
{
    m_explain->setObjectName(QStringLiteral("explainSample"));
    m_explain->setToolTip(tr("What the trained model looks at in this sample: Grad-CAM over images, occlusion over audio, each word's weight"));
    m_explain->setVisible(false);
    connect(m_explain, &QPushButton::clicked, this, [this] {
        const QModelIndex index = m_view->currentIndex();
        if (index.isValid())
            Q_EMIT explainRequested(static_cast<qint64>(m_model->sampleAt(index.row())));
    });
    m_picture->setObjectName(QStringLiteral("samplePicture"));
    m_play->setObjectName(QStringLiteral("playAudio"));
    m_play->setVisible(false);
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    connect(m_play, &QPushButton::clicked, this, [this] {
#ifdef FUSELAB_WITH_MULTIMEDIA
        if (!m_player) {
            auto *player = new QMediaPlayer(this);
            player->setAudioOutput(new QAudioOutput(player));
            m_player = player;
        }
        auto *player = static_cast<QMediaPlayer *>(m_player);
        player->setSource(QUrl::fromLocalFile(m_audioPath));
        player->play();
#endif
    });
    setObjectName(QStringLiteral("sampleBrowser"));
    m_view->setModel(m_model);
    m_view->setViewMode(QListView::IconMode);
    m_view->setUniformItemSizes(true); // 70,000 samples: no per-item layout pass
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setIconSize(QSize(SampleModel::kThumb, SampleModel::kThumb));
    m_view->setGridSize(QSize(SampleModel::kThumb + 14, SampleModel::kThumb + 22));
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(500);
    m_detail->setWordWrap(true);
    m_detail->setMinimumHeight(40);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_class, 1);
    filters->addWidget(m_split);
    filters->addWidget(m_modality);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 4, 0, 0);
    v->addLayout(filters);
    auto *countRow = new QHBoxLayout;
    countRow->addWidget(m_count, 1);
    countRow->addWidget(m_showAll);
    v->addLayout(countRow);
    v->addWidget(m_view, 1);
    auto *pictureRow = new QHBoxLayout;
    pictureRow->addWidget(m_picture);
    pictureRow->addWidget(m_play, 0, Qt::AlignTop);
    pictureRow->addWidget(m_explain, 0, Qt::AlignTop);
    pictureRow->addStretch(1);
    v->addLayout(pictureRow);
    v->addWidget(m_detail);
    for (QComboBox *c : {m_class, m_split, m_modality})
        connect(c, &QComboBox::currentIndexChanged, this, &SampleBrowser::applyFilter);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &SampleBrowser::showSample);
    m_showAll->setObjectName(QStringLiteral("showAllSamples"));
    m_showAll->setVisible(false);
    connect(m_showAll, &QPushButton::clicked, this, &SampleBrowser::applyFilter);
}

void SampleBrowser::showSamples(const std::vector<std::size_t> &samples, const QString &caption, const QStringList &notes)
{
    m_model->setSamples(samples, notes);
    m_count->setText(caption);
    m_showAll->setVisible(true);
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0));
}

void SampleBrowser::setDataset(std::shared_ptr<const Dataset> dataset)
{
    for (QComboBox *c : {m_class, m_split, m_modality}) {
        const QSignalBlocker block(c);
        c->clear();
    }
    {
        const QSignalBlocker b1(m_class), b2(m_split), b3(m_modality);
        m_class->addItem(tr("All classes"), -1);
        m_split->addItem(tr("All splits"), -1);
        m_split->addItem(tr("train"), static_cast<int>(Split::Train));
        m_split->addItem(tr("validation"), static_cast<int>(Split::Val));
        m_split->addItem(tr("test"), static_cast<int>(Split::Test));
        m_modality->addItem(tr("Any modality"), -1);
        if (dataset) {
            for (std::size_t c = 0; c < dataset->classes.size(); ++c)
                m_class->addItem(qs(dataset->classes[c]), static_cast<int>(c));
            for (std::size_t m = 0; m < dataset->columns.size(); ++m)
                m_modality->addItem(tr("with %1").arg(qs(dataset->columns[m].name)), static_cast<int>(m));
        }
    }
    m_model->setDataset(std::move(dataset));
    m_detail->clear();
    m_picture->clear();
    m_play->setVisible(false);
    applyFilter();
}

void SampleBrowser::applyFilter()
{
    m_showAll->setVisible(false);
    m_model->setFilter(m_class->currentData().toInt(), m_split->currentData().toInt(), m_modality->currentData().toInt());
    m_count->setText(tr("%1 samples").arg(QLocale().toString(m_model->rowCount())));
}

void SampleBrowser::showSample(const QModelIndex &index)
{
    const Dataset *d = m_model->dataset();
    if (!index.isValid() || !d)
        return;
    const std::size_t sample = m_model->sampleAt(index.row());
    // The first image at a larger size, or the first audio's waveform and spectrogram.
    m_picture->clear();
    m_play->setVisible(false);
    m_explain->setVisible(m_explainable);
    for (std::size_t m = 0; m < d->columns.size(); ++m) {
        if (!d->samples[sample].fields[m].present)
            continue;
        if (d->columns[m].kind == Modality::Image) {
            QString unused;
            m_picture->setPixmap(QPixmap::fromImage(previewImage(*d, sample, m, 160, &unused)));
            break;
        }
        if (d->columns[m].kind == Modality::Audio) {
            const FieldPreview p = previewField(*d, sample, m, 8, true);
            if (!p.samples.empty()) {
                m_picture->setPixmap(QPixmap::fromImage(audioPicture(p.samples, p.logMel, p.melBins, p.melFrames, 240)));
                m_audioPath = qs(p.path);
#ifdef FUSELAB_WITH_MULTIMEDIA
                m_play->setVisible(true);
#endif
            }
            break;
        }
    }
    QStringList parts{QStringLiteral("<b>%1</b> — %2").arg(qs(d->samples[sample].id).toHtmlEscaped(), index.data().toString().toHtmlEscaped())};
    for (std::size_t m = 0; m < d->columns.size(); ++m) {
        const Field &f = d->samples[sample].fields[m];
        QString text;
        if (!f.present)
            text = tr("missing");
        else if (d->columns[m].kind == Modality::Text)
            previewImage(*d, sample, m, 8, &text);
        else
            text = f.blobIndex >= 0 ? tr("image %1 of %2").arg(f.blobIndex).arg(qs(d->blob ? d->blob->sourceFile : std::string()))
                                    : qs(f.value);
        parts << QStringLiteral("%1: %2").arg(qs(d->columns[m].name).toHtmlEscaped(), text.toHtmlEscaped());
    }
    if (const QString note = m_model->noteAt(index.row()); !note.isEmpty())
        parts.prepend(QStringLiteral("<b>%1</b>").arg(note.toHtmlEscaped()));
    m_detail->setText(parts.join(QStringLiteral("<br>")));
}

void SampleBrowser::setExplainable(bool on)
{
    m_explainable = on;
    m_explain->setVisible(on && m_view->currentIndex().isValid());
}

} // namespace gui
} // namespace fuselab
