// The typed eMAG offer (offers/offer_model.hpp): every modelled field of a
// realistic product_offer/read element read exactly, loose typing (§1.6), the
// three shapes of the validation statuses, typing problems named by field,
// the business rules, offers too broken to keep, and the sandbox's generated
// offers read back without a problem and agreeing with the sandbox's values.
#define BOOST_TEST_MODULE emag_offer_model
#include <boost/test/unit_test.hpp>

#include "offers/offer_model.hpp"

#include "core/data_generator.hpp"
#include "core/money.hpp"
#include "core/offer_model.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace erp::emag {
// For Boost.Test's messages.
std::ostream& operator<<(std::ostream& os, const Decimal4& d) {
    return os << d.to_string();
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

// "967.6613" or "" when absent: exact money compared as its text.
std::string money(const std::optional<Decimal4>& d) {
    return d ? d->to_string() : std::string();
}

std::string dump_problems(const std::vector<FieldProblem>& problems) {
    std::string s;
    for (const auto& p : problems) {
        s += p.field;
        s += " (";
        s += p.code;
        s += "): ";
        s += p.message;
        s += "; ";
    }
    return s;
}

// The only problem on `field`; nullopt when there is none. Fails the test
// when there are several.
std::optional<FieldProblem> problem_on(const OfferParse& r, const std::string& field) {
    const auto n =
        std::count_if(r.problems.begin(), r.problems.end(), [&](const FieldProblem& p) { return p.field == field; });
    BOOST_TEST(n <= 1, "several problems on " << field << ": " << dump_problems(r.problems));
    for (const auto& p : r.problems)
        if (p.field == field)
            return p;
    return std::nullopt;
}

// The message of the only problem on `field`; "" when there is none.
std::string message_on(const OfferParse& r, const std::string& field) {
    const std::optional<FieldProblem> p = problem_on(r, field);
    return p ? p->message : std::string();
}

std::string code_on(const OfferParse& r, const std::string& field) {
    const std::optional<FieldProblem> p = problem_on(r, field);
    return p ? p->code : std::string();
}

std::vector<std::string> fields_of(const OfferParse& r) {
    std::vector<std::string> out;
    for (const auto& p : r.problems)
        out.push_back(p.field);
    return out;
}

// Modelled on §8.6 and the sandbox's render_offer: money as strings and
// numbers, some ids and counts as strings, two warehouses, an EAN sent as a
// number, the statuses in eMAG's list and object shapes, and the fields this
// model leaves in raw (description, images, family, genius_*...).
json full_offer() {
    return json::parse(R"({
        "id": 243409,
        "part_number_key": "D5DD9BBBM",
        "part_number": "SON-W100-17",
        "name": "Căști Sony WH-1000XM5, negru 🎧",
        "brand": "Sony",
        "description": "<p>Căști over-ear</p>",
        "url": "https://shop.example.invalid/p/243409",
        "category_id": "1255",
        "vendor_category_id": null,
        "ean": ["5941234567890", 4006381333931],
        "warranty": 24,
        "status": 1,
        "sale_price": "967.6613",
        "recommended_price": 1199.99,
        "min_sale_price": "800.0000",
        "max_sale_price": 1500,
        "currency": "RON",
        "vat_id": 2,
        "images": [{"display_type": 1, "url": "https://shop.example.invalid/img/243409.jpg"}],
        "characteristics": [],
        "family": {"id": 0, "name": ""},
        "stock": [{"warehouse_id": 1, "value": 50}, {"warehouse_id": "2", "value": "7"}],
        "handling_time": [{"warehouse_id": 1, "value": 0}, {"warehouse_id": 2, "value": 3}],
        "general_stock": 57,
        "estimated_stock": "55",
        "supply_lead_time": 14,
        "emag_club": 1,
        "number_of_offers": 3,
        "buy_button_rank": "2",
        "best_offer_sale_price": "919.2782",
        "best_offer_recommended_price": "0.0000",
        "ownership": 2,
        "validation_status": [{"value": 9, "description": "Approved documentation", "errors": null}],
        "translation_validation_status": [{"value": 17, "description": "Partial translation", "errors": null}],
        "offer_validation_status": {"value": 1, "description": "Valid"},
        "genius_eligibility": 1,
        "genius_eligibility_type": 2,
        "genius_computed": 2,
        "safety_information": "A se păstra departe de îndemâna copiilor.",
        "manufacturer": true,
        "eu_representative": false,
        "doc_errors": null
    })");
}

