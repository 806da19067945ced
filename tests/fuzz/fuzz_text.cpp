// SPDX-License-Identifier: GPL-3.0-or-later
// Text: UTF-8 validation and decoding; the word and character tokenizers' stored vocabularies
// and encoding; WordPiece vocab.txt and tokenizer.json files.
#include "core/media/Text.h"
#include "core/media/WordPiece.h"
#include "core/util/Utf8.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text = fuzz::asText(data, size);
    if (fuselab::utf8::findInvalid(text) == std::string_view::npos)
        (void)fuselab::utf8::decode(fuselab::utf8::stripBom(text));
    for (const auto kind : {fuselab::TokenizerKind::Word, fuselab::TokenizerKind::Char}) {
        fuselab::TextSettings s;
        s.tokenizer = kind;
        auto tok = fuselab::Tokenizer::create(s);
        try {
            tok->deserialize(std::string(text));
            std::int32_t ids[16];
            tok->encodeFixed("the cat sat 猫在睡觉", 16, ids);
            (void)tok->piece(ids[0]);
        } catch (const fuselab::Error &) {
        }
        tok->fit({std::string(text)});
        (void)tok->encode(text);
    }
    for (const char *name : {"vocab.txt", "tokenizer.json"}) {
        const std::string path = fuzz::writeScratch(name, text);
        try {
            const auto wp = fuselab::WordPieceTokenizer::fromFile(path, true);
            (void)wp.encode("unaffable 猫 Hello, world!", 32);
        } catch (const fuselab::Error &) {
        }
    }
    return 0;
}
