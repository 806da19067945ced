// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"

#include <string>
#include <string_view>
#include <vector>

namespace fuselab {

// RFC 4180 CSV: quoted fields with "" escapes, commas and line breaks inside quotes,
// CRLF, LF or CR line ends, a UTF-8 byte-order mark. Pure: no file access, no Qt.
struct CsvRecord {
    long line = 0; // 1-based line the record starts on
    std::vector<std::string> fields;
};

struct CsvParseResult {
    std::vector<CsvRecord> records; // the header is records[0]
    Message error;                  // non-empty when the text is malformed
    long errorLine = 0;
};

CsvParseResult parseCsv(std::string_view text, char delimiter = ',');

} // namespace fuselab
