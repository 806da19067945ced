// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <stdexcept>
#include <string>

namespace fuselab {

// A failure the user can act on: the message names the file (or setting) and the reason.
// Errors made from a Message keep it, so that a GUI can show them translated.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
    explicit Error(Message message) : std::runtime_error(message.str()), m_message(std::move(message)) {}
    // The translatable message, or an empty one for errors made from plain text.
    const Message &message() const { return m_message; }

private:
    Message m_message;
};

// What an exception says, as a Message: an Error's own (translatable) one, or its text as
// plain English (an exception from a library, an Error made from text).
inline Message messageOf(const std::exception &e)
{
    if (const auto *error = dynamic_cast<const Error *>(&e); error && !error->message().empty())
        return error->message();
    return Message::plain(e.what());
}

// A problem with one file or row that was skipped; the scan goes on.
struct DataIssue {
    enum class Severity { Warning, Error };
    std::string file;   // path as the user wrote it, or relative to the dataset root
    long line = 0;      // 1-based line in a manifest, 0 when not applicable
    Message reason;     // translatable; reason.str() is the English
    Severity severity = Severity::Error;

    // "skipped: m.csv:4: reason" (or "warning: ..."), as the command line prints it.
    std::string toString() const
    {
        return std::string(severity == Severity::Warning ? "warning" : "skipped") + ": " + file
             + (line ? ":" + std::to_string(line) : std::string()) + ": " + reason.str();
    }
};

} // namespace fuselab
