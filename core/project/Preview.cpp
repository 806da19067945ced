// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/project/Preview.h"

#include "core/cache/FieldEncoder.h"
#include "core/media/AudioDecoder.h"
#include "core/media/ImageDecoder.h"
#include "core/media/MelSpectrogram.h"

#include <ATen/ATen.h>
#include "core/util/FileIO.h"

namespace fuselab {

FieldPreview previewField(const Dataset &d, std::size_t sample, std::size_t column, int size, bool spectrogram)
{
    FieldPreview p;
    if (sample >= d.samples.size() || column >= d.columns.size())
        return p;
    const Field &f = d.samples[sample].fields[column];
    p.kind = d.columns[column].kind;
    p.present = f.present;
    if (!f.present)
        return p;
    try {
        switch (p.kind) {
        case Modality::Image: {
            p.width = p.height = size;
            std::vector<std::uint8_t> chw(static_cast<std::size_t>(3 * size * size));
            ImageSettings s;
            s.width = s.height = size;
            s.channels = 3;
            s.resize = ResizeMode::Pad;
            if (f.blobIndex >= 0 && d.blob) {
                const ImageBlob &b = *d.blob;
                resizeGrey8(b.image(f.blobIndex), static_cast<int>(b.rows), static_cast<int>(b.cols), s, 3, 8, chw.data());
            } else if (!decodeImage(readFile(f.value, std::uint64_t(256) << 20), s, 3, 8, chw.data(), &p.error)) {
                return p;
            }
            p.rgb.resize(chw.size());
            const std::size_t plane = static_cast<std::size_t>(size * size);
            for (std::size_t i = 0; i < plane; ++i)
                for (std::size_t c = 0; c < 3; ++c)
                    p.rgb[i * 3 + c] = chw[c * plane + i];
            break;
        }
        case Modality::Text: {
            std::string text = readTextField(f, &p.error);
            std::size_t cut = 0, chars = 0;
            while (cut < text.size() && chars < 400) {
                const auto c = static_cast<unsigned char>(text[cut]);
                cut += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
                ++chars;
            }
            p.text = text.substr(0, std::min(cut, text.size()));
            break;
        }
        case Modality::Audio: {
            AudioInfo info;
            p.sampleRate = 8000;
            if (decodeAudioMono(f.value, p.sampleRate, &p.samples, &info, &p.error)) {
                p.seconds = double(p.samples.size()) / p.sampleRate;
                if (p.samples.size() > std::size_t(10 * p.sampleRate))
                    p.samples.resize(std::size_t(10 * p.sampleRate));
                p.path = f.value;
                if (spectrogram && !p.samples.empty()) {
                    MelOptions o;
                    o.sampleRate = p.sampleRate;
                    o.nFft = 256;
                    o.hopLength = 80;
                    o.nMels = 40;
                    const MelSpectrogram mel(o);
                    const at::Tensor s = mel(at::from_blob(p.samples.data(), {static_cast<std::int64_t>(p.samples.size())}, at::kFloat))
                                             .contiguous();
                    p.melBins = static_cast<int>(s.size(0));
                    p.melFrames = static_cast<int>(s.size(1));
                    p.logMel.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
                }
            }
            break;
        }
        }
    } catch (const std::exception &e) {
        p.error = messageOf(e);
    }
    return p;
}

} // namespace fuselab
