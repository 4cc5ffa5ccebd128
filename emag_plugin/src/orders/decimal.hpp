// Exact money and loose integers as the eMAG API sends them (reference §1.6,
// §4.9): money is a string ("406.4515", "0.0000") or a JSON number (19.99, 12)
// with up to 4 decimals; ids and quantities are numbers or numeric strings
// ("391982964", "1"). Money is held as int64 ten-thousandths, never a double.
//
// Decimal4::parse grammar (strict; callers trim if they must):
//   [+|-] digit+ [ "." digit+ ]
//   - at least one digit before the point, and at least one after it when a
//     point is present: ".5", "5.", "." are rejected;
//   - leading zeros are accepted ("007.50" = 7.5); "-0" is zero;
//   - more than 4 decimals only when the extra ones are all zeros
//     ("1.23450" = 1.2345, "1.23456" rejected: no silent rounding);
//   - no whitespace anywhere, no exponent ("1e3"), no thousands separators;
//   - the value must fit in ±INT64_MAX units, i.e. |x| <= 922337203685477.5807.
//     INT64_MIN units is outside the valid range so that negation never
//     overflows; +, -, unary -, times() throw std::overflow_error on leaving it.
#pragma once

#include <nlohmann/json.hpp>

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace erp::emag {

struct Decimal4 {
    static constexpr std::int64_t kScale = 10000; // units per 1.0
    static constexpr int kDecimals = 4;

    std::int64_t units = 0; // value × 10^4

    auto operator<=>(const Decimal4&) const = default;

    // See the grammar above; nullopt when the text is not an exact 4-decimal value.
    static std::optional<Decimal4> parse(std::string_view text);

    // A JSON string (through parse) or number. Integers are exact; a float is
    // read through nlohmann's shortest round-trip text (dump()), so 19.99 is
    // 19.9900 and 1e-4 is 0.0001, and one with more than 4 significant decimals
    // (1e-05, 0.30000000000000004) is rejected like such a string would be.
    // bool, null, objects, arrays, NaN/infinity, overflow: nullopt.
    static std::optional<Decimal4> from_json(const nlohmann::json& value);

    // Always exactly 4 decimals: "406.4515", "-12.5000", "0.0000".
    std::string to_string() const;

    // This unit price × qty; throws std::overflow_error when out of range.
    Decimal4 times(std::int64_t qty) const;

    // The amount in the currency's minor units (RON/EUR 2 → bani/cents, HUF 0),
    // rounded half away from zero: 406.4515 → 40645, 2.005 → 201, -2.005 → -201.
    // currency_decimals must be 0..4 (std::invalid_argument otherwise).
    std::int64_t minor_units(int currency_decimals) const;

    Decimal4 operator-() const;
};

// Both throw std::overflow_error when the result leaves ±INT64_MAX units.
Decimal4 operator+(Decimal4 a, Decimal4 b);
Decimal4 operator-(Decimal4 a, Decimal4 b);

// A JSON integer (signed, or unsigned up to INT64_MAX) or a canonical integer
// string: optional '-', no '+', no leading zeros, no "-0" ("12", "-3", "0";
// not "012", "+3", "1.0", "1e3", " 1", ""). JSON floats (even 12.0), bool,
// null and anything else, and values out of int64 range: nullopt.
std::optional<std::int64_t> int_from_json(const nlohmann::json& value);

// A text field as eMAG sends it: a JSON string as is, or a JSON number as its
// JSON text (a postal code or EAN sent as 400123 is still that text); bool,
// null, objects and arrays: nullopt.
std::optional<std::string> text_from_json(const nlohmann::json& value);

// int_from_json restricted to [lo, hi]; nullopt outside it.
std::optional<std::int64_t> int_from_json_in(const nlohmann::json& value, std::int64_t lo, std::int64_t hi);

// Non-negative variant with the full uint64 range, capped at max: a JSON
// non-negative integer or canonical string of digits ("0", "4294967295"; no
// sign at all). E.g. an order id: uint_from_json(j, 4294967295).
std::optional<std::uint64_t> uint_from_json(const nlohmann::json& value,
                                            std::uint64_t max = std::numeric_limits<std::uint64_t>::max());

} // namespace erp::emag
