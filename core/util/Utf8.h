// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fuselab::utf8 {

// Drops a leading UTF-8 byte-order mark.
std::string_view stripBom(std::string_view text);

// Returns the byte offset of the first invalid sequence, or npos when `text` is valid UTF-8
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t findInvalid(std::string_view text);

// Decodes valid UTF-8 into code points (call findInvalid first).
std::vector<char32_t> decode(std::string_view text);
std::string encode(char32_t cp);

// CJK ideographs, kana and Hangul: scripts written without spaces between words, which a
// word-level tokenizer splits one character per token.
bool isCjk(char32_t cp);
bool isSpace(char32_t cp);
// Letters and digits of any script (a coarse check good enough for tokenizing).
bool isWordChar(char32_t cp);
char32_t toLowerAscii(char32_t cp);

} // namespace fuselab::utf8
