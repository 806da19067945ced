// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/TargetVocabulary.h"

#include "core/util/Error.h"
#include "core/util/Utf8.h"
#include "core/util/Words.h"

#include <algorithm>
#include <unordered_map>

namespace fuselab {

const std::vector<std::string> &targetSpecials()
{
    static const std::vector<std::string> s = {"<pad>", "<unk>", "<bos>", "<eos>"};
    return s;
}

namespace {

std::vector<std::string> splitTargetChars(std::string_view text, bool lowercase)
{
    std::vector<std::string> out;
    if (utf8::findInvalid(text) != std::string_view::npos)
        return out;
    bool space = false;
    for (char32_t cp : utf8::decode(text)) {
        if (utf8::isSpace(cp)) {
            space = !out.empty(); // leading whitespace dropped, a run becomes one
            continue;
        }
        if (space)
            out.emplace_back(" ");
        space = false;
        out.push_back(utf8::encode(lowercase ? utf8::toLowerAscii(cp) : cp));
    }
    return out;
}

bool closesUp(const std::string &t) // no space before it
{
    static const std::vector<std::string> closing = {".", ",", "!", "?", ";", ":", ")", "]", "}", "%", "'", "’", "。", "，", "！", "？"};
    return std::find(closing.begin(), closing.end(), t) != closing.end();
}
bool opensUp(const std::string &t) // no space after it
{
    return t == "(" || t == "[" || t == "{" || t == "'" || t == "’" || t == "¿" || t == "¡";
}
bool isCjkToken(const std::string &t)
{
    if (utf8::findInvalid(t) != std::string::npos)
        return false;
    const auto cps = utf8::decode(t);
    return cps.size() == 1 && utf8::isCjk(cps[0]);
}

} // namespace

TargetVocabulary TargetVocabulary::fit(const std::vector<std::string> &texts, const TargetSettings &settings)
{
    TargetVocabulary v;
    v.m_chars = settings.chars();
    v.m_lowercase = settings.lowercase;
    std::unordered_map<std::string, std::int64_t> counts;
    for (const std::string &t : texts)
        for (std::string &tok : v.split(t))
            ++counts[std::move(tok)];
    std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    v.m_tokens = targetSpecials();
    for (auto &[tok, n] : sorted) {
        if (n < settings.minCount || static_cast<int>(v.m_tokens.size()) >= settings.maxVocab)
            break;
        if (std::find(targetSpecials().begin(), targetSpecials().end(), tok) != targetSpecials().end())
            continue; // the text "<unk>" in a target stays unknown rather than meaning the special
        v.m_tokens.push_back(tok);
    }
    v.index();
    return v;
}

void TargetVocabulary::index()
{
    m_ids.clear();
    for (std::size_t i = kSpecials; i < m_tokens.size(); ++i)
        m_ids.emplace(m_tokens[i], static_cast<std::int32_t>(i));
}

TargetVocabulary TargetVocabulary::fromTokens(std::vector<std::string> tokens, bool chars, bool lowercase)
{
    if (tokens.size() < targetSpecials().size() || !std::equal(targetSpecials().begin(), targetSpecials().end(), tokens.begin()))
        throw Error(Message(FL_TR("DataReading", "a sequence target vocabulary must start with <pad>, <unk>, <bos> and <eos>")));
    TargetVocabulary v;
    v.m_tokens = std::move(tokens);
    v.m_chars = chars;
    v.m_lowercase = lowercase;
    v.index();
    return v;
}

std::vector<std::string> TargetVocabulary::split(std::string_view text) const
{
    if (m_chars)
        return splitTargetChars(text, m_lowercase);
    if (utf8::findInvalid(text) != std::string_view::npos)
        return {};
    return splitWords(text, m_lowercase);
}

TargetVocabulary::Encoded TargetVocabulary::encode(std::string_view text, int maxLength) const
{
    Encoded e;
    const std::vector<std::string> toks = split(text);
    e.tokens = static_cast<std::int64_t>(toks.size());
    for (const std::string &t : toks) {
        const auto it = m_ids.find(t);
        const std::int32_t id = it == m_ids.end() ? kUnk : it->second;
        e.unknown += id == kUnk;
        if (static_cast<int>(e.ids.size()) < maxLength)
            e.ids.push_back(id);
    }
    e.truncated = static_cast<int>(toks.size()) > maxLength;
    return e;
}

std::string TargetVocabulary::piece(std::int64_t id) const
{
    if (id < 0 || id >= size())
        return "#" + std::to_string(id);
    return m_tokens[static_cast<std::size_t>(id)];
}

std::string TargetVocabulary::decode(const std::vector<std::int64_t> &ids) const
{
    std::string out;
    std::string previous;
    for (const std::int64_t id : ids) {
        if (id == kEos)
            break;
        if (id == kPad || id == kBos || id < 0 || id >= size())
            continue;
        const std::string &t = m_tokens[static_cast<std::size_t>(id)];
        if (m_chars) {
            out += t;
        } else {
            const bool glue = out.empty() || closesUp(t) || opensUp(previous) || (isCjkToken(t) && isCjkToken(previous));
            out += (glue ? "" : " ") + t;
        }
        previous = t;
    }
    return out;
}

TargetVocabulary fitTargetVocabulary(const Dataset &d, const TargetSettings &settings)
{
    std::vector<std::string> train;
    for (const Sample &s : d.samples)
        if (s.split == Split::Train)
            train.push_back(s.targetText);
    return TargetVocabulary::fit(train, settings);
}

TargetStatistics targetStatistics(const Dataset &d, const TargetVocabulary &vocab, int maxLength, Split split)
{
    TargetStatistics st;
    for (const Sample &s : d.samples) {
        if (s.split != split)
            continue;
        const auto e = vocab.encode(s.targetText, maxLength);
        ++st.targets;
        st.tokens += e.tokens;
        st.unknown += e.unknown;
        st.overLong += e.truncated;
        st.longest = std::max(st.longest, e.tokens);
    }
    return st;
}

int suggestedTargetLength(const std::vector<std::string> &trainTargets, const TargetSettings &settings)
{
    const TargetVocabulary splitter = TargetVocabulary::fit({}, settings);
    std::size_t longest = 0;
    for (const std::string &t : trainTargets)
        longest = std::max(longest, splitter.split(t).size());
    return static_cast<int>(std::clamp<std::size_t>((longest + 7) / 8 * 8, 8, 256));
}

} // namespace fuselab
