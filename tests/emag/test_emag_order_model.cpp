// The typed eMAG order (orders/order_model.hpp): every documented field of a
// realistic order read exactly, loose typing (§1.6), the old cancellation key,
// is_storno variants, validation and typing problems merged, orders too
// broken to keep, and the sandbox's generated orders read back without a
// problem (or with one when the sandbox broke them on purpose).
#define BOOST_TEST_MODULE emag_order_model
#include <boost/test/unit_test.hpp>

#include "orders/compact_json.hpp"
#include "orders/order_model.hpp"

#include "core/data_generator.hpp"
#include "core/order_model.hpp"
#include "core/platform.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

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

const TimeZone& bucharest() {
    static const TimeZone z = *TimeZone::find("Europe/Bucharest");
    return z;
}

// "967.6613" or "" when absent: exact money compared as its text.
std::string money(const std::optional<Decimal4>& d) {
    return d ? d->to_string() : std::string();
}

std::string dump_problems(const std::vector<FieldProblem>& problems) {
    std::string s;
    for (const auto& p : problems) {
        s += p.field;
        s += ": ";
        s += p.message;
        s += "; ";
    }
    return s;
}

// The message of the only problem on `field`; "" when there is none. Fails
// the test when there are several.
std::string problem_on(const OrderParse& r, const std::string& field) {
    const auto n =
        std::count_if(r.problems.begin(), r.problems.end(), [&](const FieldProblem& p) { return p.field == field; });
    BOOST_TEST(n <= 1, "several problems on " << field << ": " << dump_problems(r.problems));
    for (const auto& p : r.problems)
        if (p.field == field)
            return p.message;
    return {};
}

// A small valid order to vary.
json minimal() {
    return json::parse(R"({
        "id": 1001, "status": 2, "payment_mode_id": 1,
        "products": [{"id": 1, "quantity": 1, "sale_price": "10.0000", "status": 1}]
    })");
}

// Modelled on the doc's examples: money as strings ("967.6613", "0.0000")
// and numbers, ids as strings in places, a locker order, two vouchers, a line
// with two voucher splits at different VAT, a recycle warranty, attachments,
// a company customer.
json full_order() {
    return json::parse(R"({
        "vendor_name": "Magazinul Exemplu SRL",
        "id": "391982964",
        "status": 4,
        "is_complete": 1,
        "type": 3,
        "payment_mode": "COD",
        "payment_mode_id": "1",
        "detailed_payment_method": "eCREDIT",
        "delivery_mode": "pickup",
        "observation": "Vă rog sunați înainte de livrare.",
        "details": {
            "locker_id": "a3c1f2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
            "locker_name": "easybox Lidl Berceni",
            "locker_delivery_eligible": 1,
            "courier_external_office_id": ""
        },
        "date": "2026-01-14 22:15:00",
        "payment_status": "1",
        "cashed_co": "0.0000",
        "cashed_cod": 2412.75,
        "shipping_tax": "19.99",
        "shipping_tax_voucher_split": [
            {"voucher_id": 5550001, "value": "-8.2603", "vat_value": "-1.7347", "voucher_name": "Transport gratuit"}
        ],
        "is_storno": false,
        "reason_cancellation": null,
        "emag_club": 1,
        "enforced_vendor_courier_accounts": [17, "23"],
        "modified": "2026-07-01 10:00:00",
        "customer": {
            "id": "4242424",
            "mkt_id": 4242424,
            "name": "Ioana Popescu",
            "email": "1243536@emag.ro",
            "company": "Țesătoria Mărgineanu SRL",
            "gender": "F",
            "code": "RO12345678",
            "registration_number": "J40/1234/2019",
            "bank": "Banca Transilvania",
            "iban": "RO49BTRL0000000000000001",
            "fax": "",
            "legal_entity": 1,
            "is_vat_payer": "1",
            "phone_1": "0722000111",
            "phone_2": "0733000222",
            "phone_3": "",
            "billing_name": "Țesătoria Mărgineanu SRL",
            "billing_phone": "0722000111",
            "billing_country": "Romania",
            "billing_suburb": "București",
            "billing_city": "București, Sector 3",
            "billing_locality_id": "8645",
            "billing_street": "Str. Mihai Eminescu nr. 5",
            "billing_postal_code": 31234,
            "shipping_country": "Romania",
            "shipping_suburb": "București",
            "shipping_city": "București, Sector 4",
            "shipping_locality_id": 8646,
            "shipping_street": "easybox Lidl Berceni [EasyBox #29889]",
            "shipping_postal_code": "041234",
            "shipping_contact": "Ioana Popescu",
            "shipping_phone": "0722000111",
            "created": "2025-10-26 03:30:00",
            "modified": "2026-01-14 22:15:00"
        },
        "products": [
            {
                "id": "171958974",
                "product_id": 10234,
                "mkt_id": 10234,
                "name": "Laptop Exemplu X1 16\"",
                "product_voucher_split": [
                    {"voucher_id": 5550001, "value": "-41.3223", "vat_value": "-8.6777", "vat": "0.2100",
                     "offered_by": "emag", "voucher_name": "Reducere eMAG"},
                    {"voucher_id": "5550002", "value": "-9.0090", "vat_value": "-0.9910", "vat": "0.1100",
                     "offered_by": "seller", "voucher_name": "Cofinanțat vânzător"}
                ],
                "status": "1",
                "ext_part_number": "NB-X1-16",
                "part_number": "NBX116",
                "part_number_key": "D5ABCDEFG",
                "currency": "RON",
                "vat": "0.2100",
                "quantity": "2",
                "initial_qty": 2,
                "storno_qty": 0,
                "sale_price": "967.6613",
                "original_price": "1049.5800",
                "created": "2026-01-14 22:15:00",
                "modified": "2026-07-01 10:00:00",
                "details": "ambalaj cadou",
                "recycle_warranties": [],
                "serial_numbers": "SN001,SN002"
            },
            {
                "id": 171958975,
                "product_id": "10240",
                "name": "Apă minerală 6 x 2 L",
                "product_voucher_split": [],
                "status": 1,
                "ext_part_number": "APA-6X2",
                "part_number": "APA6X2",
                "currency": "RON",
                "vat": "0.1100",
                "quantity": 3,
                "sale_price": 12.5,
                "created": "2026-01-14 22:15:00",
                "modified": "2026-01-14 22:15:00",
                "details": "",
                "recycle_warranties": [
                    {"quantity": "6", "sale_price": "0.4132", "vat_rate": "0.2100", "product_name": "Taxa SGR plastic",
                     "recycle_warranty_voucher_split": [
                         {"voucher_id": 5550003, "value": "-0.4132", "vat_value": "-0.0868"}
                     ]}
                ],
                "serial_numbers": ""
            },
            {
                "id": 171958976,
                "product_id": 10250,
                "name": "Husă anulată",
                "status": 0,
                "currency": "RON",
                "vat": "0.2100",
                "quantity": 1,
                "sale_price": "100.0000",
                "created": "2026-01-14 22:15:00",
                "modified": "2026-01-15 08:00:00"
            }
        ],
        "vouchers": [
            {"voucher_id": 5550001, "modified": "2026-01-14 22:15:00", "created": "2026-01-14 22:15:00",
             "status": 1, "sale_price_vat": "-8.6777", "sale_price": "-41.3223", "voucher_name": "Reducere eMAG",
             "vat": "0.2100", "issue_date": "2026-01-14", "id": 5550001},
            {"voucher_id": "5550002", "modified": "2026-07-01 10:00:00", "created": "2026-01-13 09:00:00",
             "status": "1", "sale_price_vat": -0.991, "sale_price": "-9.009", "voucher_name": "Cofinanțat vânzător",
             "vat": "0.11", "issue_date": "2026-01-13", "id": "5550002"}
        ],
        "attachments": [
            {"name": "Factura FCT-1001.pdf", "url": "https://shop.example.com/invoices/1001.pdf", "type": 1},
            {"order_id": "391982964", "order_type": 3, "order_product_id": "171958974", "name": "Garanție laptop",
             "url": "https://shop.example.com/warranty/171958974.pdf", "type": "3", "force_download": 0}
        ]
    })");
}

} // namespace

