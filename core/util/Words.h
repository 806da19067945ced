// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Splitting text into word or character tokens: the text columns' tokenizers
// (core/media/Text.h) and the sequence targets' vocabularies (core/data/TargetVocabulary.h)
// share these, so a word is the same thing on both sides of a model.
#include <string>
#include <string_view>
#include <vector>

namespace fuselab {

// Words: runs of letters/digits; each punctuation mark is a token; CJK ideographs, kana
// and Hangul syllables are one token each (those scripts put no spaces between words).
// The text must be valid UTF-8.
std::vector<std::string> splitWords(std::string_view text, bool lowercase);
// Characters: one token per Unicode code point, whitespace dropped.
std::vector<std::string> splitChars(std::string_view text, bool lowercase);

} // namespace fuselab
