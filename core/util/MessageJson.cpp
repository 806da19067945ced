// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/MessageJson.h"

namespace fuselab {

nlohmann::json messageToJson(const Message &m)
{
    nlohmann::json args = nlohmann::json::array();
    for (const MessageArg &a : m.args)
        args.push_back(a.isMessage() ? messageToJson(a.message()) : nlohmann::json(a.data()));
    return {{"context", m.context}, {"text", m.text}, {"args", std::move(args)}};
}

Message messageFromJson(const nlohmann::json &j)
{
    if (j.is_string())
        return Message::plain(j.get<std::string>());
    if (!j.is_object())
        return {};
    Message m;
    const auto context = j.find("context"), text = j.find("text"), args = j.find("args");
    if (context != j.end() && context->is_string())
        m.context = context->get<std::string>();
    if (text != j.end() && text->is_string())
        m.text = text->get<std::string>();
    if (args != j.end() && args->is_array())
        for (const nlohmann::json &a : *args) {
            if (a.is_object())
                m.args.emplace_back(messageFromJson(a));
            else if (a.is_string())
                m.args.emplace_back(a.get<std::string>());
            else
                m.args.emplace_back(a.dump()); // a number written by hand: keep it as data
        }
    return m;
}

Message reasonFromJson(const nlohmann::json &entry)
{
    if (!entry.is_object())
        return {};
    if (const auto m = entry.find("message"); m != entry.end()) {
        Message message = messageFromJson(*m);
        if (!message.empty())
            return message;
    }
    const auto reason = entry.find("reason");
    return reason != entry.end() && reason->is_string() ? Message::plain(reason->get<std::string>()) : Message();
}

} // namespace fuselab
