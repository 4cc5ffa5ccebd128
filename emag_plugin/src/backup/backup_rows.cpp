#include "backup/backup_rows.hpp"

#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>

namespace erp::emag {

void row_to_line(const std::vector<DumpColumn>& columns, const std::vector<Cell>& cells, std::string& line) {
    line.clear();
    line += '{';
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) {
            line += ',';
        }
        line += '"';
        line += columns[i].name; // plain identifiers: nothing to escape
        line += "\":";
        const Cell& c = cells[i];
        if (c.null) {
            line += "null";
        } else if (columns[i].kind == ColumnKind::whole) {
            line += std::to_string(c.number);
        } else {
            try {
                line += nlohmann::json(c.text).dump(); // strict: invalid UTF-8 throws rather than changing
            } catch (const nlohmann::json::type_error&) {
                throw std::runtime_error("column " + columns[i].name + " holds text that is not valid UTF-8");
            }
        }
    }
    line += '}';
}

void line_to_row(const std::vector<DumpColumn>& columns, const std::string& line, std::vector<Cell>& cells) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        throw std::runtime_error("not a JSON object");
    }
    if (j.size() != columns.size()) {
        throw std::runtime_error("has " + std::to_string(j.size()) + " columns, expected " +
                                 std::to_string(columns.size()));
    }
    cells.resize(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const DumpColumn& col = columns[i];
        const auto it = j.find(col.name);
        if (it == j.end()) {
            throw std::runtime_error("column " + col.name + " is missing");
        }
        Cell& c = cells[i];
        c.null = it->is_null();
        if (c.null) {
            if (!col.nullable) {
                throw std::runtime_error("column " + col.name + " is null but may not be");
            }
            continue;
        }
        if (col.kind == ColumnKind::whole) {
            const bool fits = it->is_number_integer() &&
                              (!it->is_number_unsigned() ||
                               it->get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<long long>::max()));
            if (!fits) {
                throw std::runtime_error("column " + col.name + " is not a whole number in the 64-bit range");
            }
            c.number = it->get<long long>();
        } else {
            if (!it->is_string()) {
                throw std::runtime_error("column " + col.name + " is not a string");
            }
            c.text = std::move(it->get_ref<std::string&>());
        }
    }
}

} // namespace erp::emag
