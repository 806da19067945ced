// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// BERT's tokenisation, for pretrained text encoders from the Hugging Face ecosystem: the
// basic tokenizer (clean the text, spaces around CJK ideographs, lower-case and strip
// accents as configured, split on whitespace and punctuation) then WordPiece (greedy
// longest-match-first over the vocabulary, continuation pieces prefixed "##", a word with
// no segmentation becomes [UNK]). Unicode properties and normalisation come from ICU.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fuselab {

struct WordPieceConfig {
    bool lowercase = true;
    int stripAccents = -1;          // -1: as lowercase (BERT's default), 0 no, 1 yes
    bool chineseChars = true;       // spaces around CJK ideographs
    bool cleanText = true;
    std::string unk = "[UNK]", cls = "[CLS]", sep = "[SEP]", pad = "[PAD]";
    std::string prefix = "##";
    int maxCharsPerWord = 100;
};

class WordPieceTokenizer {
public:
    // vocab.txt: one token per line, its id the line number (from 0).
    static WordPieceTokenizer fromVocabFile(const std::string &path, WordPieceConfig config = {});
    // tokenizer.json of the `tokenizers` library: a WordPiece model and, when present, a
    // BertNormalizer and BertPreTokenizer. Anything else is refused naming it and why.
    static WordPieceTokenizer fromTokenizerJson(const std::string &path);
    // vocab.txt (lower-casing as `lowercase` says: true for uncased models) or
    // tokenizer.json (as its normaliser says), by the file's name.
    static WordPieceTokenizer fromFile(const std::string &path, bool lowercase = true);
    WordPieceTokenizer(std::vector<std::string> vocab, WordPieceConfig config);

    // The basic tokenizer's words (before WordPiece).
    std::vector<std::string> basicTokens(std::string_view text) const;
    // Word pieces of the text (no [CLS]/[SEP]).
    std::vector<std::string> tokenize(std::string_view text) const;
    // [CLS] pieces [SEP], truncated so that the whole fits maxLength (0: no limit), as ids;
    // `mask` (optional) gets 1 per real token. Padding is the caller's (padId()).
    std::vector<std::int64_t> encode(std::string_view text, int maxLength = 0) const;
    std::int64_t id(const std::string &token) const; // unk's id when absent

    std::int64_t padId() const { return id(m_config.pad); }
    std::int64_t vocabSize() const { return static_cast<std::int64_t>(m_vocab.size()); }
    const WordPieceConfig &config() const { return m_config; }
    const std::vector<std::string> &vocab() const { return m_vocab; }

private:
    static WordPieceTokenizer readTokenizerJson(const std::string &path);
    std::vector<std::string> m_vocab;
    std::unordered_map<std::string, std::int64_t> m_ids;
    WordPieceConfig m_config;
};

} // namespace fuselab
