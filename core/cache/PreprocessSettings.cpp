// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/PreprocessSettings.h"

#include "core/util/JsonFields.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace fuselab {

// Defined here rather than in Text.cpp: the settings exist in builds without ingestion.
const char *tokenizerKindName(TokenizerKind k)
{
    switch (k) {
    case TokenizerKind::Word: return "word";
    case TokenizerKind::Char: return "char";
    case TokenizerKind::SentencePiece: return "sentencepiece";
    case TokenizerKind::WordPiece: return "wordpiece";
    }
    return "?";
}

nlohmann::json PreprocessSettings::toJson() const
{
    nlohmann::json j;
    j["image"] = {{"width", image.width},
                  {"height", image.height},
                  {"channels", image.channels},
                  {"resize", image.resize == ResizeMode::Pad ? "pad" : "stretch"},
                  {"max_pixels", image.maxPixels}};
    const MelOptions &m = audio.mel;
    j["audio"] = {{"sample_rate", m.sampleRate}, {"duration_s", audio.durationSeconds}, {"n_fft", m.nFft},
                  {"win_length", m.effectiveWin()}, {"hop_length", m.effectiveHop()}, {"f_min", m.fMin},
                  {"f_max", m.effectiveFMax()}, {"n_mels", m.nMels}, {"log", m.log}, {"log_eps", m.logEps}};
    j["text"] = {{"tokenizer", tokenizerKindName(text.tokenizer)},
                 {"max_length", text.maxLength},
                 {"min_count", text.minCount},
                 {"max_vocab", text.maxVocab},
                 {"lowercase", text.lowercase},
                 {"spm_model", text.spmModel},
                 {"spm_vocab", text.spmVocab},
                 {"vocab_file", text.vocabFile}};
    j["target"] = {{"tokens", target.tokens},
                   {"max_length", target.maxLength},
                   {"lowercase", target.lowercase},
                   {"min_count", target.minCount},
                   {"max_vocab", target.maxVocab}};
    return j;
}

namespace {

template <typename T>
void take(const nlohmann::json &obj, const std::string &section, const char *key, T &out)
{
    if (!obj.contains(key))
        return;
    const nlohmann::json &v = obj.at(key);
    bool fits = true; // a number converted to T must fit it (a float cast outside an int's range is undefined: found by fuzz_experiment)
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (v.is_number_float()) { // a whole number written as 64.0 is fine, within T's range
            const double d = v.get<double>();
            fits = std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(std::numeric_limits<T>::min())
                   && d <= static_cast<double>(std::numeric_limits<T>::max());
        } else
            fits = json_fields::fitsInteger<T>(v); // not a string, nor a number T cannot hold
    } else if constexpr (std::is_floating_point_v<T>) {
        fits = v.is_number();
    }
    try {
        if (!fits)
            throw nlohmann::json::type_error::create(302, "out of range", &v);
        out = v.get<T>();
    } catch (const nlohmann::json::exception &) {
        throw Error(Message(FL_TR("Cache", "preprocessing setting \"%1\" has the wrong type (%2)"), section + "." + key,
                            obj.at(key).dump()));
    }
}

void require(bool ok, const std::string &field, MessageText why)
{
    if (!ok)
        throw Error(Message(FL_TR("Cache", "preprocessing setting \"%1\": %2"), field, Message(why)));
}

} // namespace

