// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"
#include "core/util/Words.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fuselab {

// Validates UTF-8 and drops a byte-order mark. False with `error` naming the byte offset
// of the first invalid sequence.
bool normaliseText(std::string_view raw, std::string *text, Message *error);

enum class TokenizerKind { Word, Char, SentencePiece, WordPiece };
const char *tokenizerKindName(TokenizerKind k);

struct TextSettings {
    TokenizerKind tokenizer = TokenizerKind::Word;
    int maxLength = 64;        // tokens per sample after truncation/padding
    int minCount = 1;          // word/char: drop rarer tokens from the vocabulary
    int maxVocab = 20000;      // word/char: keep the most frequent
    bool lowercase = true;     // word/char
    std::string spmModel = "unigram"; // sentencepiece: "unigram" or "bpe"
    int spmVocab = 2000;       // sentencepiece: upper bound; smaller corpora get less
    std::string vocabFile;     // wordpiece: a pretrained model's vocab.txt or tokenizer.json (relative to the experiment file)
};

// Turns text into fixed-length id sequences. Id 0 is padding, id 1 unknown.
class Tokenizer {
public:
    static constexpr std::int32_t kPad = 0;
    static constexpr std::int32_t kUnk = 1;

    virtual ~Tokenizer() = default;
    // Learns the vocabulary (or SentencePiece model) from training texts. Throws Error.
    virtual void fit(const std::vector<std::string> &texts) = 0;
    virtual std::vector<std::int32_t> encode(std::string_view text) const = 0;
    virtual std::int64_t vocabSize() const = 0;
    // Serialised state (JSON for word/char, the SentencePiece model proto) to store beside
    // the tensor cache and in exports.
    virtual std::string serialize() const = 0;
    virtual void deserialize(const std::string &data) = 0;

    // Encodes and pads/truncates to `length`.
    virtual void encodeFixed(std::string_view text, int length, std::int32_t *out) const;
    // The text of one id (a word, a character, a piece), for showing which tokens a
    // prediction rests on; "#id" for an id the vocabulary lacks.
    virtual std::string piece(std::int32_t id) const = 0;

    static std::unique_ptr<Tokenizer> create(const TextSettings &settings);
};

} // namespace fuselab
