// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// C interface of the fuselab_spm module, which wraps SentencePiece.
//
// Why a separately loaded module: Debian's libsentencepiece0 carries its own copy of
// protobuf-lite and exports those symbols, while LibTorch loads the system libprotobuf.
// Linked into one process, the two copies interpose each other and the process crashes
// during static initialisation. FuseLab therefore dlopen()s this module with
// RTLD_LOCAL | RTLD_DEEPBIND, so SentencePiece binds to its own protobuf and LibTorch
// never sees it.
#include <cstddef>
#include <cstdint>

extern "C" {

struct FuselabSpmApi {
    int version; // FUSELAB_SPM_API_VERSION
    // Trains a model on `count` sentences. On success returns 1 and a malloc'd serialized
    // model in *model/*modelSize; on failure returns 0 and a malloc'd message in *error.
    int (*train)(const char *const *sentences, const std::size_t *sizes, std::size_t count, const char *modelType,
                 int vocabSize, char **model, std::size_t *modelSize, char **error);
    void *(*load)(const char *model, std::size_t modelSize, char **error);
    // Encodes into a malloc'd id array.
    int (*encode)(void *processor, const char *text, std::size_t size, std::int32_t **ids, std::size_t *count);
    int (*pieceCount)(void *processor);
    void (*release)(void *processor);
    void (*freeBuffer)(void *buffer);
    // The piece of an id, owned by the processor (valid while it lives).
    const char *(*idToPiece)(void *processor, int id);
};

#define FUSELAB_SPM_API_VERSION 2
const FuselabSpmApi *fuselab_spm_api();
}
