// SPDX-License-Identifier: GPL-3.0-or-later
// The dataset panel and sample browser: a dataset dropped on the window, the class chart,
// audio samples, 70,000 samples browsed, skipped files in English and Chinese, Cancel.
#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Services.h"
#include "core/model/BlockCatalogue.h"
#include "tests/support/GuiTest.h"
#include "tests/support/TestFiles.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExportDialog.h"
#include "core/formats/Safetensors.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphItems.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/LogPanel.h"
#include "widgets/MainWindow.h"
#include "widgets/PropertiesPanel.h"
#include "widgets/PredictPanel.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/RunComparison.h"
#include "widgets/SampleBrowser.h"
#include "widgets/training/TrainingPanel.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QMessageBox>
#include <QThread>
#include <QTimer>
#include <QTest>
#include <QTranslator>
#include <QTreeWidget>

#include <cmath>
#include <map>

using namespace fuselab;
using namespace fuselab::gui;
using namespace fuselab::test;

class TestDatasetPanel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FuseLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_dataset_panel"));
    }

    void droppedDatasetFillsTheClassChart()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/shapes";
        for (const char *c : {"cat", "dog"})
            for (int i = 0; i < 6; ++i)
                test::writeFile(root + "/" + c + "/" + std::to_string(i) + ".pgm", "P5\n4 4\n255\n" + std::string(16, static_cast<char>(40 + 20 * i)));
        MainWindow window;
        window.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(root))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(window.datasetPanel()->dataset() != nullptr, 20000);
        QCustomPlot *chart = window.datasetPanel()->chart();
        QCOMPARE(chart->plottableCount(), 1); // one modality
        auto *bars = qobject_cast<QCPBars *>(chart->plottable(0));
        QVERIFY(bars);
        QCOMPARE(bars->data()->size(), 2);
        QCOMPARE(bars->data()->at(0)->value, 6.0);
        QCOMPARE(bars->data()->at(1)->value, 6.0);
        // The sample browser lists them.
        QCOMPARE(window.datasetPanel()->browser()->model()->rowCount(), 12);
    }

    void selectedAudioShowsWaveformAndSpectrogram()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        // A 1 kHz tone: its energy sits in one band of the log-mel spectrogram.
        test::writeWav(root + "/tone.wav", 1000, 16000, 0.5);
        auto d = std::make_shared<Dataset>();
        d->classes = {"tone", "noise"};
        d->columns = {{"clip", Modality::Audio}};
        Sample s;
        s.id = "line 2";
        s.label = 0;
        s.split = Split::Train;
        s.fields = {Field{true, root + "/tone.wav", true, -1}};
        d->samples = {s};
        SampleBrowser browser;
        browser.show();
        browser.setDataset(d);
        browser.view()->setCurrentIndex(browser.model()->index(0));
        auto *picture = browser.findChild<QLabel *>(QStringLiteral("samplePicture"));
        QVERIFY(picture);
        const QImage img = picture->pixmap().toImage();
        QCOMPARE(img.width(), 240);
        QCOMPARE(img.height(), 48 + 2 * 40); // waveform, then 40 mel bands twice as tall
        // The tone's band is the brightest row. On the HTK mel scale over 0-4 kHz (the 8 kHz
        // preview), 1 kHz is mel 1000 of 2146: band 0.466 x 40 = 18.6 from the bottom, drawn
        // at row 48 + (39 - 18.6) x 2 = 88.8.
        int brightest = -1, best = -1;
        for (int y = 48; y < img.height(); ++y) {
            const int v = qRed(img.pixel(120, y)) + qGreen(img.pixel(120, y));
            if (v > best) {
                best = v;
                brightest = y;
            }
        }
        QVERIFY2(std::abs(brightest - 89) <= 5, qPrintable(QString::number(brightest)));
    }

    void sampleBrowserOpens70000SamplesFast()
    {
        // Fashion-MNIST's size: the browser must not build a widget, or decode, per sample.
        auto d = std::make_shared<Dataset>();
        d->classes = {"a", "b"};
        d->columns = {{"image", Modality::Image}};
        auto blob = std::make_shared<ImageBlob>();
        blob->count = 70000;
        blob->rows = blob->cols = 28;
        blob->pixels.resize(70000 * 28 * 28);
        for (std::size_t i = 0; i < blob->pixels.size(); ++i)
            blob->pixels[i] = static_cast<std::uint8_t>((i / 784) % 256);
        d->blob = blob;
        d->samples.resize(70000);
        for (std::size_t i = 0; i < d->samples.size(); ++i) {
            Sample &s = d->samples[i];
            s.id = std::to_string(i);
            s.label = static_cast<int>(i % 2);
            s.split = i < 60000 ? Split::Train : Split::Test;
            s.fields = {Field{true, {}, false, static_cast<std::int64_t>(i)}};
        }
        SampleBrowser browser;
        browser.resize(600, 500);
        browser.show();
        QElapsedTimer t;
        t.start();
        browser.setDataset(d);
        QApplication::processEvents();
        const qint64 opened = t.elapsed();
        QCOMPARE(browser.model()->rowCount(), 70000);
        // The visible thumbnails arrive; sample 3's picture is its grey level (3).
        auto centre = [&] {
            return browser.model()->data(browser.model()->index(3), Qt::DecorationRole).value<QPixmap>().toImage().pixelColor(36, 36);
        };
        QCOMPARE(centre(), QColor(0xe8, 0xe8, 0xe8)); // a placeholder first: nothing decoded on the GUI thread
        QTRY_COMPARE_WITH_TIMEOUT(centre(), QColor(3, 3, 3), 5000);
        // Scrolling to the end: the last samples show a placeholder, then their own pictures.
        browser.view()->scrollToBottom();
        QApplication::processEvents();
        const auto pictureOf = [&](int row) {
            return browser.model()->data(browser.model()->index(row), Qt::DecorationRole).value<QPixmap>().toImage().pixelColor(36, 36);
        };
        QTRY_COMPARE_WITH_TIMEOUT(pictureOf(69999), QColor(69999 % 256, 69999 % 256, 69999 % 256), 5000);
        qInfo("70,000 samples shown in %lld ms", static_cast<long long>(opened));
    }

    // The dataset panel's skipped files with their reasons, in English and, with the app's
    // Chinese catalogue installed (the one gui_main loads, embedded here at the same path),
    // in Chinese: a reader's reason with a nested sentence ("(none)" inside the unknown
    // extension), a decoding error from the health check, and the health check's own.
    void skippedFilesAreShownTranslated()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/shapes";
        for (const char *c : {"cat", "dog"})
            for (int i = 0; i < 3; ++i)
                test::writeFile(root + "/" + c + "/" + std::to_string(i) + ".pgm", "P5\n4 4\n255\n" + std::string(16, static_cast<char>(40 + 20 * i)));
        test::writeFile(root + "/cat/empty.pgm", "");
        test::writeFile(root + "/dog/notes", "not a sample");
        const auto reasons = [&] {
            DatasetPanel panel;
            QSignalSpy opened(&panel, &DatasetPanel::opened);
            panel.open(QString::fromStdString(root));
            [&] { QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 20000); }();
            std::map<QString, QString> byFile;
            auto *list = panel.findChild<QTreeWidget *>(QStringLiteral("skippedFiles"));
            for (int i = 0; list && i < list->topLevelItemCount(); ++i)
                byFile[list->topLevelItem(i)->text(0)] = list->topLevelItem(i)->text(1);
            return byFile;
        };

        const std::map<QString, QString> english = reasons();
        QCOMPARE(english.size(), std::size_t(3));
        QCOMPARE(english.at("dog/notes"), QString("unknown extension \"(none)\" (not an image, audio or .txt file); skipped"));
        QCOMPARE(english.at("cat/empty.pgm"), QString("empty file (0 bytes)"));
        QCOMPARE(english.at("cat/empty"), QString("sample has no readable modality; skipped"));

        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/fuselab_zh_CN.qm")));
        QVERIFY(QCoreApplication::installTranslator(&zh));
        const std::map<QString, QString> chinese = reasons();
        QCoreApplication::removeTranslator(&zh);
        QCOMPARE(chinese.size(), std::size_t(3));
        QCOMPARE(chinese.at("dog/notes"), QString("未知的扩展名“（无）”（不是图像、音频或 .txt 文件）；已跳过"));
        QCOMPARE(chinese.at("cat/empty.pgm"), QString("空文件（0 字节）"));
        QCOMPARE(chinese.at("cat/empty"), QString("样本没有可读取的模态；已跳过"));
    }

    void cancelStopsALargeScanWithinASecond()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/big";
        // 30 classes x 400 small images: the health check decodes and hashes every one.
        for (int c = 0; c < 30; ++c)
            for (int i = 0; i < 400; ++i)
                test::writeFile(root + "/class" + std::to_string(c) + "/" + std::to_string(i) + ".pgm",
                                "P5\n16 16\n255\n" + std::string(256, static_cast<char>((c * 7 + i) % 250)));
        DatasetPanel panel;
        QSignalSpy opened(&panel, &DatasetPanel::opened);
        // Cancel as soon as the work reports progress, i.e. in the middle of it.
        QElapsedTimer t;
        QString stageAtCancel;
        qint64 lastDone = 0, lastTotal = 0;
        bool cancelled = false;
        connect(&panel, &DatasetPanel::progressed, &panel, [&](const QString &stage, qint64 done, qint64 total) {
            if (stage == stageAtCancel) {
                lastDone = done;
                lastTotal = total;
            }
            if (cancelled || (total > 0 && done >= total))
                return;
            cancelled = true;
            stageAtCancel = stage;
            lastDone = done;
            lastTotal = total;
            t.start();
            panel.cancel();
        });
        panel.open(QString::fromStdString(root));
        QVERIFY(panel.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 60000);
        QVERIFY2(cancelled, "no progress was reported");
        qInfo("stopped %lld ms after Cancel", static_cast<long long>(t.elapsed()));
        // The stage it was cancelled in never reached its end (a stage of unknown length, such
        // as listing the folder, never reached the 12,000 files): the work stopped in the middle.
        QVERIFY2(lastDone < (lastTotal > 0 ? lastTotal : 12000), qPrintable(QStringLiteral("%1 of %2").arg(lastDone).arg(lastTotal)));
        QCOMPARE(opened.count(), 0); // stopped, not finished
        QVERIFY(panel.dataset() == nullptr);
        qInfo("cancelled while %s", qPrintable(stageAtCancel));
    }
};

QTEST_MAIN(TestDatasetPanel)
#include "test_dataset_panel.moc"
