// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/Text.h"
#include "core/media/WordPiece.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
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
    // BERT's basic tokenizer on the examples of Hugging Face's own tests
    // (tests/models/bert/test_tokenization_bert.py): whitespace, punctuation, case,
    // accents, Chinese characters.
    void wordPieceBasicTokenizer()
    {
        const WordPieceTokenizer lower({"[UNK]"}, {});
        QCOMPARE(lower.basicTokens(" \tHeLLo!how  \n Are yoU?  "), (std::vector<std::string>{"hello", "!", "how", "are", "you", "?"}));
        QCOMPARE(lower.basicTokens("H\u00E9llo"), (std::vector<std::string>{"hello"}));
        QCOMPARE(lower.basicTokens("ah\u535A\u63A8zz"), (std::vector<std::string>{"ah", "\u535A", "\u63A8", "zz"}));
        WordPieceConfig keep;
        keep.stripAccents = 0;
        QCOMPARE(WordPieceTokenizer({"[UNK]"}, keep).basicTokens(" \tH\u00E4LLo!how  \n Are yoU?  "),
                 (std::vector<std::string>{"h\u00E4llo", "!", "how", "are", "you", "?"}));
        WordPieceConfig cased;
        cased.lowercase = false;
        QCOMPARE(WordPieceTokenizer({"[UNK]"}, cased).basicTokens(" \tHeLLo!how  \n Are yoU?  "),
                 (std::vector<std::string>{"HeLLo", "!", "how", "Are", "yoU", "?"}));
        cased.stripAccents = 1;
        QCOMPARE(WordPieceTokenizer({"[UNK]"}, cased).basicTokens(" \tH\u00E4LLo!how  \n Are yoU?  "),
                 (std::vector<std::string>{"HaLLo", "!", "how", "Are", "yoU", "?"}));
        // Control and format characters go (a soft hyphen), other whitespace splits.
        QCOMPARE(lower.basicTokens("soft\u00ADhy\u3000phen\x01"), (std::vector<std::string>{"softhy", "phen"}));
    }

    // WordPiece: greedy longest match first ("unaffable" -> un ##aff ##able, the
    // algorithm's published example) and HF's test vocabulary.
    void wordPieceSegmentation()
    {
        const WordPieceTokenizer t({"[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un", "runn", "##ing", "##aff", "##able", "[PAD]"}, {});
        QVERIFY(t.tokenize("").empty());
        QCOMPARE(t.tokenize("unwanted running"), (std::vector<std::string>{"un", "##want", "##ed", "runn", "##ing"}));
        QCOMPARE(t.tokenize("unwantedX running"), (std::vector<std::string>{"[UNK]", "runn", "##ing"}));
        QCOMPARE(t.tokenize("unaffable"), (std::vector<std::string>{"un", "##aff", "##able"}));
        QCOMPARE(t.encode("unwanted running"), (std::vector<std::int64_t>{1, 7, 4, 5, 8, 9, 2}));
        QCOMPARE(t.encode("unwanted running", 5), (std::vector<std::int64_t>{1, 7, 4, 5, 2})); // [SEP] kept
        QCOMPARE(t.padId(), std::int64_t(12));
    }

    // The same from files: vocab.txt, and a tokenizer.json with a WordPiece model and a
    // cased BertNormalizer; other models and normalisers are refused naming them.
    void wordPieceFiles()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        test::writeFile(d + "/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\nHello\nhello\n");
        const WordPieceTokenizer v = WordPieceTokenizer::fromFile(d + "/vocab.txt");
        QCOMPARE(v.encode("Unaffable hello"), (std::vector<std::int64_t>{2, 4, 5, 6, 8, 3}));
        QCOMPARE(v.padId(), std::int64_t(0));
        const std::string model = R"("model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
            "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "Hello": 4, "hello": 5}})";
        test::writeFile(d + "/tokenizer.json", "{\"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": false, \"strip_accents\": null, "
                                               "\"clean_text\": true, \"handle_chinese_chars\": true}, \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}, " +
                                                   model + "}");
        QCOMPARE(WordPieceTokenizer::fromFile(d + "/tokenizer.json").encode("Hello hello"), (std::vector<std::int64_t>{2, 4, 5, 3}));
        // No normaliser at all: no lower-casing either (the tokenizers library's meaning).
        test::writeFile(d + "/plain.json", "{" + model + "}");
        QCOMPARE(WordPieceTokenizer::fromFile(d + "/plain.json").encode("Hello hello"), (std::vector<std::int64_t>{2, 4, 5, 3}));
        // A cased vocab.txt keeps case when asked.
        test::writeFile(d + "/cased.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nHello\nhello\n");
        QCOMPARE(WordPieceTokenizer::fromFile(d + "/cased.txt", false).encode("Hello hello"), (std::vector<std::int64_t>{2, 4, 5, 3}));
        QCOMPARE(WordPieceTokenizer::fromFile(d + "/cased.txt").encode("Hello hello"), (std::vector<std::int64_t>{2, 5, 5, 3}));
        const std::vector<std::pair<std::string, std::string>> refused = {
            {R"({"model": {"type": "BPE", "vocab": {}}})", "model is BPE"},
            {"{\"normalizer\": {\"type\": \"NFC\"}, " + model + "}", "normaliser NFC is not supported"},
            {"{\"pre_tokenizer\": {\"type\": \"Metaspace\"}, " + model + "}", "pre-tokenizer Metaspace is not supported"},
            {R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})", "has no [UNK] token"},
            {R"({"model": {"type": "WordPiece", "unk_token": null, "vocab": {"[UNK]": 0}}})", "not a tokenizer.json FuseLab can read"},
            {"[1, 2]", "not a tokenizer.json"},
        };
        for (const auto &[json, why] : refused) {
            test::writeFile(d + "/bad.json", json);
            try {
                WordPieceTokenizer::fromFile(d + "/bad.json");
                QFAIL(why.c_str());
            } catch (const Error &e) {
                const std::string m = e.what();
                QVERIFY2(m.find("bad.json") != std::string::npos && m.find(why) != std::string::npos, m.c_str());
            }
        }
    }

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
        // Ids back to their text (for explanations): the vocabulary's entries, "#id" outside it.
        QCOMPARE(tok->piece(2), std::string("a"));
        QCOMPARE(tok->piece(Tokenizer::kUnk), std::string("<unk>"));
        QCOMPARE(tok->piece(99), std::string("#99"));
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
#ifdef FUSELAB_SANITIZED
        QSKIP("SentencePiece's module needs RTLD_DEEPBIND, which sanitizers do not support: covered by the normal build");
#endif
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
        // Ids back to their pieces: the pieces of "the cat sat on the mat", joined with
        // SentencePiece's word marker (U+2581) as spaces, give the sentence back.
        std::string joined;
        for (auto id : en)
            joined += again->piece(id);
        std::string spaced;
        for (std::size_t i = 0; i < joined.size();)
            if (joined.compare(i, 3, "\xE2\x96\x81") == 0) {
                spaced += ' ';
                i += 3;
            } else
                spaced += joined[i++];
        QCOMPARE(spaced, std::string(" the cat sat on the mat"));
        QCOMPARE(again->piece(-1), std::string("#-1"));
        QVERIFY_THROWS_EXCEPTION(Error, again->deserialize("garbage"));
    }

    void sentencePieceWithNoTextIsAnError()
    {
#ifdef FUSELAB_SANITIZED
        QSKIP("SentencePiece's module needs RTLD_DEEPBIND, which sanitizers do not support: covered by the normal build");
#endif
        TextSettings s;
        s.tokenizer = TokenizerKind::SentencePiece;
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::create(s)->fit({"", ""}));
    }
};

QTEST_APPLESS_MAIN(TestText)
#include "test_text.moc"