// A small valid offer to vary.
json minimal() {
    return json::parse(R"({
        "id": 1001, "part_number": "PN-1", "name": "Cablu USB-C", "status": 1, "sale_price": "10.0000",
        "stock": [{"warehouse_id": 1, "value": 3}]
    })");
}

} // namespace

BOOST_AUTO_TEST_CASE(full_offer_every_field) {
    const json in = full_offer();
    const OfferParse r = parse_offer(in);
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(o.id == 243409);
    BOOST_TEST(o.part_number == "SON-W100-17");
    BOOST_TEST(o.part_number_key == "D5DD9BBBM");
    BOOST_TEST(o.name == "Căști Sony WH-1000XM5, negru 🎧");
    BOOST_TEST(o.brand == "Sony");
    BOOST_TEST(o.currency == "RON");
    BOOST_TEST(o.ean == (std::vector<std::string>{"5941234567890", "4006381333931"}), boost::test_tools::per_element());
    BOOST_TEST(o.status == 1);
    BOOST_TEST(money(o.sale_price) == "967.6613");
    BOOST_TEST(o.sale_price->units == 9676613);
    BOOST_TEST(money(o.recommended_price) == "1199.9900");
    BOOST_TEST(money(o.min_sale_price) == "800.0000");
    BOOST_TEST(money(o.max_sale_price) == "1500.0000");
    BOOST_TEST(money(o.best_offer_sale_price) == "919.2782");
    BOOST_TEST(money(o.best_offer_recommended_price) == "0.0000");
    BOOST_TEST(o.vat_id == 2);
    BOOST_TEST(o.category_id == std::int64_t{1255});
    BOOST_TEST(o.warranty == std::int64_t{24});
    BOOST_TEST_REQUIRE(o.stock.size() == 2u);
    BOOST_TEST(o.stock[0].warehouse_id == 1);
    BOOST_TEST(o.stock[0].value == 50);
    BOOST_TEST(o.stock[1].warehouse_id == 2);
    BOOST_TEST(o.stock[1].value == 7);
    BOOST_TEST(o.stock_total() == 57);
    BOOST_TEST_REQUIRE(o.handling_time.size() == 2u);
    BOOST_TEST(o.handling_time[0].warehouse_id == 1);
    BOOST_TEST(o.handling_time[0].value == 0);
    BOOST_TEST(o.handling_time[1].warehouse_id == 2);
    BOOST_TEST(o.handling_time[1].value == 3);
    BOOST_TEST(o.general_stock == std::int64_t{57});
    BOOST_TEST(o.estimated_stock == std::int64_t{55});
    BOOST_TEST(o.validation_status == 9);
    BOOST_TEST(o.translation_validation_status == 17);
    BOOST_TEST(o.offer_validation_status == 1);
    BOOST_TEST(o.buy_button_rank == 2);
    BOOST_TEST(o.number_of_offers == 3);
    BOOST_TEST(o.ownership == 2);
    // The input untouched, unmodelled fields included.
    BOOST_TEST(o.raw == in);
    BOOST_TEST(&r.input() == &o.raw);
    BOOST_TEST(r.raw.is_null());
    BOOST_TEST(r.input()["genius_eligibility_type"] == 2);
}

BOOST_AUTO_TEST_CASE(moved_in_without_copy) {
    json in = full_offer();
    const json* name = &in["name"];
    const std::string* name_text = &name->get_ref<const std::string&>();
    const OfferParse r = parse_offer(std::move(in));
    BOOST_TEST_REQUIRE(r.offer.has_value());
    // The same string object now lives in Offer::raw: nothing was copied.
    BOOST_TEST(&r.offer->raw["name"].get_ref<const std::string&>() == name_text);
}

BOOST_AUTO_TEST_CASE(absent_fields_are_empty) {
    const OfferParse r = parse_offer(json{{"id", 7}});
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(o.id == 7);
    BOOST_TEST(o.part_number.empty());
    BOOST_TEST(o.name.empty());
    BOOST_TEST(o.ean.empty());
    BOOST_TEST(!o.status.has_value());
    BOOST_TEST(!o.sale_price.has_value());
    BOOST_TEST(!o.vat_id.has_value());
    BOOST_TEST(o.stock.empty());
    BOOST_TEST(o.stock_total() == 0);
    BOOST_TEST(!o.general_stock.has_value());
    BOOST_TEST(!o.validation_status.has_value());
    BOOST_TEST(!o.offer_validation_status.has_value());
    BOOST_TEST(!o.ownership.has_value());
}

