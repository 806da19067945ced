// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/spm/SentencePieceShim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

char *copyOut(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p) {
        std::memcpy(p, s.data(), s.size());
        p[s.size()] = '\0';
    }
    return p;
}

class VectorIterator final : public sentencepiece::SentenceIterator {
public:
    explicit VectorIterator(std::vector<std::string> v) : m_v(std::move(v)) {}
    bool done() const override { return m_i >= m_v.size(); }
    void Next() override { ++m_i; }
    const std::string &value() const override { return m_v[m_i]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    std::vector<std::string> m_v;
    std::size_t m_i = 0;
};

int train(const char *const *sentences, const std::size_t *sizes, std::size_t count, const char *modelType, int vocabSize,
          char **model, std::size_t *modelSize, char **error)
{
    try {
        std::vector<std::string> v;
        v.reserve(count);
        for (std::size_t i = 0; i < count; ++i)
            v.emplace_back(sentences[i], sizes[i]);
        // Ids: 0 pad, 1 unk, no BOS/EOS, to agree with FuseLab's other tokenizers.
        const std::unordered_map<std::string, std::string> args = {
            {"model_type", modelType},
            {"vocab_size", std::to_string(vocabSize)},
            {"hard_vocab_limit", "false"},    // small corpora get a smaller vocabulary, not an error
            {"character_coverage", "0.9995"}, // keeps rare CJK characters
            {"pad_id", "0"}, {"unk_id", "1"}, {"bos_id", "-1"}, {"eos_id", "-1"},
            {"num_threads", "1"},
            {"minloglevel", "2"},
            {"input_sentence_size", "1000000"},
            {"shuffle_input_sentence", "true"},
        };
        VectorIterator it(std::move(v));
        std::string proto;
        const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
        if (!status.ok()) {
            *error = copyOut(status.ToString());
            return 0;
        }
        *model = static_cast<char *>(std::malloc(proto.size() ? proto.size() : 1));
        std::memcpy(*model, proto.data(), proto.size());
        *modelSize = proto.size();
        return 1;
    } catch (const std::exception &e) {
        *error = copyOut(e.what());
        return 0;
    }
}

void *load(const char *model, std::size_t size, char **error)
{
    auto *p = new sentencepiece::SentencePieceProcessor();
    const auto status = p->LoadFromSerializedProto(std::string(model, size));
    if (!status.ok()) {
        *error = copyOut(status.ToString());
        delete p;
        return nullptr;
    }
    return p;
}

int encode(void *processor, const char *text, std::size_t size, std::int32_t **ids, std::size_t *count)
{
    std::vector<int> out;
    const auto status = static_cast<sentencepiece::SentencePieceProcessor *>(processor)->Encode(std::string(text, size), &out);
    if (!status.ok())
        return 0;
    *count = out.size();
    *ids = static_cast<std::int32_t *>(std::malloc((out.size() ? out.size() : 1) * sizeof(std::int32_t)));
    for (std::size_t i = 0; i < out.size(); ++i)
        (*ids)[i] = out[i];
    return 1;
}

int pieceCount(void *processor)
{
    return static_cast<sentencepiece::SentencePieceProcessor *>(processor)->GetPieceSize();
}

const char *idToPiece(void *processor, int id)
{
    return static_cast<sentencepiece::SentencePieceProcessor *>(processor)->IdToPiece(id).c_str();
}

void release(void *processor)
{
    delete static_cast<sentencepiece::SentencePieceProcessor *>(processor);
}

void freeBuffer(void *buffer)
{
    std::free(buffer);
}

const FuselabSpmApi kApi = {FUSELAB_SPM_API_VERSION, train, load, encode, pieceCount, release, freeBuffer, idToPiece};

} // namespace

extern "C" __attribute__((visibility("default"))) const FuselabSpmApi *fuselab_spm_api()
{
    return &kApi;
}
