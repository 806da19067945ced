// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

namespace fuselab {

class ProgressObserver;

// Reads root/<label>/<files> (optionally under root/train, root/val, root/test).
// Files sharing a stem inside one class folder form one sample (a.png + a.txt + a.wav);
// image-only (ImageFolder) and audio-only (Speech Commands) trees are the same layout.
// Sub-folders inside a class folder are searched too; symlink loops are detected.
class FolderTreeReader {
public:
    // The observer sees the scan's progress (files found so far) and may cancel it.
    Dataset read(const std::string &root, ProgressObserver *observer = nullptr) const;
};

} // namespace fuselab
