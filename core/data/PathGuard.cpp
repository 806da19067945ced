// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/PathGuard.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab {

namespace {
bool isInside(const fs::path &path, const fs::path &root)
{
    auto p = path.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++p) {
        if (r->empty())
            continue;
        if (p == path.end() || *p != *r)
            return false;
    }
    return true;
}
} // namespace

PathGuard::PathGuard(const std::string &root)
{
    std::error_code ec;
    fs::path canon = fs::weakly_canonical(fs::absolute(root), ec);
    m_root = (ec ? fs::absolute(root) : canon).lexically_normal().string();
    while (m_root.size() > 1 && m_root.back() == '/')
        m_root.pop_back();
}

std::optional<std::string> PathGuard::resolve(const std::string &relative, Message *why) const
{
    fs::path p(relative);
    const fs::path root(m_root);
    const fs::path joined = (p.is_absolute() ? p : root / p).lexically_normal();
    if (!isInside(joined, root)) {
        if (why)
            *why = Message(FL_TR("DataReading", "path leads outside the dataset folder %1"), m_root);
        return std::nullopt;
    }
    // Follow symlinks: a link inside the folder may still point elsewhere.
    std::error_code ec;
    const fs::path real = fs::weakly_canonical(joined, ec);
    if (!ec && !isInside(real, root)) {
        if (why)
            *why = Message(FL_TR("DataReading", "path is a link to %1, outside the dataset folder"), real.string());
        return std::nullopt;
    }
    return joined.string();
}

std::string PathGuard::relative(const std::string &absolute) const
{
    if (absolute.size() > m_root.size() && absolute.compare(0, m_root.size(), m_root) == 0
        && absolute[m_root.size()] == '/')
        return absolute.substr(m_root.size() + 1);
    return absolute;
}

} // namespace fuselab
