// Exact money: eMAG sends prices with up to 4 decimals, as strings or numbers.
// The sandbox keeps them as integer minor units x 10^4 (406.4515 -> 4064515)
// and renders them always with 4 decimals ("406.4515", "0.0000"), never via
// double, so totals and comparisons are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace emag::sandbox {

using Money = int64_t; // units of 10^-4

inline constexpr Money kMoneyScale = 10000;

// "406.4515", "-12.5000", "0.0000".
std::string format_money(Money value);

// Accepts "406.4515", "406.45", "406", "-1.5", "+3"; at most 4 decimals.
// Anything else (empty, 5 decimals, letters, overflow) -> nullopt.
std::optional<Money> parse_money(std::string_view text);

// A JSON string or number (integer or float, read through its shortest
// decimal text, so 19.99 stays exactly 19.99). Other types -> nullopt.
std::optional<Money> money_from_json(const nlohmann::json& value);

} // namespace emag::sandbox
