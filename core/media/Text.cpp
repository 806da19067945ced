// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/Text.h"

#include "core/media/WordPiece.h"

#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include "core/media/spm/SentencePieceShim.h"

#include <cstdlib>
#include <dlfcn.h>
#include <unistd.h>
#include <unordered_map>

namespace fuselab {

bool normaliseText(std::string_view raw, std::string *text, Message *error)
{
    raw = utf8::stripBom(raw);
    const std::size_t bad = utf8::findInvalid(raw);
    if (bad != std::string_view::npos) {
        if (error) *error = Message(FL_TR("Media", "not valid UTF-8 (invalid byte at offset %1); save the text as UTF-8"), std::to_string(bad));
        return false;
    }
    if (text)
        text->assign(raw);
    return true;
}

void Tokenizer::encodeFixed(std::string_view text, int length, std::int32_t *out) const
{
    const std::vector<std::int32_t> ids = encode(text);
    const std::size_t n = std::min<std::size_t>(ids.size(), static_cast<std::size_t>(length));
    std::copy(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), out);
    std::fill(out + n, out + length, kPad);
}

namespace {

class VocabTokenizer final : public Tokenizer {
public:
    VocabTokenizer(const TextSettings &s, bool chars) : m_settings(s), m_chars(chars) {}

    std::vector<std::string> split(std::string_view text) const
    {
        return m_chars ? splitChars(text, m_settings.lowercase) : splitWords(text, m_settings.lowercase);
    }

    void fit(const std::vector<std::string> &texts) override
    {
        std::unordered_map<std::string, std::int64_t> counts;
        for (auto &t : texts)
            for (auto &tok : split(t))
                ++counts[tok];
        std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
        // Most frequent first; ties by the token itself, so the vocabulary is deterministic.
        std::sort(sorted.begin(), sorted.end(), [](auto &a, auto &b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
        m_vocab = {"<pad>", "<unk>"};
        for (auto &[tok, n] : sorted) {
            if (n < m_settings.minCount || static_cast<int>(m_vocab.size()) >= m_settings.maxVocab)
                break;
            m_vocab.push_back(tok);
        }
        index();
    }

    std::vector<std::int32_t> encode(std::string_view text) const override
    {
        std::vector<std::int32_t> ids;
        for (auto &tok : split(text)) {
            auto it = m_ids.find(tok);
            ids.push_back(it == m_ids.end() ? kUnk : it->second);
        }
        return ids;
    }

    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_vocab.size()); }
    std::string piece(std::int32_t id) const override
    {
        return id >= 0 && static_cast<std::size_t>(id) < m_vocab.size() ? m_vocab[static_cast<std::size_t>(id)] : "#" + std::to_string(id);
    }

    std::string serialize() const override
    {
        nlohmann::json j;
        j["kind"] = m_chars ? "char" : "word";
        j["lowercase"] = m_settings.lowercase;
        j["vocab"] = m_vocab;
        return j.dump();
    }

    void deserialize(const std::string &data) override
    {
        const nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
        if (j.is_discarded() || !j.contains("vocab") || !j["vocab"].is_array())
            throw Error(Message(FL_TR("Media", "corrupt tokenizer vocabulary")));
        m_vocab = j["vocab"].get<std::vector<std::string>>();
        m_settings.lowercase = j.value("lowercase", true);
        index();
    }

private:
    void index()
    {
        m_ids.clear();
        for (std::size_t i = 0; i < m_vocab.size(); ++i)
            m_ids.emplace(m_vocab[i], static_cast<std::int32_t>(i));
    }

