// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/BlockRegistry.h"

namespace fuselab {

// The built-in blocks (core/model/blocks), registered once. Declared here, with the blocks,
// and not in core/graph: the graph library describes blocks and checks graphs against any
// registry it is given; only the model library knows which blocks exist.
const BlockRegistry &builtinBlocks();

} // namespace fuselab
