// Moving values between the stores' structs and SOCI, the same way in
// every store: nullable values bound with an indicator, and columns read
// back whatever width or type the backend reports. Included only by
// src/store/*.cpp (SOCI stays out of every other header).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

namespace erp::emag::store_detail {

// A nullable value bound to a statement: SOCI takes a value and an indicator.
template <class T>
struct Nullable {
    T value{};
    soci::indicator ind = soci::i_null;
    Nullable() = default;
    template <class U>
    explicit Nullable(const std::optional<U>& v) {
        if (v) {
            value = static_cast<T>(*v);
            ind = soci::i_ok;
        }
    }
};
using NInt = Nullable<int>;
using NBig = Nullable<long long>;

// Reads an integer column whatever width the backend reports.
//
// dt_integer cannot be widened here: soci::row holds such a column as an int
// (get<long long> throws std::bad_cast), and SOCI 4.0.3's SQLite backend has
// already dropped all but the low 32 bits when it filled the row
// (4294967295 reads as -1), silently. SOCI types a SQLite column from its
// declared type, so the fix is the declaration: the host creates bigint
// columns as "bigint" on SQLite (dt_long_long, see host_stub's
// migrations.cpp). A SQLite table created before that, with "integer"
// columns, still reads wrongly through here for values past 32 bits.
inline std::optional<long long> int_at(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) {
        return std::nullopt;
    }
    switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer:
        return row.get<int>(i);
    case soci::dt_long_long:
        return row.get<long long>(i);
    case soci::dt_unsigned_long_long:
        return static_cast<long long>(row.get<unsigned long long>(i));
    case soci::dt_double:
        return static_cast<long long>(row.get<double>(i));
    default:
        return std::stoll(row.get<std::string>(i));
    }
}

inline std::string text_at(const soci::row& row, std::size_t i) {
    return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i);
}

inline std::optional<int> small(const std::optional<long long>& v) {
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

// A LIKE pattern matching `text` anywhere, with '!' as the escape character
// (ESCAPE '!' works the same on SQLite and PostgreSQL), lower-cased (ASCII).
inline std::string contains_pattern(const std::string& text) {
    std::string p = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '!') {
            p += '!';
        }
        p += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    p += '%';
    return p;
}

} // namespace erp::emag::store_detail
