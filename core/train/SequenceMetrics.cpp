// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/SequenceMetrics.h"

#include "core/util/Utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace fuselab {

namespace {

std::string replaceAll(std::string s, std::string_view from, std::string_view to)
{
    std::size_t at = 0;
    while ((at = s.find(from, at)) != std::string::npos) {
        s.replace(at, from.size(), to);
        at += to.size();
    }
    return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The ASCII symbols 13a puts spaces around: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * +
// : ; < = > ? @ and / (not the apostrophe, comma, hyphen or period, which have rules).
bool isSplitSymbol(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) || (u >= 0x28 && u <= 0x2B)
        || (u >= 0x3A && u <= 0x40) || c == '/';
}

std::vector<std::string> splitSpaces(std::string_view s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!cur.empty())
                out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty())
        out.push_back(std::move(cur));
    return out;
}

// Code points of any byte string: valid UTF-8 decoded, otherwise one per byte.
std::u32string codePoints(std::string_view s)
{
    if (utf8::findInvalid(s) == std::string_view::npos) {
        const auto cps = utf8::decode(s);
        return std::u32string(cps.begin(), cps.end());
    }
    std::u32string out;
    for (unsigned char c : s)
        out.push_back(c);
    return out;
}

using NGrams = std::map<std::vector<std::string>, std::int64_t>;

NGrams ngrams(const std::vector<std::string> &tokens, std::size_t n)
{
    NGrams out;
    for (std::size_t i = 0; i + n <= tokens.size(); ++i)
        ++out[std::vector<std::string>(tokens.begin() + static_cast<std::ptrdiff_t>(i), tokens.begin() + static_cast<std::ptrdiff_t>(i + n))];
    return out;
}

// chrF: per order, [hypothesis n-grams, reference n-grams, matches].
using ChrfStats = std::array<std::int64_t, 18>;

std::unordered_map<std::u32string, std::int64_t> charNGrams(const std::u32string &s, std::size_t n)
{
    std::unordered_map<std::u32string, std::int64_t> out;
    for (std::size_t i = 0; i + n <= s.size(); ++i)
        ++out[s.substr(i, n)];
    return out;
}

std::u32string withoutSpaces(std::string_view s)
{
    std::u32string out;
    for (char32_t c : codePoints(s))
        if (!utf8::isSpace(c))
            out.push_back(c);
    return out;
}

ChrfStats chrfStatistics(const std::u32string &hyp, const std::u32string &ref)
{
    ChrfStats st{};
    for (std::size_t n = 1; n <= 6; ++n) {
        const auto h = charNGrams(hyp, n), r = charNGrams(ref, n);
        std::int64_t hc = 0, rc = 0, m = 0;
        for (const auto &[g, c] : h) {
            hc += c;
            const auto it = r.find(g);
            if (it != r.end())
                m += std::min(c, it->second);
        }
        for (const auto &kv : r)
            rc += kv.second;
        st[3 * (n - 1)] = hc;
        st[3 * (n - 1) + 1] = rc;
        st[3 * (n - 1) + 2] = m;
    }
    return st;
}

double chrfScore(const ChrfStats &st)
{
    double p = 0, r = 0;
    int effective = 0;
    for (int n = 0; n < 6; ++n) {
        const auto hc = st[static_cast<std::size_t>(3 * n)], rc = st[static_cast<std::size_t>(3 * n + 1)], m = st[static_cast<std::size_t>(3 * n + 2)];
        if (hc > 0 && rc > 0) {
            p += double(m) / double(hc);
            r += double(m) / double(rc);
            ++effective;
        }
    }
    if (effective == 0)
        return 0;
    p /= effective;
    r /= effective;
    const double beta2 = 4.0;
    return p + r > 0 ? 100.0 * (1 + beta2) * p * r / (beta2 * p + r) : 0.0;
}

