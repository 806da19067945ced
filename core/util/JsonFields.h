// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small helpers for reading documents whose errors must name the field ("training.epochs").
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <type_traits>

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

// Whether `v` is a whole number T can hold (converting one that is not would wrap, or, from a
// float, be undefined).
template <typename T>
bool fitsInteger(const nlohmann::json &v)
{
    if (v.is_number_unsigned())
        return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    if (!v.is_number_integer())
        return false;
    const std::int64_t x = v.get<std::int64_t>();
    if (x >= 0)
        return static_cast<std::uint64_t>(x) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    return std::is_signed_v<T> && x >= static_cast<std::int64_t>(std::numeric_limits<T>::min());
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
        ok = fitsInteger<T>(v);
    else if constexpr (std::is_floating_point_v<T>)
        ok = v.is_number();
    else
        ok = v.is_string();
    if (!ok)
        throw Error(path + "." + key + ": has the wrong type (" + v.dump() + ")");
    out = v.get<T>();
}

} // namespace fuselab::json_fields
