// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/DatasetLoader.h"
#include "core/data/ManifestReader.h"
#include "core/util/MessageJson.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

using namespace fuselab;
using namespace fuselab::test;

namespace {
bool hasIssue(const Dataset &d, const std::string &needle)
{
    for (auto &i : d.issues)
        if (i.reason.str().find(needle) != std::string::npos || i.file.find(needle) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestManifest final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string dir() const { return m_tmp.path().toStdString(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        writeImage(dir() + "/img/a.png", 8, 8);
        writeImage(dir() + "/img/b.jpg", 8, 8);
        writeWav(dir() + "/snd/a.wav", 440, 8000, 0.2);
    }

    void csvColumnsAreTypedFromTheirValues()
    {
        writeFile(dir() + "/m.csv",
                  "photo,clip,caption,label,split\n"
                  "img/a.png,snd/a.wav,\"a red, round thing\",cat,train\n"
                  "img/b.jpg,,\"two\nlines\",dog,test\n");
        const Dataset d = loadDataset(dir() + "/m.csv");
        QCOMPARE(d.format, std::string("csv"));
        QCOMPARE(d.columns.size(), std::size_t(3));
        QCOMPARE(d.columns[0].kind, Modality::Image);
        QCOMPARE(d.columns[1].kind, Modality::Audio);
        QCOMPARE(d.columns[2].kind, Modality::Text);
        QCOMPARE(d.samples.size(), std::size_t(2));
        QCOMPARE(d.classes, (std::vector<std::string>{"cat", "dog"}));
        QVERIFY(d.splitGiven);
        QCOMPARE(d.samples[1].split, Split::Test);
        // Paths resolve against the manifest's folder; a missing modality is kept as missing.
        QCOMPARE(d.samples[0].fields[0].value, dir() + "/img/a.png");
        QVERIFY(!d.samples[1].fields[1].present);
        QCOMPARE(d.samples[1].fields[2].value, std::string("two\nlines"));
    }

    void jsonlWithMissingKeysAndNumbers()
    {
        writeFile(dir() + "/m.jsonl",
                  "{\"image\": \"img/a.png\", \"label\": 3}\n"
                  "\n"
                  "{\"image\": \"img/b.jpg\", \"text\": \"hello\", \"label\": 10}\n"
                  "{not json}\n"
                  "{\"image\": null, \"text\": \"only text\", \"label\": 3}\r\n");
        const Dataset d = loadDataset(dir() + "/m.jsonl");
        QCOMPARE(d.format, std::string("jsonl"));
        QCOMPARE(d.samples.size(), std::size_t(3));
        QCOMPARE(d.classes, (std::vector<std::string>{"3", "10"})); // numeric order
        QVERIFY(hasIssue(d, "not valid JSON"));
        const int text = d.columnIndex(Modality::Text);
        QVERIFY(text >= 0);
        QVERIFY(!d.samples[0].fields[static_cast<std::size_t>(text)].present);
    }

    // Labels that are numbers, not all whole, make a regression dataset: the reason says so,
    // and a row whose label is no finite number is skipped naming the label.
    void numbersMakeARegressionDataset()
    {
        writeFile(dir() + "/reg.csv",
                  "caption,score\n"
                  "a,1.5\n"
                  "b,-2\n"
                  "c,+0.25\n"
                  "d,n/a\n"
                  "e,nan\n"
                  "f,inf\n"
                  "g,\n"
                  "h,3e1\n");
        LoadOptions o;
        o.reader.labelColumn = "score";
        const Dataset d = loadDataset(dir() + "/reg.csv", o);
        QCOMPARE(d.task, Task::Regression);
        QVERIFY2(d.taskReason.str().find("not whole numbers") != std::string::npos, d.taskReason.str().c_str());
        QCOMPARE(d.classes, (std::vector<std::string>{"score"}));
        QCOMPARE(d.samples.size(), std::size_t(4));
        QCOMPARE(d.samples[0].target, 1.5);
        QCOMPARE(d.samples[1].target, -2.0);
        QCOMPARE(d.samples[2].target, 0.25);
        QCOMPARE(d.samples[3].target, 30.0);
        QVERIFY(hasIssue(d, "label \"n/a\" is not a finite number"));
        QVERIFY(hasIssue(d, "label \"nan\" is not a finite number"));
        QVERIFY(hasIssue(d, "label \"inf\" is not a finite number"));
        QVERIFY(hasIssue(d, "empty label"));
        QVERIFY(!d.multiLabel);

        // Whole numbers stay classes, unless --task says otherwise.
        writeFile(dir() + "/int.csv", "caption,label\na,1\nb,2\nc,2\nd,10\n");
        const Dataset classes = loadDataset(dir() + "/int.csv");
        QCOMPARE(classes.task, Task::Classification);
        QCOMPARE(classes.classes, (std::vector<std::string>{"1", "2", "10"}));
        LoadOptions forced;
        forced.reader.task = Task::Regression;
        const Dataset numbers = loadDataset(dir() + "/int.csv", forced);
        QCOMPARE(numbers.task, Task::Regression);
        QCOMPARE(numbers.samples[3].target, 10.0);
        QVERIFY(numbers.taskReason.str().find("--task") != std::string::npos);

        // Many distinct texts of several words: a text to produce (a sequence task).
        std::string sentences = "photo,label\n";
        for (int i = 0; i < 30; ++i)
            sentences += "x" + std::to_string(i) + ",a small cat number " + std::to_string(i) + "\n";
        writeFile(dir() + "/seq.csv", sentences);
        const Dataset seq = loadDataset(dir() + "/seq.csv");
        QCOMPARE(seq.task, Task::Sequence);
        QCOMPARE(seq.samples[4].targetText, std::string("a small cat number 4"));
        QVERIFY(seq.classes.empty());
        // Repeated targets, 3 samples per text on average: still texts to produce; 40 multi-word
        // class names with 5 samples each: classes.
        for (const auto &[copies, task] : {std::pair{3, Task::Sequence}, std::pair{5, Task::Classification}}) {
            std::string rows = "photo,label\n";
            for (int i = 0; i < 40 * copies; ++i)
                rows += "x" + std::to_string(i) + ",a small cat number " + std::to_string(i % 40) + "\n";
            writeFile(dir() + "/rep.csv", rows);
            QCOMPARE(loadDataset(dir() + "/rep.csv").task, task);
        }

        // A folder tree's labels are its folder names: --task regression is refused, naming it.
        writeImage(dir() + "/tree/cat/a.png", 8, 8);
        writeImage(dir() + "/tree/dog/b.png", 8, 8);
        try {
            loadDataset(dir() + "/tree", forced);
            QFAIL("a folder tree was read as regression");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("--task regression") != std::string::npos, e.what());
        }
    }

    void csvLabelsJoinedBySemicolonsMakeAMultiLabelDataset()
    {
        writeFile(dir() + "/ml.csv",
                  "caption,label\n"
                  "a cat outdoors,cat; outdoor\n"
                  "a dog,dog\n"
                  "two cats,cat;cat\n"
                  "nothing,\n"
                  "cat and dog,dog;cat;\n");
        const Dataset d = loadDataset(dir() + "/ml.csv");
        QVERIFY(d.multiLabel);
        QCOMPARE(d.classes, (std::vector<std::string>{"cat", "dog", "outdoor"}));
        QCOMPARE(d.samples.size(), std::size_t(4)); // the empty label is skipped, with its line
        QVERIFY(hasIssue(d, "empty label"));
        QCOMPARE(d.samples[0].labels, (std::vector<int>{0, 2}));
        QCOMPARE(d.samples[1].labels, (std::vector<int>{1}));
        QCOMPARE(d.samples[2].labels, (std::vector<int>{0})); // duplicates collapse
        QCOMPARE(d.samples[3].labels, (std::vector<int>{0, 1})); // sorted, trailing ';' ignored
    }

    void jsonlLabelListsMakeAMultiLabelDataset()
    {
        writeFile(dir() + "/ml.jsonl",
                  "{\"caption\": \"a\", \"label\": [\"x\", \"y\"]}\n"
                  "{\"caption\": \"b\", \"label\": []}\n"
                  "{\"caption\": \"c\", \"label\": [\"y\", 7]}\n"
                  "{\"caption\": \"d\", \"label\": [\"bad;name\"]}\n"
                  "{\"caption\": \"e\", \"label\": [{\"no\": 1}]}\n");
        const Dataset d = loadDataset(dir() + "/ml.jsonl");
        QVERIFY(d.multiLabel);
        QCOMPARE(d.classes, (std::vector<std::string>{"7", "x", "y"}));
        QCOMPARE(d.samples.size(), std::size_t(3));
        QCOMPARE(d.samples[0].labels, (std::vector<int>{1, 2}));
        QVERIFY(d.samples[1].labels.empty()); // [] is a sample of no class, not a missing label
        QCOMPARE(d.samples[2].labels, (std::vector<int>{0, 2}));
        int listIssues = 0;
        for (auto &i : d.issues)
            listIssues += i.reason.str().find("label list holds") != std::string::npos && i.line >= 4;
        QCOMPARE(listIssues, 2);
    }

    void singleLabelManifestsStaySingleLabel()
    {
        writeFile(dir() + "/single.csv", "photo,caption,label\nimg/a.png,\"a; b\",cat\nimg/b.jpg,two,dog\n");
        const Dataset d = loadDataset(dir() + "/single.csv");
        QCOMPARE(d.classes, (std::vector<std::string>{"cat", "dog"}));
        QVERIFY(!d.multiLabel);
        QVERIFY(d.samples[0].labels.empty());
    }

    void columnOverrideAndIgnore()
    {
        writeFile(dir() + "/o.csv", "path,notes,label\nimg/a.png,keep me,a\nimg/b.jpg,x,b\n");
        LoadOptions o;
        o.reader.columnTypes["path"] = ColumnType::Text;
        o.reader.columnTypes["notes"] = ColumnType::Ignore;
        const Dataset d = loadDataset(dir() + "/o.csv", o);
        QCOMPARE(d.columns.size(), std::size_t(1));
        QCOMPARE(d.columns[0].kind, Modality::Text);
        QCOMPARE(d.samples[0].fields[0].value, std::string("img/a.png"));
    }

    void customLabelColumn()
    {
        writeFile(dir() + "/l.csv", "text,category\nhi,x\nho,y\n");
        LoadOptions o;
        o.reader.labelColumn = "category";
        QCOMPARE(loadDataset(dir() + "/l.csv", o).classes.size(), std::size_t(2));
    }

    void missingLabelColumnNamesTheColumnsAndTheFix()
    {
        writeFile(dir() + "/nolabel.csv", "image,text\nimg/a.png,hi\n");
        try {
            loadDataset(dir() + "/nolabel.csv");
            QFAIL("expected an error");
        } catch (const Error &e) {
            const std::string msg = e.what();
            QVERIFY(msg.find("nolabel.csv") != std::string::npos);
            QVERIFY(msg.find("no \"label\" column") != std::string::npos);
            QVERIFY(msg.find("image, text") != std::string::npos);
            // In the user's terms, not the command line's: fuselab-cli adds its flag itself.
            QVERIFY(msg.find("say which column holds the labels") != std::string::npos);
            QVERIFY(msg.find("--") == std::string::npos);
        }
    }

    void raggedRowsAreSkippedWithTheirLine()
    {
        writeFile(dir() + "/ragged.csv", "image,label\nimg/a.png,a\nimg/b.jpg\nimg/b.jpg,b,extra\nimg/b.jpg,b\n");
        const Dataset d = loadDataset(dir() + "/ragged.csv");
        QCOMPARE(d.samples.size(), std::size_t(2));
        int ragged = 0;
        for (auto &i : d.issues)
            if (i.reason.str().find("fields but the header has") != std::string::npos) {
                ++ragged;
                QVERIFY(i.line == 3 || i.line == 4);
            }
        QCOMPARE(ragged, 2);
    }

    void pathsEscapingTheDatasetAreRefused()
    {
        writeFile(dir() + "/sub/escape.csv",
                  "image,label\n../../../../../../etc/passwd.png,a\n/etc/hostname.png,b\n../img/a.png,a\nok.png,b\n");
        writeImage(dir() + "/sub/ok.png", 4, 4);
        const Dataset d = loadDataset(dir() + "/sub/escape.csv");
        // Only ok.png survives: ../img/a.png is outside sub/ too.
        QCOMPARE(d.samples.size(), std::size_t(1));
        int refused = 0;
        for (auto &i : d.issues)
            refused += i.reason.str().find("outside the dataset folder") != std::string::npos;
        QCOMPARE(refused, 3);
    }

    // A skipped row's reason is a translatable message: a context and English template that
    // the catalogue is keyed by, data arguments, and a sentence nested as an argument is a
    // message of its own. str() and toString() give the English line the CLI prints.
    void skippedRowsCarryTranslatableMessages()
    {
        writeFile(dir() + "/msg/m.csv", "image,label\nok.png,a\nok.png\n../outside.png,b\nok.png,b\n");
        writeImage(dir() + "/msg/ok.png", 4, 4);
        const Dataset d = loadDataset(dir() + "/msg/m.csv");
        const DataIssue *ragged = nullptr, *refused = nullptr;
        for (auto &i : d.issues) {
            if (i.line == 3)
                ragged = &i;
            if (i.line == 4 && i.file == "../outside.png")
                refused = &i;
        }
        QVERIFY(ragged && refused);

        QCOMPARE(ragged->reason.context, std::string("DataReading"));
        QCOMPARE(ragged->reason.text, std::string("row has %1 fields but the header has %2; row skipped"));
        QCOMPARE(ragged->reason.args.size(), std::size_t(2));
        QVERIFY(!ragged->reason.args[0].isMessage());
        QCOMPARE(ragged->reason.args[0].data(), std::string("1"));
        QCOMPARE(ragged->reason.args[1].data(), std::string("2"));
        QCOMPARE(ragged->reason.str(), std::string("row has 1 fields but the header has 2; row skipped"));
        QCOMPARE(ragged->toString(), "skipped: " + dir() + "/msg/m.csv:3: row has 1 fields but the header has 2; row skipped");

        // "refused: %1; treated as missing", %1 being the reason why, a sentence of its own.
        QCOMPARE(refused->file, std::string("../outside.png"));
        QCOMPARE(refused->reason.context, std::string("DataReading"));
        QCOMPARE(refused->reason.text, std::string("refused: %1; treated as missing"));
        QCOMPARE(refused->reason.args.size(), std::size_t(1));
        QVERIFY(refused->reason.args[0].isMessage());
        const Message &why = refused->reason.args[0].message();
        QCOMPARE(why.context, std::string("DataReading"));
        QCOMPARE(why.text, std::string("path leads outside the dataset folder %1"));
        QCOMPARE(why.args.size(), std::size_t(1));
        QCOMPARE(why.args[0].data(), d.root);
        QCOMPARE(refused->reason.str(), "refused: path leads outside the dataset folder " + d.root + "; treated as missing");
        QCOMPARE(refused->toString(),
                 "skipped: ../outside.png:4: refused: path leads outside the dataset folder " + d.root + "; treated as missing");

        // The machine-readable form a report carries reads back into the same message.
        const nlohmann::json j = messageToJson(refused->reason);
        QCOMPARE(j["text"].get<std::string>(), std::string("refused: %1; treated as missing"));
        QCOMPARE(j["args"][0]["text"].get<std::string>(), std::string("path leads outside the dataset folder %1"));
        QVERIFY(messageFromJson(j) == refused->reason);
        QVERIFY(messageFromJson(nlohmann::json::parse(j.dump())) == refused->reason);
        QVERIFY(reasonFromJson({{"reason", "old English"}}) == Message::plain("old English"));
    }

    void unknownExtensionInAFileColumn()
    {
        writeFile(dir() + "/ext.csv", "image,label\nimg/a.png,a\nimg/b.jpg,b\nimg/c.xyz,b\n");
        const Dataset d = loadDataset(dir() + "/ext.csv");
        QCOMPARE(d.columns[0].kind, Modality::Image);
        QVERIFY(hasIssue(d, "unknown image extension \".xyz\""));
        QCOMPARE(d.samples.size(), std::size_t(2)); // the row had nothing else
    }

    void labelsOnlyInTestAreFlagged()
    {
        writeFile(dir() + "/onlytest.csv", "text,label,split\na,x,train\nb,y,train\nc,zebra,test\n");
        const Dataset d = loadDataset(dir() + "/onlytest.csv");
        QVERIFY(hasIssue(d, "class \"zebra\" has no training samples"));
    }

    void singleClassIsFlagged()
    {
        writeFile(dir() + "/one.csv", "text,label\na,x\nb,x\n");
        QVERIFY(hasIssue(loadDataset(dir() + "/one.csv"), "only one class"));
    }

    void malformedCsvIsAnError()
    {
        writeFile(dir() + "/bad.csv", "text,label\n\"never closed,a\n");
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir() + "/bad.csv"));
        writeFile(dir() + "/latin1.csv", "text,label\ncaf\xe9,a\n");
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir() + "/latin1.csv"));
        writeFile(dir() + "/empty.csv", "");
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir() + "/empty.csv"));
    }

    void notADataset()
    {
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir() + "/does-not-exist"));
        writeFile(dir() + "/notes.md", "hello");
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir() + "/notes.md"));
    }

    void folderWithManifestUsesIt()
    {
        QTemporaryDir t;
        const std::string d = t.path().toStdString();
        writeImage(d + "/x.png", 4, 4);
        writeFile(d + "/manifest.csv", "image,label\nx.png,a\nx.png,b\n");
        QCOMPARE(loadDataset(d).format, std::string("csv"));
    }
};

QTEST_APPLESS_MAIN(TestManifest)
#include "test_manifest.moc"
