// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/BlockType.h"

#include <cmath>

namespace fuselab {

OptionSpec OptionSpec::integer(std::string name, long long def, long long min, long long max, std::string help)
{
    OptionSpec o;
    o.name = std::move(name);
    o.type = Type::Int;
    o.defaultValue = def;
    o.min = double(min);
    o.max = double(max);
    o.help = std::move(help);
    return o;
}

OptionSpec OptionSpec::real(std::string name, double def, double min, double max, std::string help)
{
    OptionSpec o;
    o.name = std::move(name);
    o.type = Type::Float;
    o.defaultValue = def;
    o.min = min;
    o.max = max;
    o.help = std::move(help);
    return o;
}

OptionSpec OptionSpec::boolean(std::string name, bool def, std::string help)
{
    OptionSpec o;
    o.name = std::move(name);
    o.type = Type::Bool;
    o.defaultValue = def;
    o.min = 1;
    o.max = 0;
    o.help = std::move(help);
    return o;
}

OptionSpec OptionSpec::choice(std::string name, std::string def, std::vector<std::string> choices, std::string help)
{
    OptionSpec o;
    o.name = std::move(name);
    o.type = Type::Choice;
    o.defaultValue = std::move(def);
    o.choices = std::move(choices);
    o.min = 1;
    o.max = 0;
    o.help = std::move(help);
    return o;
}

OptionSpec OptionSpec::text(std::string name, std::string def, std::string help)
{
    OptionSpec o;
    o.name = std::move(name);
    o.type = Type::String;
    o.defaultValue = std::move(def);
    o.min = 1;
    o.max = 0;
    o.help = std::move(help);
    return o;
}

OptionSpec OptionSpec::file(std::string name, std::string help)
{
    OptionSpec o = text(std::move(name), "", std::move(help));
    o.isPath = true;
    return o;
}

nlohmann::json BlockType::resolveParams(const nlohmann::json &given, std::vector<BlockProblem> &problems) const
{
    nlohmann::json out = nlohmann::json::object();
    const auto specs = options();
    for (const OptionSpec &o : specs) {
        if (!given.contains(o.name) || given[o.name].is_null()) {
            out[o.name] = o.defaultValue;
            continue;
        }
        const nlohmann::json &v = given[o.name];
        bool ok = true;
        switch (o.type) {
        case OptionSpec::Type::Int:
            // Whole numbers within what a 64-bit integer holds (a cast of anything larger is undefined).
            ok = (v.is_number_integer() || v.is_number_unsigned() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
                 && std::abs(v.get<double>()) < 9.2e18;
            if (ok)
                out[o.name] = v.is_number_integer() ? v.get<long long>() : static_cast<long long>(v.get<double>());
            break;
        case OptionSpec::Type::Float:
            ok = v.is_number();
            if (ok)
                out[o.name] = v.get<double>();
            break;
        case OptionSpec::Type::Bool:
            ok = v.is_boolean();
            if (ok)
                out[o.name] = v;
            break;
        case OptionSpec::Type::Choice:
        case OptionSpec::Type::String:
            ok = v.is_string();
            if (ok)
                out[o.name] = v;
            break;
        }
        if (!ok) {
            problems.push_back({o.name, Message(FL_TR("Blocks", "has the wrong type (%1)"), v.dump())});
            out[o.name] = o.defaultValue;
            continue;
        }
        if ((o.type == OptionSpec::Type::Int || o.type == OptionSpec::Type::Float) && o.min <= o.max) {
            const double x = out[o.name].get<double>();
            if (!(x >= o.min && x <= o.max)) { // NaN included
                auto fmt = [&](double d) { return o.type == OptionSpec::Type::Int ? std::to_string((long long)d) : std::to_string(d); };
                problems.push_back({o.name, Message(FL_TR("Blocks", "is %1, must be from %2 to %3"), v.dump(), fmt(o.min), fmt(o.max))});
                out[o.name] = o.defaultValue; // shape inference never sees a value the block cannot take
            }
        }
        if (o.type == OptionSpec::Type::Choice) {
            const std::string s = v.get<std::string>();
            bool found = false;
            std::string list;
            for (auto &c : o.choices) {
                found = found || c == s;
                list += (list.empty() ? "" : ", ") + c;
            }
            if (!found)
                problems.push_back({o.name, Message(FL_TR("Blocks", "is \"%1\", must be one of: %2"), s, list)});
        }
    }
    for (auto it = given.begin(); it != given.end(); ++it) {
        bool known = false;
        for (auto &o : specs)
            known = known || o.name == it.key();
        if (!known)
            problems.push_back({it.key(), Message(FL_TR("Blocks", "is not an option of %1"), type())});
    }
    return out;
}

int portIndex(const std::vector<PortSpec> &ports, const std::string &name)
{
    for (std::size_t i = 0; i < ports.size(); ++i)
        if (ports[i].name == name)
            return static_cast<int>(i);
    return -1;
}

std::string portNames(const std::vector<PortSpec> &ports)
{
    std::string s;
    for (auto &p : ports)
        s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? "none" : s;
}

std::string kindNames(const std::vector<PortKind> &kinds)
{
    std::string s;
    for (auto k : kinds)
        s += (s.empty() ? "" : " or ") + std::string(portKindName(k));
    return s;
}

} // namespace fuselab
