// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <nlohmann/json.hpp>

namespace fuselab {

// A Message in machine-readable form, for reports and files that a front end reads back and
// translates (the health check's problems, a tensor cache's issues):
//   {"context": "DataReading", "text": "refused: %1; treated as missing",
//    "args": [{"context": "DataReading", "text": "path leads outside the dataset folder %1", "args": ["/data"]}]}
// An argument is a string (data) or an object of the same form (a nested sentence). A
// message without context (plain English) has "context": "".
nlohmann::json messageToJson(const Message &message);

// The Message back from messageToJson's form. A plain string gives untranslated text; null,
// or anything else not of that form, gives an empty Message.
Message messageFromJson(const nlohmann::json &json);

// The reason of an entry that holds {"reason": English, "message": messageToJson(...)}, as the
// health check's problems and a tensor cache's issues do: its "message", or, where an older
// file has none, its "reason" as plain English.
Message reasonFromJson(const nlohmann::json &entry);

} // namespace fuselab
