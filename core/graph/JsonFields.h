// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small helpers for reading documents whose errors must name the field ("training.epochs").
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace fuselab::json_fields {

inline void requireObject(const nlohmann::json &j, const std::string &path)
{
    if (!j.is_object())
        throw Error(path + ": must be a JSON object");
}

inline const nlohmann::json &require(const nlohmann::json &j, const std::string &key, const std::string &path)
{
    if (!j.contains(key))
        throw Error(path + "." + key + ": missing");
    return j[key];
}

inline const nlohmann::json &requireArray(const nlohmann::json &j, const std::string &key, const std::string &path)
{
    const auto &v = require(j, key, path);
    if (!v.is_array())
        throw Error(path + "." + key + ": must be an array");
    return v;
}

inline std::string requireString(const nlohmann::json &j, const std::string &key, const std::string &path)
{
    const auto &v = require(j, key, path);
    if (!v.is_string() || v.get<std::string>().empty())
        throw Error(path + "." + key + ": must be a non-empty string");
    return v.get<std::string>();
}

// Reads an optional number/bool/string into `out`, checking its type.
template <typename T>
void optional(const nlohmann::json &j, const std::string &key, const std::string &path, T &out)
{
    if (!j.contains(key) || j[key].is_null())
        return;
    const auto &v = j[key];
    bool ok;
    if constexpr (std::is_same_v<T, bool>)
        ok = v.is_boolean();
    else if constexpr (std::is_integral_v<T>)
        ok = v.is_number_integer() || v.is_number_unsigned();
    else if constexpr (std::is_floating_point_v<T>)
        ok = v.is_number();
    else
        ok = v.is_string();
    if (!ok)
        throw Error(path + "." + key + ": has the wrong type (" + v.dump() + ")");
    out = v.get<T>();
}

} // namespace fuselab::json_fields
