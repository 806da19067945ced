// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/BlockType.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fuselab {

// Every block type FuseLab knows, by type name.
class BlockRegistry {
public:
    // The built-in blocks are builtinBlocks() in core/model/BlockCatalogue.h.
    void add(std::unique_ptr<BlockType> type);
    const BlockType *find(const std::string &type) const;
    std::vector<const BlockType *> all() const;

private:
    std::map<std::string, std::unique_ptr<BlockType>> m_types;
};

} // namespace fuselab
