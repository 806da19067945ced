// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Metrics of produced text (translation, captioning, transcription) against references,
// with the definitions researchers compare numbers by:
//  - BLEU-4 as sacreBLEU 2.x reports it by default: corpus-level, the "13a" tokenisation of
//    mteval-v13a (WMT's), case kept, geometric mean of clipped 1- to 4-gram precisions with
//    the "exp" smoothing of a zero count, brevity penalty against the closest reference
//    length (the shorter on a tie); 0-100.
//  - chrF (sacreBLEU's default chrF2): character 1- to 6-grams with whitespace removed,
//    statistics summed over the corpus (per sentence from the reference with the best
//    sentence chrF), precision and recall averaged over the orders both sides have, then
//    F-beta with beta = 2; 0-100.
//  - exact match: the share of hypotheses whose 13a tokens equal a reference's; 0-100.
//  - WER and CER as jiwer computes them: the Levenshtein distance in words (split at
//    whitespace) or in characters (Unicode code points, spaces included) summed over the
//    corpus, divided by the references' total length; 0-1 (can pass 1). Against the first
//    reference.
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fuselab {

// mteval-v13a tokenisation (sacreBLEU's tokenizer_13a): the tokens joined by single spaces.
std::string tokenize13a(std::string_view line);

struct BleuScore {
    double score = 0;                 // 0-100
    std::array<double, 4> precisions{}; // 0-100, after smoothing
    double brevityPenalty = 0;
    std::int64_t hypothesisLength = 0, referenceLength = 0;
};
// references[i]: the references of hypotheses[i] (at least one each).
BleuScore corpusBleu(const std::vector<std::string> &hypotheses, const std::vector<std::vector<std::string>> &references);
double corpusChrf(const std::vector<std::string> &hypotheses, const std::vector<std::vector<std::string>> &references);

// Edit distance between two token sequences (insertions, deletions, substitutions of 1).
std::int64_t editDistance(const std::vector<std::u32string> &a, const std::vector<std::u32string> &b);

struct SequenceMetrics {
    std::int64_t samples = 0;
    double bleu = 0, chrf = 0, exactMatch = 0, wer = 0, cer = 0;
    nlohmann::json toJson() const; // "task": "sequence", samples, bleu, chrf, exact_match, wer, cer
};
// One reference per hypothesis (a dataset's target text).
SequenceMetrics sequenceMetrics(const std::vector<std::string> &hypotheses, const std::vector<std::string> &references);

// One sample's word error rate (chars: its character error rate), as the corpus figures
// above count them: edits / reference tokens (an empty reference: 1 if anything was
// produced, else 0). The GUI sorts its sample table by it.
double sampleErrorRate(const std::string &hypothesis, const std::string &reference, bool chars);

} // namespace fuselab
