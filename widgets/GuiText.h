// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <QString>

namespace fuselab {
namespace gui {

// A core message in the user's language: translated by its context and English template
// (extracted from core's sources by lupdate), then its arguments filled in; an argument that
// is itself a Message (a sentence inside a sentence) is translated the same way.
QString translated(const Message &message);
// A core string marked FL_TR that has no arguments (block titles, categories).
QString translated(const char *context, const std::string &english);
inline QString qs(const std::string &s) { return QString::fromStdString(s); }

} // namespace gui
} // namespace fuselab
