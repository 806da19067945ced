// SPDX-License-Identifier: GPL-3.0-or-later
// The small windows around the editor, driven as a user would: the preferences dialog (kept
// in the test-mode settings, OK keeps, Cancel does not, the language follows the system
// locale until chosen), the template gallery (what fits the open dataset, why the rest does
// not, the diagrams, a double-click chooses), and the block palette (every block once, in
// its group, the search, a drag or a double-click adds the block to the graph).
#include "tests/support/GuiTest.h"
#include "widgets/BlockPalette.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphItems.h"
#include "widgets/MainWindow.h"
#include "widgets/PreferencesDialog.h"
#include "widgets/TemplateDialog.h"

#include <QAbstractItemModel>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTreeWidget>

#include <map>
#include <set>

using namespace fuselab;
using namespace fuselab::gui;
using namespace fuselab::test;

namespace {

Dataset datasetOf(std::vector<ModalityColumn> columns)
{
    Dataset d;
    d.classes = {"a", "b"};
    d.columns = std::move(columns);
    return d;
}

std::set<std::string> enabledTemplates(const TemplateDialog &dialog)
{
    std::set<std::string> out;
    for (int i = 0; i < dialog.list()->count(); ++i)
        if (dialog.list()->item(i)->flags() & Qt::ItemIsEnabled)
            out.insert(dialog.list()->item(i)->data(Qt::UserRole).toString().toStdString());
    return out;
}

QListWidgetItem *templateItem(const TemplateDialog &dialog, const QString &name)
{
    for (int i = 0; i < dialog.list()->count(); ++i)
        if (dialog.list()->item(i)->data(Qt::UserRole).toString() == name)
            return dialog.list()->item(i);
    return nullptr;
}

QTreeWidgetItem *paletteItem(QTreeWidget *tree, const QString &type)
{
    for (int g = 0; g < tree->topLevelItemCount(); ++g)
        for (int i = 0; i < tree->topLevelItem(g)->childCount(); ++i)
            if (tree->topLevelItem(g)->child(i)->data(0, Qt::UserRole).toString() == type)
                return tree->topLevelItem(g)->child(i);
    return nullptr;
}

bool sameRgb(QRgb pixel, QColor want) { return qRed(pixel) == want.red() && qGreen(pixel) == want.green() && qBlue(pixel) == want.blue(); }

} // namespace

