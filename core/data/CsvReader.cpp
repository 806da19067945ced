// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/CsvReader.h"

#include "core/util/Utf8.h"

namespace fuselab {

CsvParseResult parseCsv(std::string_view text, char delimiter)
{
    CsvParseResult result;
    text = utf8::stripBom(text);
    CsvRecord record;
    std::string field;
    long line = 1;
    record.line = 1;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    bool recordHasContent = false;
    long quoteStartLine = 0;

    auto endField = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        fieldWasQuoted = false;
    };
    auto endRecord = [&] {
        endField();
        // A blank line (one empty unquoted field) is not a record.
        if (recordHasContent || record.fields.size() > 1 || !record.fields.front().empty())
            result.records.push_back(std::move(record));
        record = CsvRecord();
        recordHasContent = false;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == '\n' || (c == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n')))
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.empty() || fieldWasQuoted) {
                // A quote inside an unquoted field: RFC 4180 forbids it; take it literally,
                // as most spreadsheet programs do, rather than reject the file.
                field += c;
            } else {
                inQuotes = true;
                fieldWasQuoted = true;
                recordHasContent = true;
                quoteStartLine = line;
            }
        } else if (c == delimiter) {
            recordHasContent = true;
            endField();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            endRecord();
            ++line;
            record.line = line;
        } else {
            if (fieldWasQuoted) {
                // Text after a closing quote ("abc"x): keep it, as above.
            }
            recordHasContent = true;
            field += c;
        }
    }
    if (inQuotes) {
        result.error = Message(FL_TR("DataReading", "unterminated quoted field (the quote opened on line %1 is never closed)"),
                               std::to_string(quoteStartLine));
        result.errorLine = quoteStartLine;
        return result;
    }
    if (!field.empty() || !record.fields.empty() || recordHasContent)
        endRecord();
    return result;
}

} // namespace fuselab
