// Exact order values: Decimal4 money (parse, JSON, format, arithmetic,
// rounding to minor units), loose JSON integers, and the cancellation-reason
// table with its labels (reference §1.6, §4.9, §4.10).
#define BOOST_TEST_MODULE emag_order_values
#include <boost/test/unit_test.hpp>

#include "orders/cancellation_reasons.hpp"
#include "orders/decimal.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>

namespace erp::emag {
// For Boost.Test's messages.
std::ostream& operator<<(std::ostream& os, const Decimal4& d) {
    return os << d.to_string() << " (" << d.units << " units)";
}
} // namespace erp::emag

namespace boost::test_tools::tt_detail {
// Boost.Test's own hook for printing values it cannot stream: optionals.
template <class T>
struct print_log_value<std::optional<T>> {
    void operator()(std::ostream& os, const std::optional<T>& v) {
        if (v)
            os << *v;
        else
            os << "nullopt";
    }
};
} // namespace boost::test_tools::tt_detail

using namespace erp::emag;
using nlohmann::json;

namespace {

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

std::optional<std::int64_t> units_of(std::string_view text) {
    const std::optional<Decimal4> d = Decimal4::parse(text);
    if (!d)
        return std::nullopt;
    return d->units;
}

std::optional<std::int64_t> json_units(const json& j) {
    const std::optional<Decimal4> d = Decimal4::from_json(j);
    if (!d)
        return std::nullopt;
    return d->units;
}

Decimal4 dec(std::string_view text) {
    const std::optional<Decimal4> d = Decimal4::parse(text);
    BOOST_TEST_REQUIRE(d.has_value(), "parse failed: " << text);
    return *d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(decimal_parse)

BOOST_AUTO_TEST_CASE(accepts_exact_values) {
    BOOST_TEST(units_of("406.4515") == 4064515);
    BOOST_TEST(units_of("406.45") == 4064500);
    BOOST_TEST(units_of("406") == 4060000);
    BOOST_TEST(units_of("-1.5") == -15000);
    BOOST_TEST(units_of("+3") == 30000);
    BOOST_TEST(units_of("0.0000") == 0);
    BOOST_TEST(units_of("0") == 0);
    BOOST_TEST(units_of("-0") == 0);
    BOOST_TEST(units_of("-0.0000") == 0);
    BOOST_TEST(units_of("0.0001") == 1);
    BOOST_TEST(units_of("-0.0001") == -1);
    BOOST_TEST(units_of("967.6613") == 9676613);
    BOOST_TEST(units_of("19.99") == 199900);
    BOOST_TEST(units_of("007.50") == 75000); // leading zeros are harmless
}

BOOST_AUTO_TEST_CASE(extra_decimals_only_when_zero) {
    BOOST_TEST(units_of("1.23450") == 12345);
    BOOST_TEST(units_of("1.2345000000") == 12345);
    BOOST_TEST(units_of("1.00000") == 10000);
    BOOST_TEST(!units_of("1.23456"));
    BOOST_TEST(!units_of("1.23450001"));
    BOOST_TEST(!units_of("0.00001"));
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    for (const char* bad :
         {"",      "-",  "+",  ".",    ".5",  "-.5", "5.",  "1..2", "1.2.3", "abc", "12a", "a12",   "1,5",
          "1 000", " 1", "1 ", "1. 5", "--1", "+-1", "1e3", "1E3",  "0x10",  "inf", "nan", "1_000", "١٢"}) {
        BOOST_TEST(!units_of(bad), "accepted: '" << bad << "'");
    }
}

BOOST_AUTO_TEST_CASE(int64_limits) {
    BOOST_TEST(units_of("922337203685477.5807") == kI64Max);
    BOOST_TEST(units_of("-922337203685477.5807") == -kI64Max);
    BOOST_TEST(!units_of("922337203685477.5808"));
    BOOST_TEST(!units_of("-922337203685477.5808")); // INT64_MIN is out of range on purpose
    BOOST_TEST(!units_of("922337203685478"));
    BOOST_TEST(!units_of("9223372036854775807"));
    BOOST_TEST(!units_of("99999999999999999999999999"));
    BOOST_TEST(units_of("922337203685477") == 9223372036854770000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decimal_json)

BOOST_AUTO_TEST_CASE(strings) {
    BOOST_TEST(json_units(json("406.4515")) == 4064515);
    BOOST_TEST(json_units(json("0.0000")) == 0);
    BOOST_TEST(json_units(json("-12.5")) == -125000);
    BOOST_TEST(!json_units(json("")));
    BOOST_TEST(!json_units(json("1.23456")));
    BOOST_TEST(!json_units(json("1e3"))); // strings stay strict
}

BOOST_AUTO_TEST_CASE(float_numbers_keep_their_shortest_text) {
    BOOST_TEST(json_units(json(19.99)) == 199900);
    BOOST_TEST(json_units(json(0.1)) == 1000);
    BOOST_TEST(json_units(json(1e-4)) == 1);
    BOOST_TEST(json_units(json(406.4515)) == 4064515);
    BOOST_TEST(json_units(json(-0.5)) == -5000);
    BOOST_TEST(json_units(json(12.0)) == 120000);
    BOOST_TEST(json_units(json(-0.0)) == 0);
    BOOST_TEST(json_units(json(967.6613)) == 9676613);
    BOOST_TEST(json_units(json(1e14)) == 1000000000000000000); // dumps as "100000000000000.0"
    // Parsed from text, as they arrive from eMAG.
    BOOST_TEST(json_units(json::parse("19.99")) == 199900);
    BOOST_TEST(json_units(json::parse("0.0001")) == 1);
    BOOST_TEST(json_units(json::parse("1e-4")) == 1);
    BOOST_TEST(json_units(json::parse("1.5e2")) == 1500000);
    BOOST_TEST(json_units(json::parse("406.4515")) == 4064515);
    BOOST_TEST(json_units(json::parse("-0.5")) == -5000);
}

BOOST_AUTO_TEST_CASE(float_numbers_with_more_than_four_decimals_are_rejected) {
    BOOST_TEST(!json_units(json(1e-5)));
    BOOST_TEST(!json_units(json(0.1 + 0.2))); // 0.30000000000000004
    BOOST_TEST(!json_units(json(19.99999)));
    BOOST_TEST(!json_units(json(std::numeric_limits<double>::quiet_NaN())));
    BOOST_TEST(!json_units(json(std::numeric_limits<double>::infinity())));
    BOOST_TEST(!json_units(json(1e300)));
    BOOST_TEST(!json_units(json(-1e20)));
}

BOOST_AUTO_TEST_CASE(integer_numbers_are_exact) {
    BOOST_TEST(json_units(json(12)) == 120000);
    BOOST_TEST(json_units(json(-3)) == -30000);
    BOOST_TEST(json_units(json(0)) == 0);
    BOOST_TEST(json_units(json::parse("12")) == 120000); // number_unsigned
    BOOST_TEST(json_units(json(std::int64_t{922337203685477})) == 9223372036854770000);
    BOOST_TEST(json_units(json(std::int64_t{-922337203685477})) == -9223372036854770000);
    BOOST_TEST(!json_units(json(std::int64_t{922337203685478})));
    BOOST_TEST(!json_units(json(std::int64_t{-922337203685478})));
    BOOST_TEST(!json_units(json(std::uint64_t{922337203685478})));
    BOOST_TEST(!json_units(json(std::numeric_limits<std::uint64_t>::max())));
    BOOST_TEST(!json_units(json(kI64Min)));
}

BOOST_AUTO_TEST_CASE(other_types_are_rejected) {
    BOOST_TEST(!json_units(json(true)));
    BOOST_TEST(!json_units(json(false)));
    BOOST_TEST(!json_units(json(nullptr)));
    BOOST_TEST(!json_units(json::object()));
    BOOST_TEST(!json_units(json::array({1})));
    BOOST_TEST(!json_units(json::object({{"value", "1.00"}})));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decimal_format_and_arithmetic)

BOOST_AUTO_TEST_CASE(to_string_has_four_decimals) {
    BOOST_TEST(Decimal4{4064515}.to_string() == "406.4515");
    BOOST_TEST(Decimal4{-125000}.to_string() == "-12.5000");
    BOOST_TEST(Decimal4{0}.to_string() == "0.0000");
    BOOST_TEST(Decimal4{1}.to_string() == "0.0001");
    BOOST_TEST(Decimal4{-1}.to_string() == "-0.0001");
    BOOST_TEST(Decimal4{-9999}.to_string() == "-0.9999");
    BOOST_TEST(Decimal4{10000}.to_string() == "1.0000");
    BOOST_TEST(Decimal4{kI64Max}.to_string() == "922337203685477.5807");
    BOOST_TEST(Decimal4{-kI64Max}.to_string() == "-922337203685477.5807");
    BOOST_TEST(Decimal4{kI64Min}.to_string() == "-922337203685477.5808");
    BOOST_TEST(dec("-0").to_string() == "0.0000");
}

BOOST_AUTO_TEST_CASE(round_trips) {
    for (const char* s :
         {"406.4515", "-12.5000", "0.0000", "0.0001", "19.9900", "922337203685477.5807", "-922337203685477.5807"}) {
        BOOST_TEST(dec(s).to_string() == s);
    }
}

BOOST_AUTO_TEST_CASE(comparisons) {
    BOOST_TEST(dec("1.5") == dec("1.50"));
    BOOST_TEST(dec("1.5") != dec("1.5001"));
    BOOST_TEST(dec("-1") < dec("0"));
    BOOST_TEST(dec("0.0001") > dec("0"));
    BOOST_TEST(dec("2") >= dec("2.0000"));
    BOOST_TEST(dec("406.4515") <= dec("406.4516"));
}

BOOST_AUTO_TEST_CASE(addition_is_exact) {
    BOOST_TEST(dec("0.1") + dec("0.2") == dec("0.3"));
    BOOST_TEST((*Decimal4::from_json(json(0.1)) + *Decimal4::from_json(json(0.2))).to_string() == "0.3000");
    BOOST_TEST(dec("406.4515") - dec("6.4515") == dec("400"));
    BOOST_TEST(dec("1") - dec("1.0001") == dec("-0.0001"));
    BOOST_TEST(-dec("12.5") == dec("-12.5"));
    BOOST_TEST(-dec("0") == dec("0"));
    // Line + negative voucher split (§4.9: discounts are negative).
    BOOST_TEST((dec("967.6613") + dec("-100.0000")).to_string() == "867.6613");
}

BOOST_AUTO_TEST_CASE(arithmetic_overflow_throws) {
    const Decimal4 max{kI64Max};
    BOOST_CHECK_THROW(max + Decimal4{1}, std::overflow_error);
    BOOST_CHECK_THROW(-max - Decimal4{1}, std::overflow_error); // would be INT64_MIN
    BOOST_CHECK_THROW(-max - Decimal4{2}, std::overflow_error);
    BOOST_CHECK_THROW(Decimal4{0} - Decimal4{kI64Min}, std::overflow_error);
    BOOST_CHECK_THROW(-Decimal4{kI64Min}, std::overflow_error);
    BOOST_TEST((max + Decimal4{0}) == max);
    BOOST_TEST((max - max) == Decimal4{0});
    BOOST_TEST((-max + max) == Decimal4{0});
}

BOOST_AUTO_TEST_CASE(times_quantity) {
    BOOST_TEST(dec("19.99").times(3) == dec("59.97"));
    BOOST_TEST(dec("406.4515").times(0) == dec("0"));
    BOOST_TEST(dec("-0.0001").times(5) == dec("-0.0005"));
    BOOST_TEST(dec("2.5").times(-2) == dec("-5"));
    BOOST_TEST(Decimal4{kI64Max}.times(1) == Decimal4{kI64Max});
    BOOST_TEST(Decimal4{kI64Max}.times(-1) == Decimal4{-kI64Max});
    BOOST_TEST(dec("461168601842738.7903").times(2) == Decimal4{kI64Max - 1});
    BOOST_CHECK_THROW(dec("461168601842738.7904").times(2), std::overflow_error);
    BOOST_CHECK_THROW(Decimal4{kI64Max}.times(2), std::overflow_error);
    BOOST_CHECK_THROW(dec("1").times(kI64Max), std::overflow_error);
    BOOST_CHECK_THROW(Decimal4{1}.times(kI64Min), std::overflow_error); // INT64_MIN units
    BOOST_CHECK_THROW(Decimal4{-1}.times(kI64Min), std::overflow_error);
}

BOOST_AUTO_TEST_CASE(minor_units_round_half_away_from_zero) {
    BOOST_TEST(dec("406.4515").minor_units(2) == 40645);
    BOOST_TEST(dec("406.4550").minor_units(2) == 40646);
    BOOST_TEST(dec("406.4549").minor_units(2) == 40645);
    BOOST_TEST(dec("2.005").minor_units(2) == 201);
    BOOST_TEST(dec("-2.005").minor_units(2) == -201);
    BOOST_TEST(dec("2.0049").minor_units(2) == 200);
    BOOST_TEST(dec("-2.0049").minor_units(2) == -200);
    BOOST_TEST(dec("0.0049").minor_units(2) == 0);
    BOOST_TEST(dec("-0.0050").minor_units(2) == -1);
    BOOST_TEST(dec("19.99").minor_units(2) == 1999);
    // HUF: no decimals.
    BOOST_TEST(dec("1234.5").minor_units(0) == 1235);
    BOOST_TEST(dec("1234.4999").minor_units(0) == 1234);
    BOOST_TEST(dec("-1234.5").minor_units(0) == -1235);
    BOOST_TEST(dec("0.5").minor_units(0) == 1);
    // 3 and 4 decimals.
    BOOST_TEST(dec("1.2345").minor_units(3) == 1235);
    BOOST_TEST(dec("1.2345").minor_units(4) == 12345);
    BOOST_TEST(Decimal4{kI64Max}.minor_units(0) == 922337203685478);
    BOOST_TEST(Decimal4{-kI64Max}.minor_units(2) == -92233720368547758);
    BOOST_CHECK_THROW(dec("1").minor_units(-1), std::invalid_argument);
    BOOST_CHECK_THROW(dec("1").minor_units(5), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loose_integers)

BOOST_AUTO_TEST_CASE(int_from_json_accepts) {
    BOOST_TEST(int_from_json(json(12)) == 12);
    BOOST_TEST(int_from_json(json(-3)) == -3);
    BOOST_TEST(int_from_json(json::parse("391982964")) == 391982964);
    BOOST_TEST(int_from_json(json("391982964")) == 391982964);
    BOOST_TEST(int_from_json(json("12")) == 12);
    BOOST_TEST(int_from_json(json("-3")) == -3);
    BOOST_TEST(int_from_json(json("0")) == 0);
    BOOST_TEST(int_from_json(json("1")) == 1);
    BOOST_TEST(int_from_json(json("9223372036854775807")) == kI64Max);
    BOOST_TEST(int_from_json(json("-9223372036854775808")) == kI64Min);
    BOOST_TEST(int_from_json(json(kI64Min)) == kI64Min);
    BOOST_TEST(int_from_json(json(static_cast<std::uint64_t>(kI64Max))) == kI64Max);
}

BOOST_AUTO_TEST_CASE(int_from_json_rejects) {
    for (const char* bad : {"", "012", "00", "-0", "+3", "1.0", "1e3", " 1", "1 ", "-", "abc", "1a", "0x1",
                            "9223372036854775808", "-9223372036854775809", "99999999999999999999999"}) {
        BOOST_TEST(!int_from_json(json(bad)), "accepted: '" << bad << "'");
    }
    BOOST_TEST(!int_from_json(json(1.0)));
    BOOST_TEST(!int_from_json(json(12.5)));
    BOOST_TEST(!int_from_json(json(true)));
    BOOST_TEST(!int_from_json(json(nullptr)));
    BOOST_TEST(!int_from_json(json::object()));
    BOOST_TEST(!int_from_json(json::array({1})));
    BOOST_TEST(!int_from_json(json(static_cast<std::uint64_t>(kI64Max) + 1)));
}

BOOST_AUTO_TEST_CASE(ranged_variants) {
    BOOST_TEST(int_from_json_in(json("5"), 1, 5) == 5);
    BOOST_TEST(!int_from_json_in(json("6"), 1, 5));
    BOOST_TEST(!int_from_json_in(json(0), 1, 5));
    BOOST_TEST(!int_from_json_in(json("x"), 1, 5));

    BOOST_TEST(uint_from_json(json("4294967295"), 4294967295u) == 4294967295u);
    BOOST_TEST(!uint_from_json(json("4294967296"), 4294967295u));
    BOOST_TEST(uint_from_json(json("18446744073709551615")) == std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(!uint_from_json(json("18446744073709551616")));
    BOOST_TEST(uint_from_json(json(std::numeric_limits<std::uint64_t>::max())) ==
               std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(uint_from_json(json(0)) == 0u);
    BOOST_TEST(uint_from_json(json(std::int64_t{7})) == 7u);
    BOOST_TEST(!uint_from_json(json(-1)));
    BOOST_TEST(!uint_from_json(json("-1")));
    BOOST_TEST(!uint_from_json(json("+1")));
    BOOST_TEST(!uint_from_json(json("01")));
    BOOST_TEST(!uint_from_json(json(1.0)));
    BOOST_TEST(!uint_from_json(json(nullptr)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cancellation)

BOOST_AUTO_TEST_CASE(table_is_complete) {
    const auto reasons = cancellation_reasons();
    BOOST_TEST(reasons.size() == 32u);
    std::set<int> codes;
    for (const CancellationReason& r : reasons) {
        BOOST_TEST(codes.insert(r.code).second, "duplicate code " << r.code);
        BOOST_TEST(!r.en.empty(), "no English label for " << r.code);
        BOOST_TEST(!r.ro.empty(), "no Romanian label for " << r.code);
        BOOST_TEST(find_cancellation_reason(r.code) == &r);
    }
    std::set<int> expected{1, 2, 3};
    for (int c = 15; c <= 43; ++c)
        expected.insert(c);
    BOOST_TEST(codes == expected);
    for (int c = 4; c <= 14; ++c)
        BOOST_TEST(find_cancellation_reason(c) == nullptr, "code " << c << " is not documented");
    for (int c : {0, -1, 44, 99, 1000})
        BOOST_TEST(find_cancellation_reason(c) == nullptr);
}

BOOST_AUTO_TEST_CASE(specific_labels) {
    BOOST_TEST(cancellation_label(1, "en") == "Out of stock");
    BOOST_TEST(cancellation_label(1, "ro") == "Stoc epuizat");
    BOOST_TEST(cancellation_label(2, "en") == "Cancelled by the customer");
    BOOST_TEST(cancellation_label(2, "ro") == "Anulată de client");
    BOOST_TEST(cancellation_label(3, "ro") == "Clientul nu poate fi contactat");
    BOOST_TEST(cancellation_label(22, "en") == "Incomplete order (automatic cancellation)");
    BOOST_TEST(cancellation_label(22, "ro") == "Comandă incompletă (anulare automată)");
    BOOST_TEST(cancellation_label(31, "en") == "Marketplace partner (seller) requested cancellation");
    BOOST_TEST(cancellation_label(31, "ro") == "Anulare solicitată de partenerul Marketplace (vânzător)");
    // 43 repeats 32's text in the doc.
    BOOST_TEST(cancellation_label(43, "en") == "Delivery estimate too long");
    BOOST_TEST(cancellation_label(43, "en") == cancellation_label(32, "en"));
    BOOST_TEST(cancellation_label(43, "ro") == cancellation_label(32, "ro"));
    BOOST_TEST(cancellation_label(43, "ro") == "Termen estimat de livrare prea lung");
    // The Romanian labels are not the English ones.
    BOOST_TEST(cancellation_label(21, "ro") != cancellation_label(21, "en"));
}

BOOST_AUTO_TEST_CASE(unknown_and_missing_codes) {
    BOOST_TEST(cancellation_label(7, "en") == "unknown (7)");
    BOOST_TEST(cancellation_label(7, "ro") == "necunoscut (7)");
    BOOST_TEST(cancellation_label(99, "en") == "unknown (99)");
    BOOST_TEST(cancellation_label(99, "ro") == "necunoscut (99)");
    BOOST_TEST(cancellation_label(0, "en") == "unknown (0)");
    BOOST_TEST(cancellation_label(std::nullopt, "en") == "");
    BOOST_TEST(cancellation_label(std::nullopt, "ro") == "");
    BOOST_TEST(cancellation_label(1, "de") == "Out of stock"); // other languages: English
}

BOOST_AUTO_TEST_CASE(code_from_order) {
    BOOST_TEST(reason_code_from_order(json{{"id", 1}, {"reason_cancellation", 22}}) == 22);
    BOOST_TEST(reason_code_from_order(json{{"id", 1}, {"cancellation_reason", 3}}) == 3);
    BOOST_TEST(reason_code_from_order(json{{"reason_cancellation", "31"}}) == 31);
    BOOST_TEST(reason_code_from_order(json{{"cancellation_reason", "2"}}) == 2);
    BOOST_TEST(reason_code_from_order(json{{"reason_cancellation", 7}}) == 7); // kept, labelled unknown
    // The current key wins; a null one falls back to the old key.
    BOOST_TEST(reason_code_from_order(json{{"reason_cancellation", 15}, {"cancellation_reason", 1}}) == 15);
    BOOST_TEST(reason_code_from_order(json{{"reason_cancellation", nullptr}, {"cancellation_reason", 1}}) == 1);
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", nullptr}}));
    BOOST_TEST(!reason_code_from_order(json{{"cancellation_reason", nullptr}}));
    BOOST_TEST(!reason_code_from_order(json{{"id", 1}}));
    BOOST_TEST(!reason_code_from_order(json::object()));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", ""}}));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", "abc"}}));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", -1}}));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", 1.5}}));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", true}}));
    BOOST_TEST(!reason_code_from_order(json{{"reason_cancellation", "99999999999"}}));
    BOOST_TEST(!reason_code_from_order(json(nullptr)));
    BOOST_TEST(!reason_code_from_order(json::array({json{{"reason_cancellation", 1}}})));
    BOOST_TEST(cancellation_label(reason_code_from_order(json{{"reason_cancellation", "1"}}), "ro") == "Stoc epuizat");
    BOOST_TEST(cancellation_label(reason_code_from_order(json{{"status", 4}}), "en") == "");
}

BOOST_AUTO_TEST_SUITE_END()
