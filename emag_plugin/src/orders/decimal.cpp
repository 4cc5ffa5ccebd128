#include "orders/decimal.hpp"

#include <cstddef>
#include <stdexcept>

namespace erp::emag {

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = -kMax; // INT64_MIN is deliberately out of range

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

Decimal4 checked(std::int64_t units, bool overflowed, const char* what) {
    if (overflowed || units < kMin)
        throw std::overflow_error(std::string("Decimal4: overflow in ") + what);
    return Decimal4{units};
}

// The text nlohmann writes for a double: [-]digits[.digits][e[+|-]digits].
// Rewrites it without the exponent, so Decimal4::parse applies its rules;
// nullopt when it is not of that form or the exponent is absurd.
std::optional<std::string> expand_exponent(std::string_view text) {
    const std::size_t e = text.find_first_of("eE");
    if (e == std::string_view::npos)
        return std::string(text);
    std::string_view mant = text.substr(0, e);
    std::string_view exp = text.substr(e + 1);
    std::string sign;
    if (!mant.empty() && mant.front() == '-') {
        sign = "-";
        mant.remove_prefix(1);
    }
    bool exp_neg = false;
    if (!exp.empty() && (exp.front() == '+' || exp.front() == '-')) {
        exp_neg = exp.front() == '-';
        exp.remove_prefix(1);
    }
    if (exp.empty() || exp.size() > 4)
        return std::nullopt;
    int exponent = 0;
    for (char c : exp) {
        if (!is_digit(c))
            return std::nullopt;
        exponent = exponent * 10 + (c - '0');
    }
    if (exponent > 400) // beyond any double; keeps the rewrite small
        return std::nullopt;
    if (exp_neg)
        exponent = -exponent;

    std::string digits;
    std::ptrdiff_t int_len = -1;
    for (char c : mant) {
        if (c == '.' && int_len < 0)
            int_len = static_cast<std::ptrdiff_t>(digits.size());
        else if (is_digit(c))
            digits.push_back(c);
        else
            return std::nullopt;
    }
    if (digits.empty())
        return std::nullopt;
    if (int_len < 0)
        int_len = static_cast<std::ptrdiff_t>(digits.size());
    int_len += exponent;
    if (int_len <= 0) {
        digits.insert(0, static_cast<std::size_t>(1 - int_len), '0');
        int_len = 1;
    } else if (int_len > static_cast<std::ptrdiff_t>(digits.size())) {
        digits.append(static_cast<std::size_t>(int_len) - digits.size(), '0');
    }
    std::string out = sign;
    out.append(digits, 0, static_cast<std::size_t>(int_len));
    if (static_cast<std::size_t>(int_len) < digits.size()) {
        out.push_back('.');
        out.append(digits, static_cast<std::size_t>(int_len));
    }
    return out;
}

} // namespace

std::optional<Decimal4> Decimal4::parse(std::string_view text) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    // Accumulate the magnitude as positive units; the sign is applied last.
    std::int64_t whole = 0;
    const std::size_t int_start = i;
    for (; i < text.size() && is_digit(text[i]); ++i) {
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, text[i] - '0', &whole))
            return std::nullopt;
    }
    if (i == int_start)
        return std::nullopt; // no digit before the point (or empty)
    std::int64_t frac = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        const std::size_t frac_start = i;
        for (; i < text.size() && is_digit(text[i]); ++i) {
            const std::size_t pos = i - frac_start;
            if (pos < static_cast<std::size_t>(kDecimals))
                frac = frac * 10 + (text[i] - '0');
            else if (text[i] != '0')
                return std::nullopt; // a fifth non-zero decimal: not exact
        }
        const std::size_t n = i - frac_start;
        if (n == 0)
            return std::nullopt; // "5."
        for (std::size_t k = n; k < static_cast<std::size_t>(kDecimals); ++k)
            frac *= 10;
    }
    if (i != text.size())
        return std::nullopt;
    std::int64_t units = 0;
    if (__builtin_mul_overflow(whole, kScale, &units) || __builtin_add_overflow(units, frac, &units))
        return std::nullopt;
    return Decimal4{negative ? -units : units};
}

std::optional<Decimal4> Decimal4::from_json(const nlohmann::json& value) {
    using value_t = nlohmann::json::value_t;
    switch (value.type()) {
    case value_t::string:
        return parse(value.get_ref<const std::string&>());
    case value_t::number_integer: {
        std::int64_t units = 0;
        if (__builtin_mul_overflow(value.get<std::int64_t>(), kScale, &units) || units < kMin)
            return std::nullopt;
        return Decimal4{units};
    }
    case value_t::number_unsigned: {
        const std::uint64_t u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(kMax / kScale))
            return std::nullopt;
        return Decimal4{static_cast<std::int64_t>(u) * kScale};
    }
    case value_t::number_float: {
        // dump() writes the shortest text that reads back as the same double
        // (NaN and infinity as "null", which parse rejects).
        const std::optional<std::string> plain = expand_exponent(value.dump());
        if (!plain)
            return std::nullopt;
        return parse(*plain);
    }
    default:
        return std::nullopt;
    }
}

