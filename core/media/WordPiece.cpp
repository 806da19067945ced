// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/WordPiece.h"

#include "core/util/Error.h"
#include "core/util/FileIO.h"

#include <nlohmann/json.hpp>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace fuselab {

namespace {

bool isWhitespace(UChar32 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || u_charType(c) == U_SPACE_SEPARATOR; }

bool isControl(UChar32 c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    const auto t = u_charType(c);
    return t == U_CONTROL_CHAR || t == U_FORMAT_CHAR;
}

bool isPunctuation(UChar32 c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true; // ASCII symbols count as punctuation, as in BERT
    switch (u_charType(c)) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
        return true;
    default:
        return false;
    }
}

// The CJK Unified Ideographs blocks BERT spaces out (not kana or Hangul).
bool isChineseChar(UChar32 c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string codePoints(const icu::UnicodeString &u)
{
    std::u32string out;
    for (std::int32_t i = 0; i < u.length();) {
        const UChar32 c = u.char32At(i);
        out += static_cast<char32_t>(c);
        i += U16_LENGTH(c);
    }
    return out;
}

std::u32string toCodePoints(std::string_view utf8)
{
    return codePoints(icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size()))));
}

std::string toUtf8(const std::u32string &s)
{
    icu::UnicodeString u;
    for (char32_t c : s)
        u.append(static_cast<UChar32>(c));
    std::string out;
    u.toUTF8String(out);
    return out;
}

std::u32string lowerAndStrip(const std::u32string &word, bool lower, bool strip)
{
    icu::UnicodeString u;
    for (char32_t c : word)
        u.append(static_cast<UChar32>(c));
    if (lower)
        u.toLower(icu::Locale::getRoot());
    if (strip) {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2 *nfd = icu::Normalizer2::getNFDInstance(status);
        if (U_SUCCESS(status)) {
            const icu::UnicodeString decomposed = nfd->normalize(u, status);
            if (U_SUCCESS(status)) {
                icu::UnicodeString kept;
                for (std::int32_t i = 0; i < decomposed.length();) {
                    const UChar32 c = decomposed.char32At(i);
                    if (u_charType(c) != U_NON_SPACING_MARK)
                        kept.append(c);
                    i += U16_LENGTH(c);
                }
                u = kept;
            }
        }
    }
    return codePoints(u);
}

} // namespace

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, WordPieceConfig config) : m_vocab(std::move(vocab)), m_config(std::move(config))
{
    for (std::size_t i = 0; i < m_vocab.size(); ++i)
        m_ids.emplace(m_vocab[i], static_cast<std::int64_t>(i)); // the first of duplicates wins
}

WordPieceTokenizer WordPieceTokenizer::fromVocabFile(const std::string &path, WordPieceConfig config)
{
    const std::string text = readFile(path, 64u << 20);
    std::vector<std::string> vocab;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string token = text.substr(start, end - start);
        if (!token.empty() && token.back() == '\r')
            token.pop_back();
        vocab.push_back(token);
        start = end + 1;
    }
    if (vocab.empty())
        throw Error(Message(FL_TR("WordPiece", "%1: the vocabulary is empty"), path));
    WordPieceTokenizer t(std::move(vocab), std::move(config));
    if (!t.m_ids.count(t.m_config.unk))
        throw Error(Message(FL_TR("WordPiece", "%1: the vocabulary has no %2 token"), path, t.m_config.unk));
    return t;
}

WordPieceTokenizer WordPieceTokenizer::fromTokenizerJson(const std::string &path)
{
    try {
        return readTokenizerJson(path);
    } catch (const nlohmann::json::exception &e) { // a field of the wrong type
        throw Error(Message(FL_TR("WordPiece", "%1: not a tokenizer.json FuseLab can read (%2)"), path, std::string(e.what())));
    }
}

