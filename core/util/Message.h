// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace fuselab {

// A user-facing message that a front end can translate, although core has no Qt.
//
// The text is an English template with %1..%9 placeholders, marked in the source with
// FL_TR("Context", "text"). Qt's lupdate extracts those marks (the app's translation
// target runs it with -tr-function-alias QT_TRANSLATE_NOOP+=FL_TR), so the GUI translates
// a Message with QCoreApplication::translate(context, text) and then fills in the
// arguments; the CLI and logs use str(), the English text. Arguments are data (file
// names, shapes, numbers), never sentences: a sentence is its own Message.
struct MessageText {
    const char *context;
    const char *text;
};
#define FL_TR(context, text) (::fuselab::MessageText{context, text})

struct Message {
    std::string context; // empty: text is plain English that no catalogue translates
    std::string text;
    std::vector<std::string> args;

    Message() = default;
    template <typename... Args>
    explicit Message(MessageText t, Args &&...a) : context(t.context), text(t.text), args{std::string(std::forward<Args>(a))...}
    {
    }
    bool empty() const { return text.empty(); }
    // The English text with its arguments in place of %1..%9.
    std::string str() const { return fill(text, args); }

    // Replaces %1..%9 in `pattern` with args[0..8]; "%%" stays as it is, as in QString::arg.
    static std::string fill(const std::string &pattern, const std::vector<std::string> &args)
    {
        std::string out;
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            const char c = pattern[i];
            if (c == '%' && i + 1 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
                const auto k = static_cast<std::size_t>(pattern[i + 1] - '1');
                out += k < args.size() ? args[k] : pattern.substr(i, 2);
                ++i;
            } else {
                out += c;
            }
        }
        return out;
    }
};

} // namespace fuselab