class TestDialogs final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FuseLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_dialogs"));
        QSettings().clear();
    }

    void preferencesAreKeptOnOkOnly()
    {
        // The settings are the test-mode ones, never the user's.
        QVERIFY2(QSettings().fileName().contains(QStringLiteral(".qttest")), qPrintable(QSettings().fileName()));
        // Nothing chosen yet: automatic device, all threads, and the language of the system
        // locale, which main() set to Simplified Chinese.
        QCOMPARE(QLocale::system().name(), QStringLiteral("zh_CN"));
        QCOMPARE(PreferencesDialog::device(), QStringLiteral("auto"));
        QCOMPARE(PreferencesDialog::threads(), 0);
        QCOMPARE(PreferencesDialog::language(), QStringLiteral("zh_CN"));
        {
            PreferencesDialog dialog;
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            auto combos = dialog.findChildren<QComboBox *>();
            QCOMPARE(combos.size(), 2);
            QComboBox *device = combos[0]->findData(QStringLiteral("cpu")) >= 0 ? combos[0] : combos[1];
            QComboBox *language = device == combos[0] ? combos[1] : combos[0];
            QCOMPARE(device->currentData().toString(), QStringLiteral("auto"));
            QCOMPARE(language->currentData().toString(), QStringLiteral("zh_CN"));
            QSpinBox *threads = dialog.findChild<QSpinBox *>();
            QVERIFY(threads);
            QCOMPARE(threads->value(), 0);
            QVERIFY(threads->text().startsWith(QStringLiteral("all ("))); // 0 reads as "all (N)"
            device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
            language->setCurrentIndex(language->findData(QStringLiteral("en")));
            threads->setValue(3);
            QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        QCOMPARE(PreferencesDialog::device(), QStringLiteral("cpu"));
        QCOMPARE(PreferencesDialog::threads(), 3);
        QCOMPARE(PreferencesDialog::language(), QStringLiteral("en"));
        {
            // A new dialog shows them; Cancel after changes keeps them.
            PreferencesDialog dialog;
            dialog.show();
            auto combos = dialog.findChildren<QComboBox *>();
            QComboBox *device = combos[0]->findData(QStringLiteral("cpu")) >= 0 ? combos[0] : combos[1];
            QCOMPARE(device->currentData().toString(), QStringLiteral("cpu"));
            QCOMPARE(dialog.findChild<QSpinBox *>()->value(), 3);
            device->setCurrentIndex(device->findData(QStringLiteral("cuda")));
            dialog.findChild<QSpinBox *>()->setValue(7);
            QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
            QCOMPARE(dialog.result(), int(QDialog::Rejected));
        }
        QCOMPARE(PreferencesDialog::device(), QStringLiteral("cpu"));
        QCOMPARE(PreferencesDialog::threads(), 3);
    }

    // Images only: the image template alone fits; each other one says what it needs.
    void templatesThatDoNotFitSayWhy()
    {
        TemplateDialog dialog(datasetOf({{"photo", Modality::Image}}));
        QCOMPARE(enabledTemplates(dialog), (std::set<std::string>{"image-cnn"}));
        QCOMPARE(dialog.chosenTemplate(), QStringLiteral("image-cnn")); // the first that fits is selected
        QVERIFY(templateItem(dialog, QStringLiteral("text-gru"))->text().contains(QStringLiteral("needs text")));
        QVERIFY(templateItem(dialog, QStringLiteral("audio-cnn"))->text().contains(QStringLiteral("needs audio")));
        QVERIFY(templateItem(dialog, QStringLiteral("regression"))->text().contains(QStringLiteral("needs numbers as labels")));
        for (const char *fusion : {"concat", "late-fusion", "cross-attention", "autoencoder-fusion"})
            QVERIFY2(templateItem(dialog, QString::fromLatin1(fusion))->text().contains(QStringLiteral("needs two or more modalities")), fusion);
        // A template that does not fit cannot be chosen, even when made current.
        dialog.list()->setCurrentItem(templateItem(dialog, QStringLiteral("concat")));
        QCOMPARE(dialog.chosenTemplate(), QString());
    }

    // Images and text: every template but the audio one, each drawn; a double-click chooses.
    void aDoubleClickChoosesATemplate()
    {
        TemplateDialog dialog(datasetOf({{"photo", Modality::Image}, {"caption", Modality::Text}}));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(enabledTemplates(dialog), (std::set<std::string>{"image-cnn", "text-gru", "concat", "late-fusion", "attention-fusion", "gated-fusion",
                                                                  "tensor-fusion", "low-rank-fusion", "cross-attention", "autoencoder-fusion"}));
        // The concat diagram holds a fusion block (its colour) and an input block.
        const QImage concat = templateItem(dialog, QStringLiteral("concat"))->icon().pixmap(QSize(180, 72)).toImage();
        bool fusion = false, input = false;
        for (int y = 0; y < concat.height(); ++y)
            for (int x = 0; x < concat.width(); ++x) {
                fusion |= sameRgb(concat.pixel(x, y), categoryColour("fusion"));
                input |= sameRgb(concat.pixel(x, y), categoryColour("input"));
            }
        QVERIFY(fusion && input);
        QListWidgetItem *late = templateItem(dialog, QStringLiteral("late-fusion"));
        dialog.list()->scrollToItem(late);
        const QPoint at = dialog.list()->visualItemRect(late).center();
        // A double-click as the window system delivers it: press, release, double-click, release.
        QTest::mouseClick(dialog.list()->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTest::mouseDClick(dialog.list()->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTRY_VERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenTemplate(), QStringLiteral("late-fusion"));
    }

    // An input feeding a head, drawn at 180 x 72: two columns 86 px apart from a 4 px margin,
    // so the boxes (30 x 14) centre at (47, 36) and (133, 36), the edge between them.
    void aDiagramPlacesBlocksByDepth()
    {
        Graph g;
        g.nodes.push_back({"in", "", "input.image", nlohmann::json::object(), 0, 0});
        g.nodes.push_back({"head", "", "head.classification", nlohmann::json::object(), 0, 0});
        g.edges.push_back({{"in", "out"}, {"head", "in"}});
        const QImage img = TemplateDialog::diagram(g, QSize(180, 72)).toImage();
        QVERIFY(sameRgb(img.pixel(47, 32), categoryColour("input")));
        QVERIFY(sameRgb(img.pixel(133, 32), categoryColour("head")));
        QVERIFY(!sameRgb(img.pixel(90, 36), Qt::white)); // on the edge
        QVERIFY(sameRgb(img.pixel(90, 20), Qt::white));
        QVERIFY(sameRgb(img.pixel(10, 36), Qt::white)); // left of the first box (it starts at 32)
    }

    // Every block once, in its category's group; the search filters by title or type.
    void thePaletteListsEveryBlockAndSearches()
    {
        BlockPalette palette;
        palette.show();
        QTreeWidget *tree = palette.tree();
        QCOMPARE(tree->topLevelItemCount(), 5);
        std::map<std::string, std::set<std::string>> groups;
        std::size_t items = 0;
        for (int g = 0; g < tree->topLevelItemCount(); ++g)
            for (int i = 0; i < tree->topLevelItem(g)->childCount(); ++i) {
                groups[tree->topLevelItem(g)->text(0).toStdString()].insert(tree->topLevelItem(g)->child(i)->data(0, Qt::UserRole).toString().toStdString());
                ++items;
            }
        QCOMPARE(items, std::size_t(29)); // `fuselab-cli blocks` lists 29
        QCOMPARE(groups["Fusion"], (std::set<std::string>{"fusion.attention", "fusion.autoencoder", "fusion.bottleneck", "fusion.concat", "fusion.cross_attention", "fusion.film",
                                                          "fusion.gated", "fusion.late", "fusion.low_rank", "fusion.tensor"}));
        QCOMPARE(groups["Inputs"], (std::set<std::string>{"input.audio", "input.image", "input.text"}));
        QCOMPARE(groups["Heads"], (std::set<std::string>{"head.classification", "head.ctc", "head.multilabel", "head.regression", "head.rnn_decoder",
                                                          "head.transformer_decoder"}));
        QCOMPARE(groups["Output"], (std::set<std::string>{"output"}));
        QCOMPARE(groups["Encoders"].size(), std::size_t(9));

        QLineEdit *search = palette.findChild<QLineEdit *>();
        QTest::keyClicks(search, QStringLiteral("fusion.l"));
        std::set<std::string> shown;
        int groupsShown = 0;
        for (int g = 0; g < tree->topLevelItemCount(); ++g) {
            groupsShown += !tree->topLevelItem(g)->isHidden();
            for (int i = 0; i < tree->topLevelItem(g)->childCount(); ++i)
                if (!tree->topLevelItem(g)->child(i)->isHidden())
                    shown.insert(tree->topLevelItem(g)->child(i)->data(0, Qt::UserRole).toString().toStdString());
        }
        QCOMPARE(shown, (std::set<std::string>{"fusion.late", "fusion.low_rank"}));
        QCOMPARE(groupsShown, 1);
        search->setText(QStringLiteral("gru / lstm")); // a title, any case
        QVERIFY(!paletteItem(tree, QStringLiteral("encoder.rnn"))->isHidden());
        QVERIFY(paletteItem(tree, QStringLiteral("encoder.cnn"))->isHidden());
        search->setText(QStringLiteral("no such block"));
        for (int g = 0; g < tree->topLevelItemCount(); ++g)
            QVERIFY(tree->topLevelItem(g)->isHidden());
        search->clear();
        for (int g = 0; g < tree->topLevelItemCount(); ++g)
            QVERIFY(!tree->topLevelItem(g)->isHidden());
    }

    // In the window: what a drag from the palette carries, dropped on the canvas, adds the
    // block there; a double-click adds it at the view's centre.
    void thePaletteAddsBlocksToTheGraph()
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        BlockPalette *palette = window.findChild<BlockPalette *>();
        QVERIFY(palette);
        QTreeWidget *tree = palette->tree();
        GraphView *view = window.view();
        QApplication::processEvents();

        QTreeWidgetItem *late = paletteItem(tree, QStringLiteral("fusion.late"));
        std::unique_ptr<QMimeData> mime(tree->model()->mimeData({tree->indexFromItem(late)}));
        QVERIFY(mime);
        QCOMPARE(mime->data(QString::fromLatin1(GraphView::blockMimeType())), QByteArray("fusion.late"));
        // A group heading carries nothing to drop.
        QVERIFY(!tree->model()->mimeData({tree->indexFromItem(tree->topLevelItem(0))}));
        const std::size_t before = doc->model().graph().nodes.size();
        const QPointF target = view->mapToScene(view->viewport()->rect().center() + QPoint(-200, 120));
        const QPoint p = view->mapFromScene(target);
        QDragEnterEvent enter(p, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view->viewport(), &enter);
        QDropEvent drop(QPointF(p), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view->viewport(), &drop);
        QCOMPARE(doc->model().graph().nodes.size(), before + 1);
        const GraphNode dropped = doc->model().graph().nodes.back();
        QCOMPARE(dropped.type, std::string("fusion.late"));
        QVERIFY2(std::abs(dropped.x - target.x()) < 120 && std::abs(dropped.y - target.y()) < 60,
                 qPrintable(QStringLiteral("dropped at %1,%2 for %3,%4").arg(dropped.x).arg(dropped.y).arg(target.x()).arg(target.y())));

        QTreeWidgetItem *mlp = paletteItem(tree, QStringLiteral("encoder.mlp"));
        tree->scrollToItem(mlp);
        const QPoint at = tree->visualItemRect(mlp).center();
        QSignalSpy activated(palette, &BlockPalette::blockActivated);
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(doc->model().graph().nodes.size(), before + 2);
        const GraphNode added = doc->model().graph().nodes.back();
        QCOMPARE(added.type, std::string("encoder.mlp"));
        const QPointF centre = view->mapToScene(view->viewport()->rect().center());
        QVERIFY2(std::abs(added.x - centre.x()) < 120 && std::abs(added.y - centre.y()) < 60,
                 qPrintable(QStringLiteral("added at %1,%2, centre %3,%4").arg(added.x).arg(added.y).arg(centre.x()).arg(centre.y())));
        // Both are single undo steps.
        doc->undoStack()->undo();
        doc->undoStack()->undo();
        QCOMPARE(doc->model().graph().nodes.size(), before);
    }
};

int main(int argc, char **argv)
{
    // The language preference falls back to the system locale: make it Chinese.
    qputenv("LC_ALL", "zh_CN.UTF-8");
    qputenv("LANG", "zh_CN.UTF-8");
    QApplication app(argc, argv);
    TestDialogs t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_dialogs.moc"