    TextSettings m_settings;
    bool m_chars;
    std::vector<std::string> m_vocab;
    std::unordered_map<std::string, std::int32_t> m_ids;
};

// The SentencePiece module, loaded once (see spm/SentencePieceShim.h for why).
const FuselabSpmApi &spmApi()
{
#ifdef FUSELAB_SANITIZED
    // The module is loaded with RTLD_DEEPBIND, which ASan and TSan do not support (their
    // runtime aborts the process). Sanitizer builds go without SentencePiece; the normal
    // build's tests cover it (docs/reliability.md).
    throw Error(Message::plain("SentencePiece is not available in a sanitizer build (its module needs RTLD_DEEPBIND)"));
#endif
    static const FuselabSpmApi *api = [] () -> const FuselabSpmApi * {
        std::vector<std::string> candidates;
        if (const char *env = std::getenv("FUSELAB_SPM_MODULE"); env && *env)
            candidates.emplace_back(env);
        char exe[4096];
        const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            std::string dir(exe);
            dir.resize(dir.find_last_of('/'));
            candidates.push_back(dir + "/libfuselab_spm.so");
            candidates.push_back(dir + "/../lib/fuselab/libfuselab_spm.so");
            candidates.push_back(dir + "/../lib/libfuselab_spm.so");
        }
#ifdef FUSELAB_SPM_MODULE_BUILD_PATH
        candidates.emplace_back(FUSELAB_SPM_MODULE_BUILD_PATH);
#endif
        std::string tried;
        for (const std::string &path : candidates) {
            void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (!handle) {
                tried += "\n  " + path + ": " + ::dlerror();
                continue;
            }
            using Entry = const FuselabSpmApi *(*)();
            auto entry = reinterpret_cast<Entry>(::dlsym(handle, "fuselab_spm_api"));
            if (entry && entry()->version == FUSELAB_SPM_API_VERSION)
                return entry();
            tried += "\n  " + path + ": wrong module version";
        }
        throw Error(Message(FL_TR("Media", "the SentencePiece tokenizer module (libfuselab_spm.so) could not be loaded; tried:%1"), tried));
    }();
    return *api;
}

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(const TextSettings &s) : m_settings(s) {}
    ~SentencePieceTokenizer() override
    {
        if (m_processor)
            spmApi().release(m_processor);
    }

    void fit(const std::vector<std::string> &texts) override
    {
        if (m_settings.spmModel != "unigram" && m_settings.spmModel != "bpe")
            throw Error(Message(FL_TR("Media", "SentencePiece model type must be \"unigram\" or \"bpe\", not \"%1\""), m_settings.spmModel));
        std::vector<const char *> ptrs;
        std::vector<std::size_t> sizes;
        for (auto &t : texts)
            if (!t.empty()) {
                ptrs.push_back(t.data());
                sizes.push_back(t.size());
            }
        if (ptrs.empty())
            throw Error(Message(FL_TR("Media", "SentencePiece: no training text to learn a vocabulary from")));
        const FuselabSpmApi &api = spmApi();
        char *model = nullptr, *error = nullptr;
        std::size_t size = 0;
        if (!api.train(ptrs.data(), sizes.data(), ptrs.size(), m_settings.spmModel.c_str(), m_settings.spmVocab, &model,
                       &size, &error)) {
            const std::string why = error ? error : "unknown error";
            api.freeBuffer(error);
            throw Error(Message(FL_TR("Media", "SentencePiece training failed: %1"), why));
        }
        const std::string proto(model, size);
        api.freeBuffer(model);
        deserialize(proto);
    }

    std::vector<std::int32_t> encode(std::string_view text) const override
    {
        std::int32_t *ids = nullptr;
        std::size_t count = 0;
        if (!m_processor || !spmApi().encode(m_processor, text.data(), text.size(), &ids, &count))
            return {};
        std::vector<std::int32_t> out(ids, ids + count);
        spmApi().freeBuffer(ids);
        return out;
    }

    std::int64_t vocabSize() const override { return m_processor ? spmApi().pieceCount(m_processor) : 0; }
    std::string piece(std::int32_t id) const override
    {
        if (!m_processor || id < 0 || id >= spmApi().pieceCount(m_processor))
            return "#" + std::to_string(id);
        const char *p = spmApi().idToPiece(m_processor, id);
        return p ? std::string(p) : "#" + std::to_string(id);
    }
    std::string serialize() const override { return m_proto; }

    void deserialize(const std::string &data) override
    {
        char *error = nullptr;
        void *p = spmApi().load(data.data(), data.size(), &error);
        if (!p) {
            const std::string why = error ? error : "unknown error";
            spmApi().freeBuffer(error);
            throw Error(Message(FL_TR("Media", "corrupt SentencePiece model: %1"), why));
        }
        if (m_processor)
            spmApi().release(m_processor);
        m_processor = p;
        m_proto = data;
    }

private:
    TextSettings m_settings;
    void *m_processor = nullptr;
    std::string m_proto;
};

