// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/Text.h"
#include "core/util/Error.h"

#include <QTest>

#include <set>

using namespace fuselab;

namespace {
std::vector<std::string> corpus()
{
    std::vector<std::string> v;
    const char *en[] = {"the cat sat on the mat", "a dog barked at the cat", "the bird sang a song",
                        "cats and dogs are friends", "the quick brown fox jumps over the lazy dog"};
    const char *zh[] = {"今天天气很好，我们去公园散步。", "我喜欢吃苹果和香蕉。", "这只猫在睡觉。",
                        "机器学习是人工智能的一个分支。", "多模态学习可以处理图像、文本和音频。"};
    for (int r = 0; r < 40; ++r) {
        for (auto s : en)
            v.push_back(s);
        for (auto s : zh)
            v.push_back(s);
    }
    return v;
}
} // namespace

class TestText final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void utf8ValidationAndBom()
    {
        std::string text;
        Message err;
        QVERIFY(normaliseText("\xEF\xBB\xBFhello", &text, &err));
        QCOMPARE(text, std::string("hello"));
        QVERIFY(!normaliseText("caf\xE9 au lait", &text, &err)); // Latin-1
        QVERIFY2(err.str().find("offset 3") != std::string::npos, err.str().c_str());
        QVERIFY(!normaliseText("\xC0\xAF", &text, &err));        // overlong '/'
        QVERIFY(!normaliseText("\xED\xA0\x80", &text, &err));    // surrogate
        QVERIFY(normaliseText("中文 ✓ 😀", &text, &err));
    }

    void wordSplitting()
    {
        QCOMPARE(splitWords("Hello, World! it's 2024", true),
                 (std::vector<std::string>{"hello", ",", "world", "!", "it's", "2024"}));
        // Chinese has no spaces: one token per character, punctuation apart.
        QCOMPARE(splitWords("我爱猫。OK", true), (std::vector<std::string>{"我", "爱", "猫", "。", "ok"}));
        QCOMPARE(splitWords("naïve café", false), (std::vector<std::string>{"naïve", "café"}));
        QCOMPARE(splitChars("a b中", false), (std::vector<std::string>{"a", "b", "中"}));
    }

    void wordVocabularyMinCountAndMaxSize()
    {
        TextSettings s;
        s.minCount = 2;
        auto tok = Tokenizer::create(s);
        tok->fit({"a a a b b c", "a b d"});
        // <pad>, <unk>, a (4), b (3); c and d appear once.
        QCOMPARE(tok->vocabSize(), std::int64_t(4));
        QCOMPARE(tok->encode("a b c"), (std::vector<std::int32_t>{2, 3, Tokenizer::kUnk}));
        s.minCount = 1;
        s.maxVocab = 3;
        auto small = Tokenizer::create(s);
        small->fit({"a a a b b c"});
        QCOMPARE(small->vocabSize(), std::int64_t(3));
    }

    void fixedLengthPadsAndTruncates()
    {
        auto tok = Tokenizer::create({});
        tok->fit({"x y z"});
        std::int32_t out[5];
        tok->encodeFixed("x y", 5, out);
        QCOMPARE(out[0], 2);
        QCOMPARE(out[2], Tokenizer::kPad);
        QCOMPARE(out[4], Tokenizer::kPad);
        std::int32_t two[2];
        tok->encodeFixed("x y z x", 2, two);
        QCOMPARE(two[1], tok->encode("y")[0]);
    }

    void charTokenizerHandlesChinese()
    {
        TextSettings s;
        s.tokenizer = TokenizerKind::Char;
        auto tok = Tokenizer::create(s);
        tok->fit(corpus());
        const auto ids = tok->encode("猫在睡觉");
        QCOMPARE(ids.size(), std::size_t(4));
        for (auto id : ids)
            QVERIFY(id > Tokenizer::kUnk);
        QCOMPARE(tok->encode("龘")[0], Tokenizer::kUnk); // never seen
    }

    void serialisedVocabularyRoundTrips()
    {
        auto tok = Tokenizer::create({});
        tok->fit(corpus());
        auto again = Tokenizer::create({});
        again->deserialize(tok->serialize());
        QCOMPARE(again->encode("the cat 喜欢 banana"), tok->encode("the cat 喜欢 banana"));
        QVERIFY_THROWS_EXCEPTION(Error, again->deserialize("not json"));
    }

    void sentencePiece_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("unigram") << "unigram";
        QTest::newRow("bpe") << "bpe";
    }
    void sentencePiece()
    {
        QFETCH(QString, model);
        TextSettings s;
        s.tokenizer = TokenizerKind::SentencePiece;
        s.spmModel = model.toStdString();
        s.spmVocab = 120;
        auto tok = Tokenizer::create(s);
        tok->fit(corpus());
        QVERIFY(tok->vocabSize() > 20);
        QVERIFY(tok->vocabSize() <= 120);
        const auto en = tok->encode("the cat sat on the mat");
        const auto zh = tok->encode("我喜欢吃苹果");
        QVERIFY(!en.empty());
        QVERIFY(!zh.empty());
        std::set<std::int32_t> distinct(zh.begin(), zh.end());
        QVERIFY(distinct.size() >= 2);         // Chinese is split into pieces, not one unknown
        for (auto id : zh)
            QVERIFY(id != Tokenizer::kPad);
        // The model is stored and reloaded byte for byte.
        auto again = Tokenizer::create(s);
        again->deserialize(tok->serialize());
        QCOMPARE(again->encode("我喜欢吃苹果"), zh);
        QVERIFY_THROWS_EXCEPTION(Error, again->deserialize("garbage"));
    }

    void sentencePieceWithNoTextIsAnError()
    {
        TextSettings s;
        s.tokenizer = TokenizerKind::SentencePiece;
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::create(s)->fit({"", ""}));
    }
};

QTEST_APPLESS_MAIN(TestText)
#include "test_text.moc"