WordPieceTokenizer WordPieceTokenizer::readTokenizerJson(const std::string &path)
{
    const nlohmann::json j = nlohmann::json::parse(readFile(path, 256u << 20), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("model") || !j["model"].is_object())
        throw Error(Message(FL_TR("WordPiece", "%1: not a tokenizer.json (no \"model\" object)"), path));
    const nlohmann::json &model = j["model"];
    const std::string type = model.value("type", "");
    if (type != "WordPiece")
        throw Error(Message(FL_TR("WordPiece", "%1: the tokenizer's model is %2; FuseLab reads WordPiece models only"), path,
                            type.empty() ? std::string("unnamed") : type));
    if (!model.contains("vocab") || !model["vocab"].is_object())
        throw Error(Message(FL_TR("WordPiece", "%1: the WordPiece model has no vocab object"), path));
    WordPieceConfig c;
    // No normaliser: no normalisation (the tokenizers library's meaning), not BERT-uncased's.
    c.lowercase = false;
    c.cleanText = false;
    c.chineseChars = false;
    c.stripAccents = 0;
    c.unk = model.value("unk_token", c.unk);
    c.prefix = model.value("continuing_subword_prefix", c.prefix);
    c.maxCharsPerWord = model.value("max_input_chars_per_word", c.maxCharsPerWord);
    if (j.contains("normalizer") && !j["normalizer"].is_null()) {
        const nlohmann::json &n = j["normalizer"];
        if (!n.contains("type") || !n["type"].is_string() || n["type"].get<std::string>() != "BertNormalizer")
            throw Error(Message(FL_TR("WordPiece", "%1: the normaliser %2 is not supported (only BertNormalizer)"), path,
                                n.contains("type") && n["type"].is_string() ? n["type"].get<std::string>() : std::string("?")));
        if (!n.is_object())
            throw Error(Message(FL_TR("WordPiece", "%1: the normaliser is not an object"), path));
        c.lowercase = n.value("lowercase", true);
        c.cleanText = n.value("clean_text", true);
        c.chineseChars = n.value("handle_chinese_chars", true);
        c.stripAccents = n.contains("strip_accents") && n["strip_accents"].is_boolean() ? (n["strip_accents"].get<bool>() ? 1 : 0) : -1;
    }
    if (j.contains("pre_tokenizer") && !j["pre_tokenizer"].is_null() &&
        (!j["pre_tokenizer"].is_object() || j["pre_tokenizer"].value("type", std::string()) != "BertPreTokenizer"))
        throw Error(Message(FL_TR("WordPiece", "%1: the pre-tokenizer %2 is not supported (only BertPreTokenizer)"), path,
                            j["pre_tokenizer"].value("type", std::string("?"))));
    std::vector<std::string> vocab;
    for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) {
        if (!it.value().is_number_unsigned())
            throw Error(Message(FL_TR("WordPiece", "%1: the id of \"%2\" is not a non-negative integer"), path, it.key()));
        const auto id = it.value().get<std::size_t>();
        if (id >= (1u << 24))
            throw Error(Message(FL_TR("WordPiece", "%1: the id of \"%2\" is impossibly large"), path, it.key()));
        if (vocab.size() <= id)
            vocab.resize(id + 1);
        vocab[id] = it.key();
    }
    WordPieceTokenizer t(std::move(vocab), c);
    if (!t.m_ids.count(c.unk))
        throw Error(Message(FL_TR("WordPiece", "%1: the vocabulary has no %2 token"), path, c.unk));
    return t;
}

WordPieceTokenizer WordPieceTokenizer::fromFile(const std::string &path, bool lowercase)
{
    const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    if (json)
        return fromTokenizerJson(path);
    WordPieceConfig c;
    c.lowercase = lowercase;
    return fromVocabFile(path, c);
}

std::int64_t WordPieceTokenizer::id(const std::string &token) const
{
    const auto it = m_ids.find(token);
    if (it != m_ids.end())
        return it->second;
    const auto unk = m_ids.find(m_config.unk);
    return unk == m_ids.end() ? 0 : unk->second;
}

std::vector<std::string> WordPieceTokenizer::basicTokens(std::string_view text) const
{
    const bool strip = m_config.stripAccents < 0 ? m_config.lowercase : m_config.stripAccents == 1;
    std::u32string cleaned;
    for (char32_t c : toCodePoints(text)) {
        if (m_config.cleanText && (c == 0 || c == 0xFFFD || isControl(static_cast<UChar32>(c))))
            continue;
        if (m_config.chineseChars && isChineseChar(static_cast<UChar32>(c))) {
            cleaned += U' ';
            cleaned += c;
            cleaned += U' ';
        } else {
            cleaned += isWhitespace(static_cast<UChar32>(c)) ? U' ' : c;
        }
    }
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < cleaned.size()) {
        while (i < cleaned.size() && cleaned[i] == U' ')
            ++i;
        std::size_t j = i;
        while (j < cleaned.size() && cleaned[j] != U' ')
            ++j;
        if (j > i) {
            const std::u32string word = lowerAndStrip(cleaned.substr(i, j - i), m_config.lowercase, strip);
            std::u32string current;
            for (char32_t c : word) {
                if (isPunctuation(static_cast<UChar32>(c))) {
                    if (!current.empty())
                        out.push_back(toUtf8(current));
                    current.clear();
                    out.push_back(toUtf8(std::u32string(1, c)));
                } else {
                    current += c;
                }
            }
            if (!current.empty())
                out.push_back(toUtf8(current));
        }
        i = j;
    }
    return out;
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::string> out;
    for (const std::string &word : basicTokens(text)) {
        const std::u32string chars = toCodePoints(word);
        if (static_cast<int>(chars.size()) > m_config.maxCharsPerWord) {
            out.push_back(m_config.unk);
            continue;
        }
        std::vector<std::string> pieces;
        bool bad = false;
        std::size_t start = 0;
        while (start < chars.size()) {
            std::size_t end = chars.size();
            std::string found;
            while (start < end) {
                std::string piece = toUtf8(chars.substr(start, end - start));
                if (start > 0)
                    piece = m_config.prefix + piece;
                if (m_ids.count(piece)) {
                    found = std::move(piece);
                    break;
                }
                --end;
            }
            if (found.empty()) {
                bad = true;
                break;
            }
            pieces.push_back(std::move(found));
            start = end;
        }
        if (bad)
            out.push_back(m_config.unk);
        else
            out.insert(out.end(), pieces.begin(), pieces.end());
    }
    return out;
}

std::vector<std::int64_t> WordPieceTokenizer::encode(std::string_view text, int maxLength) const
{
    std::vector<std::string> pieces = tokenize(text);
    if (maxLength > 0 && static_cast<int>(pieces.size()) > maxLength - 2)
        pieces.resize(static_cast<std::size_t>(std::max(0, maxLength - 2)));
    std::vector<std::int64_t> ids;
    ids.reserve(pieces.size() + 2);
    ids.push_back(id(m_config.cls));
    for (const std::string &p : pieces)
        ids.push_back(id(p));
    ids.push_back(id(m_config.sep));
    return ids;
}

} // namespace fuselab