// A pretrained model's WordPiece vocabulary (BERT and its kin): nothing to learn; every
// sequence is [CLS] pieces [SEP], truncated so that [SEP] stays, padded with [PAD], which
// must be id 0 as everywhere in FuseLab.
class WordPieceTextTokenizer final : public Tokenizer {
public:
    explicit WordPieceTextTokenizer(const TextSettings &s) : m_settings(s) {}
    void fit(const std::vector<std::string> &) override
    {
        if (m_settings.vocabFile.empty())
            throw Error(Message(FL_TR("Media", "the wordpiece tokenizer needs preprocessing.text.vocab_file (a vocab.txt or tokenizer.json)")));
        set(WordPieceTokenizer::fromFile(m_settings.vocabFile, m_settings.lowercase), m_settings.vocabFile);
    }
    std::vector<std::int32_t> encode(std::string_view text) const override
    {
        const auto ids = model().encode(text);
        return std::vector<std::int32_t>(ids.begin(), ids.end());
    }
    void encodeFixed(std::string_view text, int length, std::int32_t *out) const override
    {
        const auto ids = model().encode(text, length);
        const std::size_t n = std::min<std::size_t>(ids.size(), static_cast<std::size_t>(length));
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<std::int32_t>(ids[i]);
        std::fill(out + n, out + length, kPad);
    }
    std::int64_t vocabSize() const override { return model().vocabSize(); }
    std::string piece(std::int32_t id) const override
    {
        const auto &v = model().vocab();
        return id >= 0 && static_cast<std::size_t>(id) < v.size() ? v[static_cast<std::size_t>(id)] : "#" + std::to_string(id);
    }
    std::string serialize() const override
    {
        const WordPieceConfig &c = model().config();
        return nlohmann::json{{"kind", "wordpiece"},      {"vocab", model().vocab()},     {"lowercase", c.lowercase},
                              {"strip_accents", c.stripAccents}, {"chinese_chars", c.chineseChars}, {"clean_text", c.cleanText},
                              {"unk", c.unk},             {"cls", c.cls},               {"sep", c.sep},
                              {"pad", c.pad},             {"prefix", c.prefix},         {"max_chars_per_word", c.maxCharsPerWord}}
            .dump();
    }
    void deserialize(const std::string &data) override
    {
        const nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.value("kind", "") != "wordpiece" || !j.contains("vocab") || !j["vocab"].is_array())
            throw Error(Message(FL_TR("Media", "corrupt WordPiece tokenizer data")));
        WordPieceConfig c;
        c.lowercase = j.value("lowercase", c.lowercase);
        c.stripAccents = j.value("strip_accents", c.stripAccents);
        c.chineseChars = j.value("chinese_chars", c.chineseChars);
        c.cleanText = j.value("clean_text", c.cleanText);
        c.unk = j.value("unk", c.unk);
        c.cls = j.value("cls", c.cls);
        c.sep = j.value("sep", c.sep);
        c.pad = j.value("pad", c.pad);
        c.prefix = j.value("prefix", c.prefix);
        c.maxCharsPerWord = j.value("max_chars_per_word", c.maxCharsPerWord);
        set(WordPieceTokenizer(j["vocab"].get<std::vector<std::string>>(), c), "tokenizer data");
    }

private:
    const WordPieceTokenizer &model() const
    {
        if (!m_model)
            throw Error(Message::plain("wordpiece tokenizer used before fit()"));
        return *m_model;
    }
    void set(WordPieceTokenizer t, const std::string &source)
    {
        if (t.padId() != kPad)
            throw Error(Message(FL_TR("Media", "%1: %2 is id %3; FuseLab pads with id 0"), source, t.config().pad, std::to_string(t.padId())));
        m_model = std::make_unique<WordPieceTokenizer>(std::move(t));
    }
    TextSettings m_settings;
    std::unique_ptr<WordPieceTokenizer> m_model;
};

} // namespace

std::unique_ptr<Tokenizer> Tokenizer::create(const TextSettings &s)
{
    switch (s.tokenizer) {
    case TokenizerKind::Word: return std::make_unique<VocabTokenizer>(s, false);
    case TokenizerKind::Char: return std::make_unique<VocabTokenizer>(s, true);
    case TokenizerKind::SentencePiece: return std::make_unique<SentencePieceTokenizer>(s);
    case TokenizerKind::WordPiece: return std::make_unique<WordPieceTextTokenizer>(s);
    }
    return nullptr;
}

} // namespace fuselab