BOOST_AUTO_TEST_SUITE(full_order_fields)

BOOST_AUTO_TEST_CASE(top_level) {
    const json j = full_order();
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.order.has_value());
    const Order& o = *r.order;
    BOOST_TEST(o.id == 391982964);
    BOOST_TEST(o.status == 4);
    BOOST_TEST(o.is_complete == 1);
    BOOST_TEST(o.type == 3);
    BOOST_TEST(!o.is_fbe());
    BOOST_TEST(o.payment_mode_id == 1);
    BOOST_TEST(o.detailed_payment_method == "eCREDIT");
    BOOST_TEST(o.delivery_mode == "pickup");
    BOOST_TEST(o.observation == "Vă rog sunați înainte de livrare.");
    BOOST_TEST(o.vendor_name == "Magazinul Exemplu SRL");

    BOOST_TEST(o.details.locker_id == "a3c1f2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    BOOST_TEST(o.details.locker_name == "easybox Lidl Berceni");
    BOOST_TEST(o.details.locker_delivery_eligible == 1);
    BOOST_TEST(o.details.courier_external_office_id == "");

    // Winter: UTC+2; summer: UTC+3.
    BOOST_TEST(o.date.text == "2026-01-14 22:15:00");
    BOOST_TEST(o.date.utc_iso() == "2026-01-14T20:15:00Z");
    BOOST_TEST(!o.date.ambiguous);
    BOOST_TEST(o.modified.text == "2026-07-01 10:00:00");
    BOOST_TEST(o.modified.utc_iso() == "2026-07-01T07:00:00Z");

    BOOST_TEST(o.payment_status == 1);
    BOOST_TEST(money(o.cashed_co) == "0.0000");
    BOOST_TEST(money(o.cashed_cod) == "2412.7500");
    BOOST_TEST(money(o.shipping_tax) == "19.9900");
    BOOST_TEST_REQUIRE(o.shipping_tax_voucher_split.size() == 1u);
    const VoucherSplit& ss = o.shipping_tax_voucher_split[0];
    BOOST_TEST(ss.voucher_id == 5550001);
    BOOST_TEST(money(ss.value) == "-8.2603");
    BOOST_TEST(money(ss.vat_value) == "-1.7347");
    BOOST_TEST(!ss.vat.has_value());
    BOOST_TEST(ss.offered_by == "");
    BOOST_TEST(ss.voucher_name == "Transport gratuit");

    BOOST_TEST(!o.is_storno);
    BOOST_TEST(!o.reason_cancellation.has_value());
    BOOST_TEST(o.enforced_vendor_courier_accounts == json::parse(R"([17, "23"])"));
    BOOST_TEST(o.raw == j);
    BOOST_TEST(o.raw["emag_club"] == 1); // unknown fields stay in raw

    // 2 × 967.6613 + 3 × 12.5; the cancelled line does not count.
    BOOST_TEST(o.line_total().to_string() == "1972.8226");
    BOOST_TEST(o.customer_id() == 4242424);
}