PreprocessSettings PreprocessSettings::fromJson(const nlohmann::json &j)
{
    PreprocessSettings s;
    if (!j.is_object())
        throw Error(Message(FL_TR("Cache", "preprocessing settings must be a JSON object")));
    if (j.contains("image")) {
        const auto &o = j["image"];
        take(o, "image", "width", s.image.width);
        take(o, "image", "height", s.image.height);
        take(o, "image", "channels", s.image.channels);
        take(o, "image", "max_pixels", s.image.maxPixels);
        std::string resize = "stretch";
        take(o, "image", "resize", resize);
        require(resize == "stretch" || resize == "pad", "image.resize", FL_TR("Cache", "must be \"stretch\" or \"pad\""));
        s.image.resize = resize == "pad" ? ResizeMode::Pad : ResizeMode::Stretch;
        require(s.image.width > 0 && s.image.width <= 4096 && s.image.height > 0 && s.image.height <= 4096,
                "image.width/height", FL_TR("Cache", "must be between 1 and 4096"));
        require(s.image.channels == 0 || s.image.channels == 1 || s.image.channels == 3, "image.channels",
                FL_TR("Cache", "must be 0 (from the data), 1 or 3"));
        require(s.image.maxPixels > 0, "image.max_pixels", FL_TR("Cache", "must be positive"));
    }
    if (j.contains("audio")) {
        const auto &o = j["audio"];
        MelOptions &m = s.audio.mel;
        take(o, "audio", "sample_rate", m.sampleRate);
        take(o, "audio", "duration_s", s.audio.durationSeconds);
        take(o, "audio", "n_fft", m.nFft);
        take(o, "audio", "win_length", m.winLength);
        take(o, "audio", "hop_length", m.hopLength);
        take(o, "audio", "f_min", m.fMin);
        take(o, "audio", "f_max", m.fMax);
        take(o, "audio", "n_mels", m.nMels);
        take(o, "audio", "log", m.log);
        take(o, "audio", "log_eps", m.logEps);
        require(m.sampleRate >= 1000 && m.sampleRate <= 384000, "audio.sample_rate", FL_TR("Cache", "must be 1000 to 384000"));
        require(s.audio.durationSeconds > 0 && s.audio.durationSeconds <= 600, "audio.duration_s", FL_TR("Cache", "must be in (0, 600]"));
        require(m.nFft >= 16 && m.nFft <= 16384, "audio.n_fft", FL_TR("Cache", "must be 16 to 16384"));
        require(m.nMels >= 1 && m.nMels <= 512, "audio.n_mels", FL_TR("Cache", "must be 1 to 512"));
        require(m.effectiveWin() <= m.nFft, "audio.win_length", FL_TR("Cache", "must not exceed n_fft"));
        require(m.fMin >= 0 && m.effectiveFMax() > m.fMin && m.effectiveFMax() <= m.sampleRate / 2.0,
                "audio.f_min/f_max", FL_TR("Cache", "need 0 <= f_min < f_max <= sample_rate/2"));
        require(m.logEps > 0, "audio.log_eps", FL_TR("Cache", "must be positive"));
    }
    if (j.contains("text")) {
        const auto &o = j["text"];
        std::string kind = tokenizerKindName(s.text.tokenizer);
        take(o, "text", "tokenizer", kind);
        if (kind == "word") s.text.tokenizer = TokenizerKind::Word;
        else if (kind == "char") s.text.tokenizer = TokenizerKind::Char;
        else if (kind == "sentencepiece") s.text.tokenizer = TokenizerKind::SentencePiece;
        else if (kind == "wordpiece") s.text.tokenizer = TokenizerKind::WordPiece;
        else require(false, "text.tokenizer", FL_TR("Cache", "must be \"word\", \"char\", \"sentencepiece\" or \"wordpiece\""));
        take(o, "text", "max_length", s.text.maxLength);
        take(o, "text", "min_count", s.text.minCount);
        take(o, "text", "max_vocab", s.text.maxVocab);
        take(o, "text", "lowercase", s.text.lowercase);
        take(o, "text", "spm_model", s.text.spmModel);
        take(o, "text", "spm_vocab", s.text.spmVocab);
        take(o, "text", "vocab_file", s.text.vocabFile);
        require(s.text.maxLength >= 1 && s.text.maxLength <= 8192, "text.max_length", FL_TR("Cache", "must be 1 to 8192"));
        require(s.text.maxVocab >= 3, "text.max_vocab", FL_TR("Cache", "must be at least 3"));
        require(s.text.spmModel == "unigram" || s.text.spmModel == "bpe", "text.spm_model", FL_TR("Cache", "must be \"unigram\" or \"bpe\""));
        require(s.text.spmVocab >= 8, "text.spm_vocab", FL_TR("Cache", "must be at least 8"));
    }
    if (j.contains("target")) { // the texts a sequence model produces (core/data/TargetVocabulary.h)
        const auto &o = j["target"];
        take(o, "target", "tokens", s.target.tokens);
        take(o, "target", "max_length", s.target.maxLength);
        take(o, "target", "lowercase", s.target.lowercase);
        take(o, "target", "min_count", s.target.minCount);
        take(o, "target", "max_vocab", s.target.maxVocab);
        require(s.target.tokens == "word" || s.target.tokens == "char", "target.tokens", FL_TR("Cache", "must be \"word\" or \"char\""));
        require(s.target.maxLength >= 1 && s.target.maxLength <= 1024, "target.max_length", FL_TR("Cache", "must be 1 to 1024"));
        require(s.target.minCount >= 1, "target.min_count", FL_TR("Cache", "must be at least 1"));
        require(s.target.maxVocab >= 5, "target.max_vocab", FL_TR("Cache", "must be at least 5"));
    }
    return s;
}

} // namespace fuselab
