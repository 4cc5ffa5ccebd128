// One table row as one line of a backup file: a JSON object, column name ->
// value, whole numbers as JSON numbers (exact: int64), text as JSON strings,
// NULL as null. Both directions, so what is written is exactly what is
// read back.
#pragma once

#include "store/table_dump.hpp"

#include <string>
#include <vector>

namespace erp::emag {

// Replaces `line` with the row's JSON (no newline). `columns[i]` describes
// `cells[i]`. Throws std::runtime_error naming the column when a text value
// is not valid UTF-8 (JSON cannot carry it unchanged).
void row_to_line(const std::vector<DumpColumn>& columns, const std::vector<Cell>& cells, std::string& line);

// Fills `cells` (one per column) from a line. The object must have exactly
// these columns, each of its kind (or null where nullable). Throws
// std::runtime_error saying which column is wrong, never quoting values.
void line_to_row(const std::vector<DumpColumn>& columns, const std::string& line, std::vector<Cell>& cells);

} // namespace erp::emag
