// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/FieldEncoder.h"

#include "core/media/AudioDecoder.h"
#include "core/util/FileIO.h"

#include <ATen/ATen.h>

#include <cstring>

namespace fuselab {

std::string readTextField(const Field &f, Message *error)
{
    std::string raw;
    if (f.isPath) {
        try {
            raw = readFile(f.value, 64u << 20);
        } catch (const Error &e) {
            if (error) *error = messageOf(e);
            return {};
        }
    } else {
        raw = f.value;
    }
    std::string text;
    if (!normaliseText(raw, &text, error))
        return {};
    if (error) *error = Message();
    return text;
}

FieldEncoder::FieldEncoder(const PreprocessSettings &settings, const CacheColumn &column, std::shared_ptr<const Tokenizer> tokenizer)
    : m_settings(settings), m_column(column), m_tokenizer(std::move(tokenizer))
{
    if (column.kind == Modality::Audio)
        m_mel = std::make_shared<MelSpectrogram>(settings.audio.mel);
    if (column.kind == Modality::Text && !m_tokenizer)
        throw Error("text column " + column.name + " needs a tokenizer"); // a caller's mistake, not the user's
}

bool FieldEncoder::encode(const Field &f, const ImageBlob *blob, std::uint8_t *out, Message *error) const
{
    const auto bytes = static_cast<std::size_t>(m_column.recordBytes());
    bool ok = false;
    Message why;
    try {
        if (m_column.kind == Modality::Image) {
            const int channels = static_cast<int>(m_column.shape[0]);
            const int depth = m_column.dtype == CacheDType::U16 ? 16 : 8;
            if (f.blobIndex >= 0 && blob) {
                resizeGrey8(blob->image(f.blobIndex), static_cast<int>(blob->rows), static_cast<int>(blob->cols), m_settings.image,
                            channels, depth, out);
                ok = true;
            } else {
                ok = decodeImage(readFile(f.value, UINT64_C(1) << 30), m_settings.image, channels, depth, out, &why);
            }
        } else if (m_column.kind == Modality::Audio) {
            std::vector<float> wave;
            ok = decodeAudioMono(f.value, m_settings.audio.mel.sampleRate, &wave, nullptr, &why);
            if (ok) {
                fitLength(wave, static_cast<std::size_t>(m_settings.audio.samples()));
                const at::Tensor spec = (*m_mel)(at::from_blob(wave.data(), {static_cast<std::int64_t>(wave.size())}, at::kFloat)).contiguous();
                std::memcpy(out, spec.data_ptr<float>(), bytes);
            }
        } else {
            const std::string text = readTextField(f, &why);
            if (why.empty()) {
                m_tokenizer->encodeFixed(text, static_cast<int>(m_column.shape[0]), reinterpret_cast<std::int32_t *>(out));
                ok = true;
            }
        }
    } catch (const std::exception &e) {
        why = messageOf(e);
        ok = false;
    }
    if (!ok) {
        std::memset(out, 0, bytes);
        if (error)
            *error = why.empty() ? Message(FL_TR("Cache", "could not be decoded")) : why;
    }
    return ok;
}

} // namespace fuselab
