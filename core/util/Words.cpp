// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/Words.h"

#include "core/util/Utf8.h"

namespace fuselab {

std::vector<std::string> splitWords(std::string_view text, bool lowercase)
{
    std::vector<std::string> tokens;
    std::string word;
    auto flush = [&] {
        if (!word.empty())
            tokens.push_back(std::move(word));
        word.clear();
    };
    for (char32_t cp : utf8::decode(text)) {
        if (lowercase)
            cp = utf8::toLowerAscii(cp);
        if (utf8::isSpace(cp)) {
            flush();
        } else if (utf8::isCjk(cp)) {
            flush();
            tokens.push_back(utf8::encode(cp));
        } else if (utf8::isWordChar(cp)) {
            word += utf8::encode(cp);
        } else {
            flush();
            tokens.push_back(utf8::encode(cp));
        }
    }
    flush();
    return tokens;
}

std::vector<std::string> splitChars(std::string_view text, bool lowercase)
{
    std::vector<std::string> tokens;
    for (char32_t cp : utf8::decode(text))
        if (!utf8::isSpace(cp))
            tokens.push_back(utf8::encode(lowercase ? utf8::toLowerAscii(cp) : cp));
    return tokens;
}

} // namespace fuselab
