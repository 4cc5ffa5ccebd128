#include "core/money.hpp"

#include <limits>

#include <nlohmann/json.hpp>

namespace emag::sandbox {

std::string format_money(Money value) {
    const bool negative = value < 0;
    // Work in unsigned so INT64_MIN does not overflow on negation.
    uint64_t magnitude = negative ? uint64_t(0) - uint64_t(value) : uint64_t(value);
    const std::string whole = std::to_string(magnitude / kMoneyScale);
    const std::string frac = std::to_string(magnitude % kMoneyScale);
    std::string out;
    out.reserve(whole.size() + 6);
    if (negative)
        out += '-';
    out += whole;
    out += '.';
    out.append(4 - frac.size(), '0');
    out += frac;
    return out;
}

std::optional<Money> parse_money(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    bool negative = false;
    if (text.front() == '-' || text.front() == '+') {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || frac.size() > 4 || (dot != std::string_view::npos && frac.empty()))
        return std::nullopt;
    constexpr int64_t kMaxWhole = std::numeric_limits<int64_t>::max() / kMoneyScale - 1;
    int64_t units = 0;
    for (char c : whole) {
        if (c < '0' || c > '9')
            return std::nullopt;
        units = units * 10 + (c - '0');
        if (units > kMaxWhole)
            return std::nullopt;
    }
    int64_t fraction = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        char c = i < frac.size() ? frac[i] : '0';
        if (c < '0' || c > '9')
            return std::nullopt;
        fraction = fraction * 10 + (c - '0');
    }
    const Money value = units * kMoneyScale + fraction;
    return negative ? -value : value;
}

std::optional<Money> money_from_json(const nlohmann::json& value) {
    if (value.is_string())
        return parse_money(value.get_ref<const std::string&>());
    if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float()) {
        // dump() gives the shortest text that round-trips; exponents are refused by parse_money.
        return parse_money(value.dump());
    }
    return std::nullopt;
}

} // namespace emag::sandbox
