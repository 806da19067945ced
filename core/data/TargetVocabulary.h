// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The vocabulary of a sequence dataset's targets (the texts a model learns to produce):
// fitted on the training split only, with four special tokens first. It is the dataset's
// class list for a sequence task (Dataset::classes, the experiment's and the tensor
// cache's), so a model's output size and every check that two sides agree on their
// classes work for sequences unchanged.
#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fuselab {

struct TargetSettings {
    std::string tokens = "word"; // word | char
    int maxLength = 48;          // target tokens kept (BOS and EOS not counted); longer ones are truncated
    bool lowercase = false;
    int minCount = 1;            // rarer tokens become <unk>
    int maxVocab = 20000;        // the most frequent, specials included
    bool chars() const { return tokens == "char"; }
};

class TargetVocabulary {
public:
    static constexpr std::int32_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;
    static constexpr int kSpecials = 4;

    // From the training targets; tokens by falling frequency, ties by the token.
    static TargetVocabulary fit(const std::vector<std::string> &texts, const TargetSettings &settings);
    // From a stored list (a dataset's classes) whose first four are the specials. Throws
    // Error when they are not.
    static TargetVocabulary fromTokens(std::vector<std::string> tokens, bool chars, bool lowercase = false);

    // Words (as text columns split them) or characters, where a run of whitespace is one
    // " " token.
    std::vector<std::string> split(std::string_view text) const;
    struct Encoded {
        std::vector<std::int32_t> ids; // without BOS and EOS, at most maxLength
        std::int64_t tokens = 0;       // before truncation
        std::int64_t unknown = 0;      // tokens not in the vocabulary
        bool truncated = false;
    };
    Encoded encode(std::string_view text, int maxLength) const;
    // Text from ids: specials skipped, stops at the first EOS. Words are joined by spaces,
    // without one before closing punctuation or after opening brackets.
    std::string decode(const std::vector<std::int64_t> &ids) const;
    std::string piece(std::int64_t id) const; // a token's text, "<pad>"... for specials

    const std::vector<std::string> &tokens() const { return m_tokens; }
    std::int64_t size() const { return static_cast<std::int64_t>(m_tokens.size()); }
    bool chars() const { return m_chars; }

private:
    void index(); // m_ids from m_tokens
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, std::int32_t> m_ids; // the tokens after the specials
    bool m_chars = false, m_lowercase = false;
};

// The four specials, in id order: "<pad>", "<unk>", "<bos>", "<eos>".
const std::vector<std::string> &targetSpecials();

// The vocabulary of a sequence dataset's training targets.
TargetVocabulary fitTargetVocabulary(const Dataset &d, const TargetSettings &settings);

// What inspect reports about a sequence dataset's targets under a vocabulary: per split,
// how many targets, tokens, unknown tokens and targets over maxLength (truncated).
struct TargetStatistics {
    std::int64_t targets = 0, tokens = 0, unknown = 0, overLong = 0, longest = 0;
};
TargetStatistics targetStatistics(const Dataset &d, const TargetVocabulary &vocab, int maxLength, Split split);

// A maximum length that fits the training targets (split as `settings` says): the longest,
// rounded up to a multiple of 8, between 8 and 256.
int suggestedTargetLength(const std::vector<std::string> &trainTargets, const TargetSettings &settings);

} // namespace fuselab