BOOST_AUTO_TEST_CASE(nulls_are_absent) {
    json j = full_offer();
    for (auto& [key, value] : j.items())
        if (key != "id")
            value = nullptr;
    const OfferParse r = parse_offer(j);
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(o.id == 243409);
    BOOST_TEST(o.brand.empty());
    BOOST_TEST(o.ean.empty());
    BOOST_TEST(!o.sale_price.has_value());
    BOOST_TEST(!o.best_offer_sale_price.has_value());
    BOOST_TEST(o.stock.empty());
    BOOST_TEST(o.handling_time.empty());
    BOOST_TEST(!o.estimated_stock.has_value());
    BOOST_TEST(!o.translation_validation_status.has_value());
    BOOST_TEST(!o.buy_button_rank.has_value());
}

BOOST_AUTO_TEST_CASE(loose_ids_and_numbers_as_strings) {
    json j = minimal();
    j["id"] = "391982964";
    j["status"] = "2";
    j["vat_id"] = "1";
    j["category_id"] = 77;
    j["warranty"] = "36";
    j["general_stock"] = "12";
    j["number_of_offers"] = "4";
    j["sale_price"] = 19.99;
    j["min_sale_price"] = 12;
    j["max_sale_price"] = "25";
    j["recommended_price"] = 1e-4;
    j["ean"] = {5941234567890ULL, "0012345678905"};
    j["part_number"] = 123456; // a number in a text field: its JSON text
    j["currency"] = "EUR";
    j["stock"] = {{{"warehouse_id", "3"}, {"value", "12"}}};
    const OfferParse r = parse_offer(j);
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(o.id == 391982964);
    BOOST_TEST(o.status == 2);
    BOOST_TEST(o.vat_id == 1);
    BOOST_TEST(o.category_id == std::int64_t{77});
    BOOST_TEST(o.warranty == std::int64_t{36});
    BOOST_TEST(o.general_stock == std::int64_t{12});
    BOOST_TEST(o.number_of_offers == 4);
    BOOST_TEST(money(o.sale_price) == "19.9900");
    BOOST_TEST(money(o.min_sale_price) == "12.0000");
    BOOST_TEST(money(o.max_sale_price) == "25.0000");
    BOOST_TEST(money(o.recommended_price) == "0.0001");
    BOOST_TEST(o.ean == (std::vector<std::string>{"5941234567890", "0012345678905"}), boost::test_tools::per_element());
    BOOST_TEST(o.part_number == "123456");
    BOOST_TEST_REQUIRE(o.stock.size() == 1u);
    BOOST_TEST(o.stock[0].warehouse_id == 3);
    BOOST_TEST(o.stock[0].value == 12);
    BOOST_TEST(o.stock_total() == 12);
}

BOOST_AUTO_TEST_CASE(id_range_edges) {
    for (const json& id : {json(1), json("1"), json(4294967295ULL), json("4294967295")}) {
        json j = minimal();
        j["id"] = id;
        const OfferParse r = parse_offer(j);
        BOOST_TEST_REQUIRE(r.offer.has_value(), id.dump());
        BOOST_TEST(r.offer->id == int_from_json(id).value());
        BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    }
}

