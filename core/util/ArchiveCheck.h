// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The structure of a checkpoint, checked before LibTorch's reader sees it. LibTorch's
// torch::save writes a ZIP archive of records (tensors stored, code deflated), data.pkl among them;
// its reader trusts the archive's offsets and sizes. A truncated or hand-edited file is
// refused here with the reason instead. What LibTorch's own loader does with a file that
// passes (a crafted pickle, say) is outside this check (docs/reliability.md).
#include <string>
#include <string_view>

namespace fuselab {

// "" when `bytes` (a whole file) is a well-formed LibTorch archive: an end record (ZIP or
// ZIP64) that lies inside the file, a central directory inside it whose every entry is
// stored or deflated, with a local header and data inside the file, and a data.pkl record. Otherwise the
// first problem found, in words.
std::string archiveStructureProblem(std::string_view bytes);

// The same for a file (memory-mapped, not read); a file that cannot be opened is a problem too.
std::string archiveFileProblem(const std::string &path);

} // namespace fuselab