BOOST_AUTO_TEST_CASE(customer) {
    const OrderParse r = parse_order(full_order(), bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    const Customer& c = r.order->customer;
    BOOST_TEST(c.id == 4242424);
    BOOST_TEST(c.mkt_id == 4242424);
    BOOST_TEST(c.name == "Ioana Popescu");
    BOOST_TEST(c.email == "1243536@emag.ro");
    BOOST_TEST(c.company == "Țesătoria Mărgineanu SRL");
    BOOST_TEST(c.gender == "F");
    BOOST_TEST(c.code == "RO12345678");
    BOOST_TEST(c.registration_number == "J40/1234/2019");
    BOOST_TEST(c.bank == "Banca Transilvania");
    BOOST_TEST(c.iban == "RO49BTRL0000000000000001");
    BOOST_TEST(c.fax == "");
    BOOST_TEST(c.legal_entity == 1);
    BOOST_TEST(c.is_vat_payer == 1);
    BOOST_TEST(c.phone_1 == "0722000111");
    BOOST_TEST(c.phone_2 == "0733000222");
    BOOST_TEST(c.phone_3 == "");
    BOOST_TEST(c.billing_name == "Țesătoria Mărgineanu SRL");
    BOOST_TEST(c.billing_phone == "0722000111");
    BOOST_TEST(c.billing_country == "Romania");
    BOOST_TEST(c.billing_suburb == "București");
    BOOST_TEST(c.billing_city == "București, Sector 3");
    BOOST_TEST(c.billing_locality_id == 8645);
    BOOST_TEST(c.billing_street == "Str. Mihai Eminescu nr. 5");
    BOOST_TEST(c.billing_postal_code == "31234"); // a number kept as its text
    BOOST_TEST(c.shipping_country == "Romania");
    BOOST_TEST(c.shipping_suburb == "București");
    BOOST_TEST(c.shipping_city == "București, Sector 4");
    BOOST_TEST(c.shipping_locality_id == 8646);
    BOOST_TEST(c.shipping_street == "easybox Lidl Berceni [EasyBox #29889]");
    BOOST_TEST(c.shipping_postal_code == "041234");
    BOOST_TEST(c.shipping_contact == "Ioana Popescu");
    BOOST_TEST(c.shipping_phone == "0722000111");
    // The repeated hour of 26 October 2025: the earlier (summer-time) instant, flagged.
    BOOST_TEST(c.created.text == "2025-10-26 03:30:00");
    BOOST_TEST(c.created.utc_iso() == "2025-10-26T00:30:00Z");
    BOOST_TEST(c.created.ambiguous);
    BOOST_TEST(c.modified.utc_iso() == "2026-01-14T20:15:00Z");
    BOOST_TEST(!c.modified.ambiguous);
}

BOOST_AUTO_TEST_CASE(product_lines) {
    const json j = full_order();
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    const auto& lines = r.order->products;
    BOOST_TEST_REQUIRE(lines.size() == 3u);

    const OrderLine& a = lines[0];
    BOOST_TEST(a.id == 171958974);
    BOOST_TEST(a.product_id == 10234);
    BOOST_TEST(a.name == "Laptop Exemplu X1 16\"");
    BOOST_TEST(a.status == 1);
    BOOST_TEST(a.is_active());
    BOOST_TEST(a.ext_part_number == "NB-X1-16");
    BOOST_TEST(a.part_number == "NBX116");
    BOOST_TEST(a.currency == "RON");
    BOOST_TEST(money(a.vat) == "0.2100");
    BOOST_TEST(a.quantity == 2);
    BOOST_TEST(money(a.sale_price) == "967.6613");
    BOOST_TEST(a.created.utc_iso() == "2026-01-14T20:15:00Z");
    BOOST_TEST(a.modified.utc_iso() == "2026-07-01T07:00:00Z");
    BOOST_TEST(a.modified.text == "2026-07-01 10:00:00");
    BOOST_TEST(a.details == "ambalaj cadou");
    BOOST_TEST(a.serial_numbers == "SN001,SN002");
    BOOST_TEST(a.recycle_warranties.empty());
    BOOST_TEST(r.order->line_raw(a) == j["products"][0]);
    BOOST_TEST_REQUIRE(a.product_voucher_split.size() == 2u);
    const VoucherSplit& s0 = a.product_voucher_split[0];
    BOOST_TEST(s0.voucher_id == 5550001);
    BOOST_TEST(money(s0.value) == "-41.3223");
    BOOST_TEST(money(s0.vat_value) == "-8.6777");
    BOOST_TEST(money(s0.vat) == "0.2100");
    BOOST_TEST(s0.offered_by == "emag");
    BOOST_TEST(s0.voucher_name == "Reducere eMAG");
    const VoucherSplit& s1 = a.product_voucher_split[1];
    BOOST_TEST(s1.voucher_id == 5550002);
    BOOST_TEST(money(s1.value) == "-9.0090");
    BOOST_TEST(money(s1.vat_value) == "-0.9910");
    BOOST_TEST(money(s1.vat) == "0.1100");
    BOOST_TEST(s1.offered_by == "seller");
    BOOST_TEST(s1.voucher_name == "Cofinanțat vânzător");

    const OrderLine& b = lines[1];
    BOOST_TEST(b.id == 171958975);
    BOOST_TEST(b.product_id == 10240);
    BOOST_TEST(b.quantity == 3);
    BOOST_TEST(money(b.sale_price) == "12.5000");
    BOOST_TEST(money(b.vat) == "0.1100");
    BOOST_TEST(b.product_voucher_split.empty());
    BOOST_TEST(r.order->line_raw(b) == j["products"][1]);
    BOOST_TEST_REQUIRE(b.recycle_warranties.size() == 1u);
    const RecycleWarranty& w = b.recycle_warranties[0];
    BOOST_TEST(w.quantity == 6);
    BOOST_TEST(money(w.sale_price) == "0.4132");
    BOOST_TEST(money(w.vat_rate) == "0.2100");
    BOOST_TEST(w.product_name == "Taxa SGR plastic");
    BOOST_TEST_REQUIRE(w.recycle_warranty_voucher_split.size() == 1u);
    BOOST_TEST(w.recycle_warranty_voucher_split[0].voucher_id == 5550003);
    BOOST_TEST(money(w.recycle_warranty_voucher_split[0].value) == "-0.4132");
    BOOST_TEST(money(w.recycle_warranty_voucher_split[0].vat_value) == "-0.0868");

    const OrderLine& c = lines[2];
    BOOST_TEST(c.status == 0);
    BOOST_TEST(!c.is_active());
    BOOST_TEST(c.part_number == ""); // absent text
    BOOST_TEST(c.serial_numbers == "");
    BOOST_TEST(c.modified.utc_iso() == "2026-01-15T06:00:00Z");
}

BOOST_AUTO_TEST_CASE(vouchers_and_attachments) {
    const OrderParse r = parse_order(full_order(), bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    const auto& v = r.order->vouchers;
    BOOST_TEST_REQUIRE(v.size() == 2u);
    BOOST_TEST(v[0].voucher_id == 5550001);
    BOOST_TEST(v[0].id == 5550001);
    BOOST_TEST(v[0].created.utc_iso() == "2026-01-14T20:15:00Z");
    BOOST_TEST(v[0].modified.utc_iso() == "2026-01-14T20:15:00Z");
    BOOST_TEST(v[0].status == 1);
    BOOST_TEST(money(v[0].sale_price) == "-41.3223");
    BOOST_TEST(money(v[0].sale_price_vat) == "-8.6777");
    BOOST_TEST(v[0].voucher_name == "Reducere eMAG");
    BOOST_TEST(money(v[0].vat) == "0.2100");
    BOOST_TEST(v[0].issue_date == "2026-01-14");
    BOOST_TEST(v[1].voucher_id == 5550002);
    BOOST_TEST(v[1].id == 5550002);
    BOOST_TEST(v[1].created.text == "2026-01-13 09:00:00");
    BOOST_TEST(v[1].created.utc_iso() == "2026-01-13T07:00:00Z");
    BOOST_TEST(v[1].modified.utc_iso() == "2026-07-01T07:00:00Z");
    BOOST_TEST(v[1].status == 1);
    BOOST_TEST(money(v[1].sale_price) == "-9.0090");
    BOOST_TEST(money(v[1].sale_price_vat) == "-0.9910");
    BOOST_TEST(v[1].voucher_name == "Cofinanțat vânzător");
    BOOST_TEST(money(v[1].vat) == "0.1100");
    BOOST_TEST(v[1].issue_date == "2026-01-13");

    const auto& a = r.order->attachments;
    BOOST_TEST_REQUIRE(a.size() == 2u);
    BOOST_TEST(a[0].name == "Factura FCT-1001.pdf");
    BOOST_TEST(a[0].url == "https://shop.example.com/invoices/1001.pdf");
    BOOST_TEST(a[0].type == 1);
    BOOST_TEST(!a[0].order_id.has_value());
    BOOST_TEST(!a[0].order_type.has_value());
    BOOST_TEST(!a[0].order_product_id.has_value());
    BOOST_TEST(!a[0].force_download.has_value());
    BOOST_TEST(a[1].order_id == 391982964);
    BOOST_TEST(a[1].order_type == 3);
    BOOST_TEST(a[1].order_product_id == 171958974);
    BOOST_TEST(a[1].name == "Garanție laptop");
    BOOST_TEST(a[1].url == "https://shop.example.com/warranty/171958974.pdf");
    BOOST_TEST(a[1].type == 3);
    BOOST_TEST(a[1].force_download == 0);
}

BOOST_AUTO_TEST_CASE(absent_fields_are_empty) {
    const OrderParse r = parse_order(minimal(), bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.order.has_value());
    const Order& o = *r.order;
    BOOST_TEST(o.id == 1001);
    BOOST_TEST(!o.type.has_value());
    BOOST_TEST(!o.is_fbe());
    BOOST_TEST(o.delivery_mode == "");
    BOOST_TEST(o.details.locker_id == "");
    BOOST_TEST(!o.details.locker_delivery_eligible.has_value());
    BOOST_TEST(o.date.text == "");
    BOOST_TEST(!o.date.utc.has_value());
    BOOST_TEST(o.date.utc_iso() == "");
    BOOST_TEST(!o.shipping_tax.has_value());
    BOOST_TEST(!o.customer_id().has_value());
    BOOST_TEST(o.customer.name == "");
    BOOST_TEST(o.vouchers.empty());
    BOOST_TEST(o.attachments.empty());
    BOOST_TEST(o.enforced_vendor_courier_accounts.is_null());
    BOOST_TEST(!o.is_storno);
    BOOST_TEST(o.line_total().to_string() == "10.0000");
}

BOOST_AUTO_TEST_CASE(nulls_are_absent) {
    json j = minimal();
    for (const char* k : {"details", "customer", "date", "shipping_tax", "vouchers", "attachments", "is_storno",
                          "enforced_vendor_courier_accounts", "observation", "type"})
        j[k] = nullptr;
    j["products"][0]["recycle_warranties"] = nullptr;
    j["products"][0]["vat"] = nullptr;
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(r.order->enforced_vendor_courier_accounts.is_null());
    BOOST_TEST(!r.order->products[0].vat.has_value());
}

BOOST_AUTO_TEST_CASE(fbe_and_enforced_empty_list) {
    json j = minimal();
    j["type"] = "2";
    j["enforced_vendor_courier_accounts"] = json::array();
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(r.order->is_fbe());
    BOOST_TEST(r.order->enforced_vendor_courier_accounts == json::array());
}

BOOST_AUTO_TEST_CASE(other_zones) {
    json j = minimal();
    j["date"] = "2026-07-01 10:00:00";
    const OrderParse budapest = parse_order(j, *TimeZone::find("Europe/Budapest"));
    BOOST_TEST_REQUIRE(budapest.order.has_value());
    BOOST_TEST(budapest.order->date.utc_iso() == "2026-07-01T08:00:00Z");
    const OrderParse utc = parse_order(j, TimeZone::utc());
    BOOST_TEST_REQUIRE(utc.order.has_value());
    BOOST_TEST(utc.order->date.utc_iso() == "2026-07-01T10:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loose_fields)

BOOST_AUTO_TEST_CASE(cancellation_reason_keys) {
    json j = minimal();
    j["status"] = 0;
    j["reason_cancellation"] = 24;
    BOOST_TEST(parse_order(j, bucharest()).order->reason_cancellation == 24);

    // The pre-4.4.7 key alone, as a numeric string.
    json old = minimal();
    old["cancellation_reason"] = "2";
    OrderParse r = parse_order(old, bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST(r.order->reason_cancellation == 2);

    // Null new key: the old one is read.
    old["reason_cancellation"] = nullptr;
    BOOST_TEST(parse_order(old, bucharest()).order->reason_cancellation == 2);

    // Both: the new key wins.
    old["reason_cancellation"] = 31;
    BOOST_TEST(parse_order(old, bucharest()).order->reason_cancellation == 31);

    // A code not in the table is still a code (eMAG may add codes).
    old["reason_cancellation"] = 7;
    r = parse_order(old, bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST(r.order->reason_cancellation == 7);

    // Unreadable: a typing problem, and the value is absent.
    json bad = minimal();
    bad["reason_cancellation"] = "abc";
    r = parse_order(bad, bucharest());
    BOOST_TEST(!r.order->reason_cancellation.has_value());
    BOOST_TEST(problem_on(r, "reason_cancellation") != "");
    bad = minimal();
    bad["cancellation_reason"] = -1;
    r = parse_order(bad, bucharest());
    BOOST_TEST(problem_on(r, "cancellation_reason") != "");
}

BOOST_AUTO_TEST_CASE(is_storno_variants) {
    const std::vector<std::pair<json, bool>> good = {{true, true}, {false, false}, {1, true},       {0, false},
                                                     {"1", true},  {"0", false},   {nullptr, false}};
    for (const auto& [value, expected] : good) {
        json j = minimal();
        j["is_storno"] = value;
        const OrderParse r = parse_order(j, bucharest());
        BOOST_TEST(r.problems.empty(), value.dump() << ": " << dump_problems(r.problems));
        BOOST_TEST_REQUIRE(r.order.has_value());
        BOOST_TEST(r.order->is_storno == expected, value.dump());
    }
    for (const json& value : {json(2), json("true"), json("yes"), json(1.0), json::array()}) {
        json j = minimal();
        j["is_storno"] = value;
        const OrderParse r = parse_order(j, bucharest());
        BOOST_TEST_REQUIRE(r.order.has_value());
        BOOST_TEST(!r.order->is_storno, value.dump());
        BOOST_TEST(problem_on(r, "is_storno").rfind("must be true/false or 1/0, got ", 0) == 0u, value.dump());
    }
}

BOOST_AUTO_TEST_CASE(numbers_in_text_fields) {
    json j = minimal();
    j["customer"] = {{"phone_1", 722000111}, {"billing_postal_code", "031234"}, {"id", 5}};
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
    BOOST_TEST(r.order->customer.phone_1 == "722000111");
    BOOST_TEST(r.order->customer.billing_postal_code == "031234");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(problems)

BOOST_AUTO_TEST_CASE(validation_problems_are_merged) {
    json j = full_order();
    j["status"] = 9;
    j["products"][1]["quantity"] = 0;
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(problem_on(r, "status") == "must be between 0 and 5, got 9");
    BOOST_TEST(problem_on(r, "products[1].quantity") == "must be between 1 and 2147483647, got 0");
    BOOST_TEST(r.problems.size() == 2u, dump_problems(r.problems));
    // Still kept, with the values as read.
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(r.order->status == 9);
    BOOST_TEST(r.order->products[1].quantity == 0);
    BOOST_TEST(r.order->line_total().to_string() == "1935.3226");
}

BOOST_AUTO_TEST_CASE(typing_problems_name_their_field) {
    json j = full_order();
    j["shipping_tax"] = "abc";
    j["date"] = "2026-02-30 10:00:00";
    j["vouchers"][1] = "voucher";
    j["products"][1]["created"] = "2026-01-14T22:15:00";
    j["products"][0]["product_voucher_split"][1]["value"] = "-9.00901";
    j["products"][1]["recycle_warranties"][0]["quantity"] = "six";
    j["details"]["locker_delivery_eligible"] = true;
    j["vouchers"][0]["issue_date"] = "2026-02-30";
    j["vouchers"][0]["status"] = 9999999999LL;
    j["enforced_vendor_courier_accounts"] = "17";
    j["observation"] = json::object();
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(problem_on(r, "shipping_tax") == "must be a decimal with at most 4 places, got \"abc\"");
    BOOST_TEST(problem_on(r, "date") == "is not a valid YYYY-MM-DD HH:MM:SS time");
    BOOST_TEST(problem_on(r, "vouchers[1]") == "must be an object, got string");
    BOOST_TEST(problem_on(r, "products[1].created") == "is not a valid YYYY-MM-DD HH:MM:SS time");
    BOOST_TEST(problem_on(r, "products[0].product_voucher_split[1].value") ==
               "must be a decimal with at most 4 places, got \"-9.00901\"");
    BOOST_TEST(problem_on(r, "products[1].recycle_warranties[0].quantity") == "must be a whole number, got \"six\"");
    BOOST_TEST(problem_on(r, "details.locker_delivery_eligible") == "must be a whole number, got true");
    BOOST_TEST(problem_on(r, "vouchers[0].issue_date") == "is not a valid YYYY-MM-DD date");
    BOOST_TEST(problem_on(r, "vouchers[0].status") == "is out of range, got 9999999999");
    BOOST_TEST(problem_on(r, "enforced_vendor_courier_accounts") == "must be a list or null, got \"17\"");
    BOOST_TEST(problem_on(r, "observation") == "must be a text, got {}");
    BOOST_TEST(r.problems.size() == 11u, dump_problems(r.problems));

    // Kept: what could be read, with the broken fields empty.
    BOOST_TEST_REQUIRE(r.order.has_value());
    const Order& o = *r.order;
    BOOST_TEST(!o.shipping_tax.has_value());
    BOOST_TEST(o.date.text == "2026-02-30 10:00:00");
    BOOST_TEST(!o.date.utc.has_value());
    BOOST_TEST(o.vouchers.size() == 1u);
    BOOST_TEST(o.vouchers[0].issue_date == "");
    BOOST_TEST(!o.products[1].created.utc.has_value());
    BOOST_TEST(!o.products[0].product_voucher_split[1].value.has_value());
    BOOST_TEST(money(o.products[0].product_voucher_split[1].vat_value) == "-0.9910");
    BOOST_TEST(o.enforced_vendor_courier_accounts.is_null());
    BOOST_TEST(o.customer.id == 4242424);
}

BOOST_AUTO_TEST_CASE(wrong_shapes) {
    json j = minimal();
    j["customer"] = "Ioana";
    j["details"] = json::array();
    j["vouchers"] = json::object();
    j["products"][0]["product_voucher_split"] = "none";
    j["customer_dummy"] = 1; // unknown: ignored
    j["modified"] = 20260701;
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(problem_on(r, "customer") == "must be an object, got string");
    BOOST_TEST(problem_on(r, "details") == "must be an object, got array");
    BOOST_TEST(problem_on(r, "vouchers") == "must be a list, got object");
    BOOST_TEST(problem_on(r, "products[0].product_voucher_split") == "must be a list, got string");
    BOOST_TEST(problem_on(r, "modified") == "must be a YYYY-MM-DD HH:MM:SS time, got 20260701");
    BOOST_TEST(r.problems.size() == 5u, dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(!r.order->customer_id().has_value());
}

BOOST_AUTO_TEST_CASE(customer_fields_checked) {
    json j = minimal();
    j["customer"] = {{"id", "12a"}, {"created", "2026-13-01 00:00:00"}, {"shipping_locality_id", ""}};
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(problem_on(r, "customer.id") == "must be a whole number, got \"12a\"");
    BOOST_TEST(problem_on(r, "customer.created") == "is not a valid YYYY-MM-DD HH:MM:SS time");
    BOOST_TEST(problem_on(r, "customer.shipping_locality_id") == "must be a whole number, got \"\"");
    BOOST_TEST(r.problems.size() == 3u, dump_problems(r.problems));
}

BOOST_AUTO_TEST_CASE(no_duplicate_of_a_validation_problem) {
    json j = minimal();
    j["products"][0]["quantity"] = "abc";
    j["products"][0]["sale_price"] = "1.23456";
    j["products"].push_back("line");
    j["status"] = "x";
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(problem_on(r, "products[0].quantity") == "must be a whole number, got \"abc\"");
    BOOST_TEST(problem_on(r, "products[0].sale_price") == "must be a decimal with at most 4 places, got \"1.23456\"");
    BOOST_TEST(problem_on(r, "products[1]") == "must be an object, got string");
    BOOST_TEST(problem_on(r, "status") == "must be a whole number, got \"x\"");
    BOOST_TEST(r.problems.size() == 4u, dump_problems(r.problems));
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(r.order->products.size() == 1u); // the string line holds nothing to type
    BOOST_TEST(!r.order->status.has_value());
}

BOOST_AUTO_TEST_CASE(non_object_lines_keep_raw_alignment) {
    json j = minimal();
    j["products"] = json::parse(R"([7, {"id": 2, "quantity": 1, "sale_price": "1", "status": 1},
                                     null, {"id": 3, "quantity": 2, "sale_price": "2", "status": 1}])");
    const OrderParse r = parse_order(j, bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST_REQUIRE(r.order->products.size() == 2u);
    BOOST_TEST(r.order->line_raw(r.order->products[0]) == j["products"][1]);
    BOOST_TEST(r.order->line_raw(r.order->products[1]) == j["products"][3]);
    BOOST_TEST(r.order->products[1].id == 3);
    BOOST_TEST(problem_on(r, "products[0]") == "must be an object, got number");
    BOOST_TEST(problem_on(r, "products[2]") == "must be an object, got null");
}

BOOST_AUTO_TEST_CASE(not_an_object) {
    for (const json& j : {json::array(), json("order"), json(391982964), json()}) {
        const OrderParse r = parse_order(j, bucharest());
        BOOST_TEST(!r.order.has_value(), j.dump());
        BOOST_TEST_REQUIRE(r.problems.size() == 1u, j.dump());
        BOOST_TEST(r.problems[0].field == "(order)");
    }
}

BOOST_AUTO_TEST_CASE(no_usable_id) {
    json j = full_order();
    j.erase("id");
    OrderParse r = parse_order(j, bucharest());
    BOOST_TEST(!r.order.has_value());
    BOOST_TEST(problem_on(r, "id") == "is missing");
    for (const json& id : {json(0), json("0"), json(4294967296LL), json(-5), json("12.0"), json(12.5), json(true)}) {
        j["id"] = id;
        r = parse_order(j, bucharest());
        BOOST_TEST(!r.order.has_value(), id.dump());
        BOOST_TEST(problem_on(r, "id") != "", id.dump());
    }
    j["id"] = "4294967295";
    r = parse_order(j, bucharest());
    BOOST_TEST_REQUIRE(r.order.has_value());
    BOOST_TEST(r.order->id == 4294967295LL);
    BOOST_TEST(r.problems.empty(), dump_problems(r.problems));
}

BOOST_AUTO_TEST_SUITE_END()

// Orders from the sandbox's generator, rendered exactly as its order/read
// does: each one it left valid reads without a problem and agrees with the
// sandbox's own values; each one it broke on purpose has a problem.
// compact_json (the stored payloads) writes what dump() writes, for every
// kind of value a parsed order can hold.
BOOST_AUTO_TEST_CASE(compact_json_is_dump) {
    const char* texts[] = {
        R"({"a":"plain","b":"quote \" backslash \\ slash \/","c":"\b\f\n\r\t\u0001\u001f\u007f"})",
        R"({"ro":"Bucure\u0219ti și Iași","emoji":"\ud83d\ude00","nul":"a\u0000b","":""})",
        R"([0,-1,1,9223372036854775807,-9223372036854775808,18446744073709551615,1.5,-0.25,1e300,3.0])",
        R"({"t":true,"f":false,"n":null,"e":{},"l":[],"nested":[{"x":[[]]},{"y":{"z":[1,"2",null]}}]})",
        R"("just a string")",
        "42",
        "null",
        "[]",
        "{}"};
    for (const char* text : texts) {
        const json j = json::parse(text);
        BOOST_TEST(compact_json(j) == j.dump(), text);
    }
    std::string out = "x";
    append_compact_json(out, json::parse(R"({"b":1,"a":2})"));
    BOOST_TEST(out == R"(x{"a":2,"b":1})"); // appends; keys in dump()'s order
}

BOOST_AUTO_TEST_SUITE(sandbox_orders)

namespace sb = ::emag::sandbox;

bool sandbox_broke(const sb::Order& o) {
    if (o.status < 0 || o.status > 5 || o.payment_mode_id < 1 || o.payment_mode_id > 3 || o.products.empty())
        return true;
    return std::any_of(o.products.begin(), o.products.end(),
                       [](const sb::OrderLine& l) { return l.quantity <= 0 || !l.has_sale_price; });
}

void check_platform(const std::string& platform, const char* zone_name) {
    sb::DataOptions options;
    options.seed = 20260701;
    options.orders = 400;
    options.offers = 60;
    options.invalid_fraction = 0.1;
    options.platform = platform;
    // The 90 days of history before this cover the October 2025 switch.
    options.now = [] { return sb::Clock::time_point(std::chrono::seconds(1763640000)); }; // 2025-11-20 12:00 UTC
    sb::StringPool pool;
    sb::DataGenerator generator(options, pool);
    const std::vector<sb::Offer> offers = generator.make_offers();
    const std::vector<sb::Order> orders = generator.make_orders(offers);
    const sb::Zone zone = sb::platform_info(platform).zone;
    const TimeZone tz = *TimeZone::find(zone_name);

    std::size_t valid = 0, broken = 0, ambiguous = 0, lockers = 0, splits = 0;
    for (const sb::Order& so : orders) {
        const json j = json::parse(sb::render_order(so, zone));
        BOOST_TEST(compact_json(j) == j.dump(), so.id); // what a sync stores as the payload
        const OrderParse r = parse_order(j, tz);
        BOOST_TEST_REQUIRE(r.order.has_value(), so.id);
        const Order& o = *r.order;
        BOOST_TEST(o.id == static_cast<std::int64_t>(so.id));
        if (sandbox_broke(so)) {
            ++broken;
            BOOST_TEST(!r.problems.empty(), "order " << so.id << " broken by the sandbox but no problem");
            continue;
        }
        ++valid;
        BOOST_TEST(r.problems.empty(), "order " << so.id << ": " << dump_problems(r.problems));
        // Agrees with the sandbox's own values.
        const std::chrono::sys_seconds date{std::chrono::seconds(so.date)};
        if (o.date.ambiguous) {
            ++ambiguous;
            BOOST_TEST((*o.date.utc == date || *o.date.utc + std::chrono::hours(1) == date), so.id);
        } else {
            BOOST_TEST(o.date.utc_iso() == iso8601_utc(date), so.id);
        }
        BOOST_TEST(o.status == so.status);
        BOOST_TEST(o.type == int{so.type});
        BOOST_TEST(o.customer_id() == static_cast<std::int64_t>(so.customer.id));
        BOOST_TEST(o.is_storno == so.is_storno);
        BOOST_TEST(o.products.size() == so.products.size());
        BOOST_TEST(o.vouchers.size() == so.vouchers.size());
        sb::Money total = 0;
        for (const auto& l : so.products)
            if (l.status == 1)
                total += l.sale_price * l.quantity;
        BOOST_TEST(o.line_total().units == total, so.id);
        BOOST_TEST(money(o.shipping_tax) == (Decimal4{so.shipping_tax}).to_string());
        if (so.reason_cancellation)
            BOOST_TEST(o.reason_cancellation == so.reason_cancellation);
        else
            BOOST_TEST(!o.reason_cancellation.has_value());
        if (!o.details.locker_id.empty()) {
            ++lockers;
            BOOST_TEST(o.delivery_mode == "pickup");
            BOOST_TEST(o.customer.shipping_street.find("[EasyBox #") != std::string::npos);
        }
        for (const auto& l : o.products)
            splits += l.product_voucher_split.size();
    }
    BOOST_TEST_MESSAGE(platform << ": " << valid << " valid, " << broken << " broken, " << ambiguous
                                << " ambiguous dates, " << lockers << " lockers, " << splits << " splits");
    // The run must really exercise both sides.
    BOOST_TEST(valid > 300u);
    BOOST_TEST(broken > 10u);
    BOOST_TEST(lockers > 20u);
    BOOST_TEST(splits > 10u);
}

BOOST_AUTO_TEST_CASE(romania) {
    check_platform("ro", "Europe/Bucharest");
}

BOOST_AUTO_TEST_CASE(bulgaria) {
    check_platform("bg", "Europe/Sofia");
}

BOOST_AUTO_TEST_CASE(hungary) {
    check_platform("hu", "Europe/Budapest");
}

BOOST_AUTO_TEST_SUITE_END()