// Each field sent with a wrong type: one problem naming it, the field empty,
// and every other field still read.
BOOST_AUTO_TEST_CASE(typing_problems_name_their_field) {
    const std::vector<std::pair<std::string, json>> cases = {
        {"part_number", true},
        {"part_number_key", json::object()},
        {"name", json::array({"a"})},
        {"brand", false},
        {"currency", json::object({{"code", "RON"}})},
        {"status", "active"},
        {"status", 1.0},
        {"sale_price", "12,50"},
        {"sale_price", "1.23456"},
        {"recommended_price", true},
        {"min_sale_price", json::array()},
        {"max_sale_price", "abc"},
        {"best_offer_sale_price", "1e3"},
        {"best_offer_recommended_price", json::object()},
        {"vat_id", "1.0"},
        {"vat_id", 3000000000LL},
        {"category_id", "01255"},
        {"warranty", "24 months"},
        {"general_stock", -1.5},
        {"estimated_stock", true},
        {"buy_button_rank", " 1"},
        {"number_of_offers", "+3"},
        {"ownership", json::object()},
        {"ean", "5941234567890"},
        {"stock", json::object({{"warehouse_id", 1}, {"value", 3}})},
        {"handling_time", 3},
    };
    for (const auto& [field, bad] : cases) {
        json j = full_offer();
        j[field] = bad;
        const OfferParse r = parse_offer(j);
        BOOST_TEST_REQUIRE(r.offer.has_value(), field);
        BOOST_TEST(r.problems.size() == 1u, field << " = " << bad.dump() << ": " << dump_problems(r.problems));
        BOOST_TEST(!message_on(r, field).empty(), field << ": " << dump_problems(r.problems));
        BOOST_TEST(code_on(r, field) == "invalid", field);
        const Offer& o = *r.offer;
        // The others are still read.
        if (field != "name")
            BOOST_TEST(o.name == "Căști Sony WH-1000XM5, negru 🎧", field);
        if (field != "sale_price")
            BOOST_TEST(money(o.sale_price) == "967.6613", field);
        if (field != "stock")
            BOOST_TEST(o.stock_total() == 57, field);
        if (field != "ownership")
            BOOST_TEST(o.ownership == 2, field);
    }

    // Each wrong field is left empty.
    json j = full_offer();
    j["status"] = "active";
    j["sale_price"] = "12,50";
    j["vat_id"] = 3000000000LL;
    j["brand"] = true;
    j["stock"] = json::object();
    const OfferParse r = parse_offer(j);
    BOOST_TEST_REQUIRE(r.offer.has_value());
    BOOST_TEST(!r.offer->status.has_value());
    BOOST_TEST(!r.offer->sale_price.has_value());
    BOOST_TEST(!r.offer->vat_id.has_value());
    BOOST_TEST(r.offer->brand.empty());
    BOOST_TEST(r.offer->stock.empty());
    BOOST_TEST(r.offer->general_stock == std::int64_t{57});
    // Every one is reported, in reading order, with the value quoted.
    BOOST_TEST(fields_of(r) == (std::vector<std::string>{"brand", "status", "sale_price", "vat_id", "stock"}),
               boost::test_tools::per_element());
    BOOST_TEST(message_on(r, "status") == R"(must be a whole number, got "active")");
    BOOST_TEST(message_on(r, "sale_price") == R"(must be a decimal with at most 4 places, got "12,50")");
    BOOST_TEST(message_on(r, "vat_id") == "is out of range, got 3000000000");
    BOOST_TEST(message_on(r, "brand") == "must be a text, got true");
    BOOST_TEST(message_on(r, "stock") == "must be a list, got object");
}

BOOST_AUTO_TEST_CASE(list_elements_name_their_index) {
    json j = full_offer();
    j["ean"] = json::parse(R"(["5941234567890", 5.5, null, {"ean": "1"}, 4006381333931])");
    j["stock"] = json::parse(R"([
        {"warehouse_id": 1, "value": 50},
        {"warehouse_id": 2, "value": "many"},
        7,
        {"value": 4},
        {"warehouse_id": 5, "value": null},
        {"warehouse_id": 6, "value": 9}
    ])");
    j["handling_time"] = json::parse(R"([{"warehouse_id": 1, "value": 2}, {"warehouse_id": true, "value": 1}])");
    const OfferParse r = parse_offer(j);
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(fields_of(r) == (std::vector<std::string>{"ean[1]", "ean[2]", "ean[3]", "stock[1].value", "stock[2]",
                                                         "stock[3].warehouse_id", "stock[4].value",
                                                         "handling_time[1].warehouse_id"}),
               boost::test_tools::per_element());
    BOOST_TEST(message_on(r, "ean[1]") == "must be a text, got 5.5");
    BOOST_TEST(message_on(r, "stock[1].value") == R"(must be a whole number, got "many")");
    BOOST_TEST(message_on(r, "stock[2]") == "must be an object, got number");
    BOOST_TEST(message_on(r, "stock[3].warehouse_id") == "is missing");
    BOOST_TEST(code_on(r, "stock[3].warehouse_id") == "missing");
    BOOST_TEST(code_on(r, "stock[4].value") == "missing");
    // Elements that do not type are left out; the rest are read.
    BOOST_TEST(o.ean == (std::vector<std::string>{"5941234567890", "4006381333931"}), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(o.stock.size() == 2u);
    BOOST_TEST(o.stock[0].warehouse_id == 1);
    BOOST_TEST(o.stock[1].warehouse_id == 6);
    BOOST_TEST(o.stock_total() == 59);
    BOOST_TEST_REQUIRE(o.handling_time.size() == 1u);
    BOOST_TEST(o.handling_time[0].value == 2);
    // raw still has them all.
    BOOST_TEST(r.input()["stock"].size() == 6u);
}

