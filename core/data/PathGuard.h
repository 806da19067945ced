// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <optional>
#include <string>

namespace fuselab {

// Resolves paths named inside a dataset against its root folder and refuses any that
// lead outside it (../../etc/passwd, an absolute path elsewhere, a symlink pointing out).
class PathGuard {
public:
    explicit PathGuard(const std::string &root);
    const std::string &root() const { return m_root; }

    // The absolute, normalised path, or nullopt with `why` set when it escapes the root.
    std::optional<std::string> resolve(const std::string &relative, Message *why) const;
    // The path relative to the root, for messages.
    std::string relative(const std::string &absolute) const;

private:
    std::string m_root; // canonical, without trailing slash
};

} // namespace fuselab