std::string Decimal4::to_string() const {
    const bool negative = units < 0;
    // Magnitude via unsigned arithmetic, so even INT64_MIN prints correctly.
    const std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
    const std::uint64_t scale = static_cast<std::uint64_t>(kScale);
    const std::string whole = std::to_string(mag / scale);
    const std::string frac = std::to_string(mag % scale);
    std::string out;
    out.reserve(whole.size() + 6);
    if (negative)
        out.push_back('-');
    out.append(whole);
    out.push_back('.');
    out.append(static_cast<std::size_t>(kDecimals) - frac.size(), '0');
    out.append(frac);
    return out;
}

Decimal4 Decimal4::times(std::int64_t qty) const {
    std::int64_t r = 0;
    const bool of = __builtin_mul_overflow(units, qty, &r);
    return checked(r, of, "times");
}

std::int64_t Decimal4::minor_units(int currency_decimals) const {
    if (currency_decimals < 0 || currency_decimals > kDecimals)
        throw std::invalid_argument("Decimal4::minor_units: currency decimals must be 0..4");
    std::int64_t div = 1;
    for (int k = currency_decimals; k < kDecimals; ++k)
        div *= 10;
    std::int64_t q = units / div;       // truncates toward zero
    const std::int64_t r = units % div; // same sign as units
    const std::int64_t abs_r = r < 0 ? -r : r;
    if (abs_r * 2 >= div)
        q += units < 0 ? -1 : 1;
    return q;
}

Decimal4 Decimal4::operator-() const {
    if (units < kMin)
        throw std::overflow_error("Decimal4: overflow in negation");
    return Decimal4{-units};
}

Decimal4 operator+(Decimal4 a, Decimal4 b) {
    std::int64_t r = 0;
    const bool of = __builtin_add_overflow(a.units, b.units, &r);
    return checked(r, of, "addition");
}

Decimal4 operator-(Decimal4 a, Decimal4 b) {
    std::int64_t r = 0;
    const bool of = __builtin_sub_overflow(a.units, b.units, &r);
    return checked(r, of, "subtraction");
}

namespace {

// Canonical digits: "0" or [1-9][0-9]*. Accumulates into uint64 with
// overflow check.
std::optional<std::uint64_t> parse_canonical_digits(std::string_view s) {
    if (s.empty() || (s.size() > 1 && s.front() == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c))
            return std::nullopt;
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<unsigned>(c - '0'), &v))
            return std::nullopt;
    }
    return v;
}

} // namespace

std::optional<std::string> text_from_json(const nlohmann::json& value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_number())
        return value.dump();
    return std::nullopt;
}

std::optional<std::int64_t> int_from_json(const nlohmann::json& value) {
    using value_t = nlohmann::json::value_t;
    switch (value.type()) {
    case value_t::number_integer:
        return value.get<std::int64_t>();
    case value_t::number_unsigned: {
        const std::uint64_t u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(kMax))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    case value_t::string: {
        std::string_view s = value.get_ref<const std::string&>();
        const bool negative = !s.empty() && s.front() == '-';
        if (negative)
            s.remove_prefix(1);
        const std::optional<std::uint64_t> mag = parse_canonical_digits(s);
        if (!mag)
            return std::nullopt;
        if (negative) {
            if (*mag == 0)
                return std::nullopt; // "-0" is not canonical
            // INT64_MIN's magnitude is INT64_MAX + 1.
            if (*mag > static_cast<std::uint64_t>(kMax) + 1)
                return std::nullopt;
            return static_cast<std::int64_t>(0 - *mag);
        }
        if (*mag > static_cast<std::uint64_t>(kMax))
            return std::nullopt;
        return static_cast<std::int64_t>(*mag);
    }
    default:
        return std::nullopt;
    }
}

std::optional<std::int64_t> int_from_json_in(const nlohmann::json& value, std::int64_t lo, std::int64_t hi) {
    const std::optional<std::int64_t> v = int_from_json(value);
    if (!v || *v < lo || *v > hi)
        return std::nullopt;
    return v;
}

std::optional<std::uint64_t> uint_from_json(const nlohmann::json& value, std::uint64_t max) {
    using value_t = nlohmann::json::value_t;
    std::optional<std::uint64_t> v;
    switch (value.type()) {
    case value_t::number_unsigned:
        v = value.get<std::uint64_t>();
        break;
    case value_t::number_integer: {
        const std::int64_t i = value.get<std::int64_t>();
        if (i >= 0)
            v = static_cast<std::uint64_t>(i);
        break;
    }
    case value_t::string:
        v = parse_canonical_digits(value.get_ref<const std::string&>());
        break;
    default:
        break;
    }
    if (!v || *v > max)
        return std::nullopt;
    return v;
}

} // namespace erp::emag