BOOST_AUTO_TEST_CASE(validation_status_shapes) {
    struct Case {
        json value;
        std::optional<int> expected;
        std::string problem_field; // "" when none
    };
    const std::vector<Case> cases = {
        // eMAG's list shape (validation_status, translation_validation_status).
        {json::parse(R"([{"value": 9, "description": "Approved documentation", "errors": null}])"), 9, ""},
        {json::parse(R"([{"value": "11", "description": "x"}, {"value": 12}])"), 11, ""}, // the first one
        // eMAG's object shape (offer_validation_status).
        {json::parse(R"({"value": 2, "description": "Invalid price"})"), 2, ""},
        // A plain integer, or its canonical text.
        {json(3), 3, ""},
        {json("8"), 8, ""},
        // No value.
        {json::array(), std::nullopt, ""},
        {json::parse(R"([{"value": null, "description": "?"}])"), std::nullopt, ""},
        {json::parse(R"({"description": "Valid"})"), std::nullopt, ""},
        // Wrong shapes.
        {json(true), std::nullopt, "#"},
        {json("approved"), std::nullopt, "#"},
        {json::parse(R"([9])"), std::nullopt, "#[0]"},
        {json::parse(R"([{"value": "x"}])"), std::nullopt, "#[0].value"},
        {json::parse(R"({"value": true})"), std::nullopt, "#.value"},
        {json::parse(R"({"value": 1.5})"), std::nullopt, "#.value"},
    };
    for (const char* key : {"validation_status", "translation_validation_status", "offer_validation_status"}) {
        for (const Case& c : cases) {
            json j = minimal();
            j[key] = c.value;
            const OfferParse r = parse_offer(j);
            BOOST_TEST_REQUIRE(r.offer.has_value());
            const Offer& o = *r.offer;
            const std::optional<int> got = std::string(key) == "validation_status" ? o.validation_status
                                           : std::string(key) == "translation_validation_status"
                                               ? o.translation_validation_status
                                               : o.offer_validation_status;
            BOOST_TEST(got == c.expected, key << " = " << c.value.dump());
            if (c.problem_field.empty()) {
                BOOST_TEST(r.problems.empty(), key << " = " << c.value.dump() << ": " << dump_problems(r.problems));
            } else {
                std::string field = c.problem_field;
                field.replace(0, 1, key);
                BOOST_TEST(r.problems.size() == 1u,
                           key << " = " << c.value.dump() << ": " << dump_problems(r.problems));
                BOOST_TEST(!message_on(r, field).empty(), field << ": " << dump_problems(r.problems));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(business_rules) {
    json j = minimal();
    j["status"] = 3;
    j["sale_price"] = "-0.0100";
    j["stock"] = json::parse(R"([{"warehouse_id": 1, "value": 4}, {"warehouse_id": 2, "value": -5}, {"warehouse_id": 3,
                                "value": "-1"}])");
    const OfferParse r = parse_offer(j);
    // Every broken rule is reported and the offer is still returned, values as read.
    BOOST_TEST_REQUIRE(r.offer.has_value());
    const Offer& o = *r.offer;
    BOOST_TEST(r.problems.size() == 4u, dump_problems(r.problems));
    BOOST_TEST(message_on(r, "status") == "must be between 0 and 2, got 3");
    BOOST_TEST(code_on(r, "status") == "out_of_range");
    BOOST_TEST(message_on(r, "sale_price") == "must not be negative, got -0.0100");
    BOOST_TEST(code_on(r, "sale_price") == "out_of_range");
    BOOST_TEST(message_on(r, "stock[1].value") == "must not be negative, got -5");
    BOOST_TEST(code_on(r, "stock[2].value") == "out_of_range");
    BOOST_TEST(o.status == 3);
    BOOST_TEST(o.sale_price->units == -100);
    BOOST_TEST(o.stock.size() == 3u);
    BOOST_TEST(o.stock_total() == -2);

    // The edges are allowed: status 0 and 2, price 0, stock 0.
    for (int status : {0, 2}) {
        json k = minimal();
        k["status"] = status;
        k["sale_price"] = "0.0000";
        k["stock"] = json::parse(R"([{"warehouse_id": 1, "value": 0}])");
        const OfferParse ok = parse_offer(k);
        BOOST_TEST(ok.problems.empty(), dump_problems(ok.problems));
        BOOST_TEST(ok.offer->status == status);
    }
    json k = minimal();
    k["status"] = -1;
    BOOST_TEST(message_on(parse_offer(k), "status") == "must be between 0 and 2, got -1");
    // The rules are only on stock and sale_price: other negatives type fine.
    k = minimal();
    k["handling_time"] = json::parse(R"([{"warehouse_id": 1, "value": -1}])");
    k["min_sale_price"] = "-1";
    BOOST_TEST(parse_offer(k).problems.empty());
}

BOOST_AUTO_TEST_CASE(stock_total_overflow_throws) {
    json j = minimal();
    j["stock"] = json::parse(R"([{"warehouse_id": 1, "value": 9223372036854775807}, {"warehouse_id": 2, "value": 1}])");
    const OfferParse r = parse_offer(j);
    BOOST_TEST_REQUIRE(r.offer.has_value());
    BOOST_CHECK_THROW(r.offer->stock_total(), std::overflow_error);
}

BOOST_AUTO_TEST_CASE(no_usable_id) {
    struct Case {
        json id;
        const char* message;
        const char* code;
    };
    const std::vector<Case> cases = {
        {json(), "is missing", "missing"}, // null, like absent
        {json(0), "must be between 1 and 4294967295, got 0", "out_of_range"},
        {json(4294967296LL), "must be between 1 and 4294967295, got 4294967296", "out_of_range"},
        {json(-1), "must be between 1 and 4294967295, got -1", "out_of_range"},
        {json("0"), R"(must be between 1 and 4294967295, got "0")", "out_of_range"},
        {json(18446744073709551615ULL), "must be between 1 and 4294967295, got 18446744073709551615", "out_of_range"},
        {json("012"), R"(must be a whole number, got "012")", "invalid"},
        {json(1.5), "must be a whole number, got 1.5", "invalid"},
        {json(12.0), "must be a whole number, got 12.0", "invalid"},
        {json("abc"), R"(must be a whole number, got "abc")", "invalid"},
        {json(true), "must be a whole number, got true", "invalid"},
        {json::array({1}), "must be a whole number, got [1]", "invalid"},
    };
    for (const Case& c : cases) {
        json j = minimal();
        j["id"] = c.id;
        j["sale_price"] = "bad";
        const OfferParse r = parse_offer(j);
        BOOST_TEST(!r.offer.has_value(), c.id.dump());
        BOOST_TEST(message_on(r, "id") == c.message, c.id.dump());
        BOOST_TEST(code_on(r, "id") == c.code, c.id.dump());
        // The other problems are still reported; the input is kept.
        BOOST_TEST(r.problems.size() == 2u, dump_problems(r.problems));
        BOOST_TEST(!message_on(r, "sale_price").empty());
        BOOST_TEST(r.raw == j);
        BOOST_TEST(&r.input() == &r.raw);
    }
    json j = minimal();
    j.erase("id");
    const OfferParse r = parse_offer(j);
    BOOST_TEST(!r.offer.has_value());
    BOOST_TEST(r.problems.size() == 1u);
    BOOST_TEST(code_on(r, "id") == "missing");
    BOOST_TEST(r.input() == j);
}

BOOST_AUTO_TEST_CASE(not_an_object) {
    for (const json& j : {json::array({minimal()}), json("offer"), json(12), json()}) {
        const OfferParse r = parse_offer(j);
        BOOST_TEST(!r.offer.has_value(), j.dump());
        BOOST_TEST_REQUIRE(r.problems.size() == 1u, j.dump());
        BOOST_TEST(r.problems[0].field == "(offer)");
        BOOST_TEST(r.problems[0].message == std::string("must be a JSON object, got ") + j.type_name());
        BOOST_TEST(r.input() == j);
    }
    const json shown = problems_json(parse_offer(json("x")).problems);
    const json expected =
        json::array({{{"field", "(offer)"}, {"code", "invalid"}, {"message", "must be a JSON object, got string"}}});
    BOOST_TEST(shown == expected);
}

BOOST_AUTO_TEST_SUITE(sandbox_offers)

namespace sb = ::emag::sandbox;

// The sandbox's offers, rendered as product_offer/read sends them and read
// back over the wire text: no problem, and the sandbox's own values.
void check_platform(const std::string& platform, const std::string& currency, std::uint64_t seed) {
    sb::DataOptions options;
    options.seed = seed;
    options.orders = 0;
    options.offers = 600;
    options.platform = platform;
    sb::StringPool pool;
    sb::DataGenerator generator(options, pool);
    const std::vector<sb::Offer> offers = generator.make_offers();
    BOOST_TEST_REQUIRE(offers.size() == 600u);

    std::size_t inactive = 0, end_of_life = 0, two_warehouses = 0, not_approved = 0, invalid_price = 0, two_eans = 0;
    for (const sb::Offer& so : offers) {
        const OfferParse r = parse_offer(json::parse(sb::render_offer(so, false).dump()));
        BOOST_TEST_REQUIRE(r.offer.has_value(), so.id);
        BOOST_TEST(r.problems.empty(), "offer " << so.id << ": " << dump_problems(r.problems));
        const Offer& o = *r.offer;
        BOOST_TEST(o.id == static_cast<std::int64_t>(so.id));
        BOOST_TEST(o.part_number == so.part_number);
        BOOST_TEST(o.part_number_key == so.part_number_key);
        BOOST_TEST(o.name == so.name);
        BOOST_TEST(o.currency == currency);
        BOOST_TEST(o.ean == so.ean, boost::test_tools::per_element());
        BOOST_TEST(money(o.sale_price) == sb::format_money(so.sale_price), so.id);
        BOOST_TEST(o.sale_price->units == so.sale_price);
        BOOST_TEST(money(o.min_sale_price) == sb::format_money(so.min_sale_price), so.id);
        BOOST_TEST(money(o.best_offer_sale_price) == sb::format_money(so.best_offer_sale_price), so.id);
        BOOST_TEST(o.vat_id == so.vat_id);
        BOOST_TEST(o.status == so.status);
        BOOST_TEST(o.category_id == std::int64_t{so.category_id});
        BOOST_TEST(o.warranty == std::int64_t{so.warranty});
        BOOST_TEST_REQUIRE(o.stock.size() == so.stock.size());
        for (std::size_t i = 0; i < o.stock.size(); ++i) {
            BOOST_TEST(o.stock[i].warehouse_id == std::int64_t{so.stock[i].warehouse_id});
            BOOST_TEST(o.stock[i].value == std::int64_t{so.stock[i].value});
        }
        BOOST_TEST(o.handling_time.size() == so.handling_time.size());
        BOOST_TEST(o.general_stock == o.stock_total(), so.id);
        BOOST_TEST(o.stock_total() == so.general_stock());
        BOOST_TEST(o.validation_status == so.validation_status);
        BOOST_TEST(o.translation_validation_status == so.translation_validation_status);
        BOOST_TEST(o.offer_validation_status == so.offer_validation_status);
        BOOST_TEST(o.buy_button_rank == so.buy_button_rank);
        BOOST_TEST(o.number_of_offers == so.number_of_offers);
        BOOST_TEST(o.ownership == so.ownership);
        inactive += so.status == 0;
        end_of_life += so.status == 2;
        two_warehouses += so.stock.size() == 2;
        not_approved += so.validation_status != 9;
        invalid_price += so.offer_validation_status != 1;
        two_eans += so.ean.size() == 2;
    }
    BOOST_TEST_MESSAGE(platform << ": " << offers.size() << " offers, " << inactive << " inactive, " << end_of_life
                                << " end of life, " << two_warehouses << " with two warehouses, " << not_approved
                                << " not approved, " << invalid_price << " invalid price, " << two_eans
                                << " with two EANs");
    // The run must really exercise the variety.
    BOOST_TEST(inactive > 20u);
    BOOST_TEST(end_of_life > 5u);
    BOOST_TEST(two_warehouses > 50u);
    BOOST_TEST(not_approved > 30u);
    BOOST_TEST(invalid_price > 10u);
    BOOST_TEST(two_eans > 20u);
}

BOOST_AUTO_TEST_CASE(romania) {
    check_platform("ro", "RON", 20260701);
}

BOOST_AUTO_TEST_CASE(hungary) {
    check_platform("hu", "HUF", 42);
}

BOOST_AUTO_TEST_SUITE_END()
