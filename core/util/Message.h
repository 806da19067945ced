// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <memory>
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
// arguments; the CLI and logs use str(), the English text.
//
// An argument is either data (a file name, a shape, a number, a library's own error text),
// inserted as it is, or a sentence: a nested Message, translated on its own before it is
// inserted. So "refused: %1; treated as missing" takes the reason why as a Message, and a
// translated front end shows both parts in the user's language.
struct MessageText {
    const char *context;
    const char *text;
};
#define FL_TR(context, text) (::fuselab::MessageText{context, text})

struct Message;

// One argument of a Message: plain data, or a nested sentence.
class MessageArg {
public:
    MessageArg(std::string data) : m_data(std::move(data)) {}
    MessageArg(const char *data) : m_data(data) {}
    MessageArg(Message sentence);

    bool isMessage() const { return m_message != nullptr; }
    // The data; empty for a nested sentence.
    const std::string &data() const { return m_data; }
    // The nested sentence; only when isMessage().
    const Message &message() const { return *m_message; }
    // The English text: the data, or the nested sentence's str().
    std::string str() const;

    bool operator==(const MessageArg &other) const;
    bool operator!=(const MessageArg &other) const { return !(*this == other); }

private:
    std::string m_data;
    std::shared_ptr<const Message> m_message; // immutable, so copies may share it
};

struct Message {
    std::string context; // empty: text is plain English that no catalogue translates
    std::string text;
    std::vector<MessageArg> args;

    Message() = default;
    // Arguments: strings (data) or Messages (sentences translated on their own).
    template <typename... Args>
    explicit Message(MessageText t, Args &&...a) : context(t.context), text(t.text), args{MessageArg(std::forward<Args>(a))...}
    {
    }
    // Text that no catalogue translates (a library's error, an exception from elsewhere).
    static Message plain(std::string english)
    {
        Message m;
        m.text = std::move(english);
        return m;
    }
    bool empty() const { return text.empty(); }
    // The English text with its arguments (nested sentences in English too) in place of %1..%9.
    std::string str() const
    {
        std::vector<std::string> filled;
        filled.reserve(args.size());
        for (const MessageArg &a : args)
            filled.push_back(a.str());
        return fill(text, filled);
    }

    bool operator==(const Message &o) const { return context == o.context && text == o.text && args == o.args; }
    bool operator!=(const Message &o) const { return !(*this == o); }

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

inline MessageArg::MessageArg(Message sentence) : m_message(std::make_shared<const Message>(std::move(sentence))) {}

inline std::string MessageArg::str() const { return m_message ? m_message->str() : m_data; }

inline bool MessageArg::operator==(const MessageArg &o) const
{
    if (isMessage() != o.isMessage())
        return false;
    return isMessage() ? *m_message == *o.m_message : m_data == o.m_data;
}

} // namespace fuselab
