// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/BlockRegistry.h"

#include "core/util/Error.h"

namespace fuselab {


void BlockRegistry::add(std::unique_ptr<BlockType> type)
{
    const std::string name = type->type();
    if (!m_types.emplace(name, std::move(type)).second)
        throw Error("block type " + name + " registered twice");
}

const BlockType *BlockRegistry::find(const std::string &type) const
{
    auto it = m_types.find(type);
    return it == m_types.end() ? nullptr : it->second.get();
}

std::vector<const BlockType *> BlockRegistry::all() const
{
    std::vector<const BlockType *> out;
    for (auto &[name, t] : m_types)
        out.push_back(t.get());
    return out;
}

} // namespace fuselab