template <typename Seq>
std::int64_t levenshtein(const Seq &a, const Seq &b)
{
    std::vector<std::int64_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = static_cast<std::int64_t>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<std::int64_t>(i);
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::vector<std::u32string> words32(std::string_view s)
{
    std::vector<std::u32string> out;
    for (const std::string &w : splitSpaces(s))
        out.push_back(codePoints(w));
    return out;
}

// jiwer's default transforms for CER: surrounding spaces stripped, runs of spaces made one.
std::u32string normalisedChars(std::string_view s)
{
    std::string joined;
    for (const std::string &w : splitSpaces(s))
        joined += (joined.empty() ? "" : " ") + w;
    return codePoints(joined);
}

} // namespace

std::string tokenize13a(std::string_view input)
{
    std::string line(input);
    line = replaceAll(line, "<skipped>", "");
    line = replaceAll(line, "-\n", "");
    line = replaceAll(line, "\n", " ");
    line = replaceAll(line, "&quot;", "\"");
    line = replaceAll(line, "&amp;", "&");
    line = replaceAll(line, "&lt;", "<");
    line = replaceAll(line, "&gt;", ">");
    line = " " + line + " ";
    // Four passes, each left to right over non-overlapping matches, as the regular
    // expressions of mteval-v13a apply.
    std::string a;
    for (char c : line) {
        if (isSplitSymbol(c)) {
            a += ' ';
            a += c;
            a += ' ';
        } else {
            a += c;
        }
    }
    std::string b; // a period or comma after a non-digit
    for (std::size_t i = 0; i < a.size();) {
        if (i + 1 < a.size() && !isDigit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
            b += a[i];
            b += ' ';
            b += a[i + 1];
            b += ' ';
            i += 2;
        } else {
            b += a[i++];
        }
    }
    std::string c; // a period or comma before a non-digit
    for (std::size_t i = 0; i < b.size();) {
        if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !isDigit(b[i + 1])) {
            c += ' ';
            c += b[i];
            c += ' ';
            c += b[i + 1];
            i += 2;
        } else {
            c += b[i++];
        }
    }
    std::string d; // a dash after a digit
    for (std::size_t i = 0; i < c.size();) {
        if (i + 1 < c.size() && isDigit(c[i]) && c[i + 1] == '-') {
            d += c[i];
            d += " - ";
            i += 2;
        } else {
            d += c[i++];
        }
    }
    std::string out;
    for (const std::string &w : splitSpaces(d))
        out += (out.empty() ? "" : " ") + w;
    return out;
}

BleuScore corpusBleu(const std::vector<std::string> &hypotheses, const std::vector<std::vector<std::string>> &references)
{
    std::array<std::int64_t, 4> correct{}, total{};
    std::int64_t hypLen = 0, refLen = 0;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        const auto hyp = splitSpaces(tokenize13a(hypotheses[i]));
        std::vector<std::vector<std::string>> refs;
        for (const std::string &r : references.at(i))
            refs.push_back(splitSpaces(tokenize13a(r)));
        hypLen += static_cast<std::int64_t>(hyp.size());
        // The closest reference length; the shorter of two equally close.
        std::int64_t closest = -1;
        for (const auto &r : refs) {
            const auto len = static_cast<std::int64_t>(r.size());
            const auto h = static_cast<std::int64_t>(hyp.size());
            if (closest < 0 || std::abs(len - h) < std::abs(closest - h) || (std::abs(len - h) == std::abs(closest - h) && len < closest))
                closest = len;
        }
        refLen += std::max<std::int64_t>(closest, 0);
        for (std::size_t n = 1; n <= 4; ++n) {
            const NGrams h = ngrams(hyp, n);
            NGrams maxRef;
            for (const auto &r : refs)
                for (const auto &[g, c] : ngrams(r, n))
                    maxRef[g] = std::max(maxRef[g], c);
            for (const auto &[g, c] : h) {
                total[n - 1] += c;
                const auto it = maxRef.find(g);
                if (it != maxRef.end())
                    correct[n - 1] += std::min(c, it->second);
            }
        }
    }
    BleuScore s;
    s.hypothesisLength = hypLen;
    s.referenceLength = refLen;
    if (hypLen == 0)
        return s;
    s.brevityPenalty = hypLen < refLen ? std::exp(1.0 - double(refLen) / double(hypLen)) : 1.0;
    double smooth = 1.0, logSum = 0;
    bool zero = false;
    for (std::size_t n = 0; n < 4; ++n) {
        if (total[n] == 0) { // shorter than n words everywhere: no n-gram to score
            zero = true;
            break;
        }
        if (correct[n] == 0) {
            smooth *= 2;
            s.precisions[n] = 100.0 / (smooth * double(total[n]));
        } else {
            s.precisions[n] = 100.0 * double(correct[n]) / double(total[n]);
        }
        logSum += std::log(s.precisions[n]);
    }
    s.score = zero ? 0.0 : s.brevityPenalty * std::exp(logSum / 4.0);
    return s;
}

