// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>
#include <QSet>
#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QListView;
class QPushButton;

namespace fuselab {
namespace gui {

// The samples of a dataset as a list model: one row per sample passing the filter, its
// picture decoded lazily (only for rows a view asks about) on a thread pool and cached.
class SampleModel final : public QAbstractListModel {
    Q_OBJECT
public:
    explicit SampleModel(QObject *parent = nullptr);
    ~SampleModel() override;
    void setDataset(std::shared_ptr<const Dataset> dataset);
    // class < 0: every class; split < 0: every split; modality < 0: any, else samples that have it.
    void setFilter(int classIndex, int split, int modality);
    // Exactly these samples, in this order (a confusion-matrix cell's samples).
    void setSamples(const std::vector<std::size_t> &samples, const QStringList &notes = {});
    // A note shown with a sample chosen by setSamples (the model's top answers), or "".
    QString noteAt(int row) const { return row >= 0 && row < m_notes.size() ? m_notes[row] : QString(); }
    std::size_t sampleAt(int row) const { return m_rows[static_cast<std::size_t>(row)]; }
    const Dataset *dataset() const { return m_dataset.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

    static constexpr int kThumb = 72;

private:
    void decoded(std::size_t sample, const QPixmap &pixmap, const QString &tip);
    std::shared_ptr<const Dataset> m_dataset;
    std::vector<std::size_t> m_rows;
    QStringList m_notes; // parallel to m_rows after setSamples, empty after setFilter
    mutable QCache<quint64, QPixmap> m_pixmaps;
    mutable QHash<quint64, QString> m_tips;
    mutable QSet<quint64> m_pending;
    mutable QThreadPool m_pool;
    // Bumped on every new dataset (GUI thread), read by the decoding jobs: stale results are dropped.
    std::shared_ptr<std::atomic<int>> m_generation;
};

// Thumbnails (images; a waveform for audio-only data; the text for text-only data) with
// filters by class, split and modality, and the selected sample in full below.
class SampleBrowser final : public QWidget {
    Q_OBJECT
public:
    explicit SampleBrowser(QWidget *parent = nullptr);
    void setDataset(std::shared_ptr<const Dataset> dataset);
    SampleModel *model() const { return m_model; }
    // Shows exactly `samples` under `caption` until the user picks a filter or "Show all".
    void showSamples(const std::vector<std::size_t> &samples, const QString &caption, const QStringList &notes = {});
    QListView *view() const { return m_view; }
    // Whether "Why this prediction?" is offered (a trained run of this dataset exists).
    void setExplainable(bool on);
    QPushButton *explainButton() const { return m_explain; }

Q_SIGNALS:
    // "Why this prediction?" for the dataset's sample `sample` (its row in the run's cache).
    void explainRequested(qint64 sample);

private:
    void applyFilter();
    void showSample(const QModelIndex &index);
    SampleModel *m_model;
    QListView *m_view;
    QComboBox *m_class, *m_split, *m_modality;
    QLabel *m_detail, *m_count, *m_picture;
    QPushButton *m_play, *m_showAll, *m_explain;
    bool m_explainable = false;
    QString m_audioPath;
    QObject *m_player = nullptr; // created on the first Play (no audio device is touched before)
};

// An audio clip's waveform (waveHeight pixels) above its log-mel spectrogram, when given (two
// pixel rows per mel band, low frequencies at the bottom). Thread-safe.
QImage audioPicture(const std::vector<float> &samples, const std::vector<float> &logMel, int melBins, int melFrames, int width,
                    int waveHeight = 48);

// A picture of one field: the image, a waveform, or nothing (text). Thread-safe.
QImage previewImage(const Dataset &dataset, std::size_t sample, std::size_t column, int size, QString *text);

} // namespace gui
} // namespace fuselab
