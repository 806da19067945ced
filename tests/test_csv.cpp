// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/CsvReader.h"

#include <QTest>

using fuselab::parseCsv;

class TestCsv final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plainRows()
    {
        const auto r = parseCsv("a,b,c\n1,2,3\n4,5,6\n");
        QVERIFY(r.error.empty());
        QCOMPARE(r.records.size(), std::size_t(3));
        QCOMPARE(r.records[2].fields[1], std::string("5"));
        QCOMPARE(r.records[2].line, 3L);
    }
    void quotedFieldsWithCommasNewlinesAndEscapedQuotes()
    {
        const auto r = parseCsv("text,label\n\"hello, world\",a\n\"two\nlines\",b\n\"say \"\"hi\"\"\",c\n");
        QVERIFY(r.error.empty());
        QCOMPARE(r.records.size(), std::size_t(4));
        QCOMPARE(r.records[1].fields[0], std::string("hello, world"));
        QCOMPARE(r.records[2].fields[0], std::string("two\nlines"));
        QCOMPARE(r.records[3].fields[0], std::string("say \"hi\""));
        // The record after a two-line field starts on line 5.
        QCOMPARE(r.records[3].line, 5L);
    }
    void crlfAndBom()
    {
        const auto r = parseCsv("\xEF\xBB\xBFimage,label\r\nx.png,cat\r\ny.png,dog\r\n");
        QVERIFY(r.error.empty());
        QCOMPARE(r.records.size(), std::size_t(3));
        QCOMPARE(r.records[0].fields[0], std::string("image")); // BOM stripped
        QCOMPARE(r.records[2].fields[1], std::string("dog"));   // no trailing \r
    }
    void crlfInsideQuotesIsKept()
    {
        const auto r = parseCsv("t\r\n\"a\r\nb\"\r\n");
        QCOMPARE(r.records.size(), std::size_t(2));
        QCOMPARE(r.records[1].fields[0], std::string("a\r\nb"));
    }
    void emptyFieldsAndNoTrailingNewline()
    {
        const auto r = parseCsv("a,b,c\n,,\n1,,3");
        QCOMPARE(r.records.size(), std::size_t(3));
        QCOMPARE(r.records[1].fields.size(), std::size_t(3));
        QVERIFY(r.records[1].fields[0].empty());
        QCOMPARE(r.records[2].fields[2], std::string("3"));
    }
    void blankLinesAreSkipped()
    {
        const auto r = parseCsv("a,b\n\n1,2\n\n");
        QCOMPARE(r.records.size(), std::size_t(2));
    }
    void quotedEmptyFieldIsARecord()
    {
        const auto r = parseCsv("a\n\"\"\n");
        QCOMPARE(r.records.size(), std::size_t(2));
        QVERIFY(r.records[1].fields[0].empty());
    }
    void unterminatedQuoteIsAnErrorWithItsLine()
    {
        const auto r = parseCsv("a,b\n1,2\n\"open,3\n4,5\n");
        QVERIFY(!r.error.empty());
        QCOMPARE(r.errorLine, 3L);
    }
    void raggedRowsAreReturnedForTheCallerToJudge()
    {
        const auto r = parseCsv("a,b,c\n1,2\n1,2,3,4\n");
        QCOMPARE(r.records[1].fields.size(), std::size_t(2));
        QCOMPARE(r.records[2].fields.size(), std::size_t(4));
    }
};

QTEST_APPLESS_MAIN(TestCsv)
#include "test_csv.moc"