double corpusChrf(const std::vector<std::string> &hypotheses, const std::vector<std::vector<std::string>> &references)
{
    ChrfStats sum{};
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        const std::u32string hyp = withoutSpaces(hypotheses[i]);
        ChrfStats best{};
        double bestScore = -1;
        for (const std::string &r : references.at(i)) {
            const ChrfStats st = chrfStatistics(hyp, withoutSpaces(r));
            const double f = chrfScore(st);
            if (f > bestScore) {
                bestScore = f;
                best = st;
            }
        }
        for (std::size_t k = 0; k < sum.size(); ++k)
            sum[k] += best[k];
    }
    return chrfScore(sum);
}

std::int64_t editDistance(const std::vector<std::u32string> &a, const std::vector<std::u32string> &b) { return levenshtein(a, b); }

SequenceMetrics sequenceMetrics(const std::vector<std::string> &hypotheses, const std::vector<std::string> &references)
{
    SequenceMetrics m;
    m.samples = static_cast<std::int64_t>(hypotheses.size());
    if (hypotheses.empty())
        return m;
    std::vector<std::vector<std::string>> refs;
    std::int64_t exact = 0, wordEdits = 0, words = 0, charEdits = 0, chars = 0;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        const std::string &h = hypotheses[i], &r = references.at(i);
        refs.push_back({r});
        exact += tokenize13a(h) == tokenize13a(r);
        const auto hw = words32(h), rw = words32(r);
        wordEdits += levenshtein(hw, rw);
        words += static_cast<std::int64_t>(rw.size());
        const auto hc = normalisedChars(h), rc = normalisedChars(r);
        charEdits += levenshtein(hc, rc);
        chars += static_cast<std::int64_t>(rc.size());
    }
    m.bleu = corpusBleu(hypotheses, refs).score;
    m.chrf = corpusChrf(hypotheses, refs);
    m.exactMatch = 100.0 * double(exact) / double(hypotheses.size());
    // A corpus of empty references: any word produced is an error; none is none.
    m.wer = words > 0 ? double(wordEdits) / double(words) : (wordEdits > 0 ? 1.0 : 0.0);
    m.cer = chars > 0 ? double(charEdits) / double(chars) : (charEdits > 0 ? 1.0 : 0.0);
    return m;
}

double sampleErrorRate(const std::string &hypothesis, const std::string &reference, bool chars)
{
    auto rate = [](const auto &h, const auto &r) {
        const auto edits = levenshtein(h, r);
        return !r.empty() ? double(edits) / double(r.size()) : (edits > 0 ? 1.0 : 0.0);
    };
    return chars ? rate(normalisedChars(hypothesis), normalisedChars(reference)) : rate(words32(hypothesis), words32(reference));
}

nlohmann::json SequenceMetrics::toJson() const
{
    return {{"task", "sequence"}, {"samples", samples}, {"bleu", bleu}, {"chrf", chrf}, {"exact_match", exactMatch}, {"wer", wer}, {"cer", cer}};
}

} // namespace fuselab
