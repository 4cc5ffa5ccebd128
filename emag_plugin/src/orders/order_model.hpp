// The typed eMAG order (Marketplace API v4.4.9, reference §4.6-4.9), read
// from one element of order/read's `results`.
//
// Typing choices, applied to every field (say why in one line each):
// - Absent and JSON null mean "no value": strings become "", numbers nullopt,
//   lists empty, times an EmagTime with empty text. No problem is reported:
//   eMAG omits or nulls fields freely (e.g. `details: null`, `reason_cancellation:
//   null`) and the doc marks almost nothing as required.
// - A value that is present but of the wrong type or shape is a typing
//   problem (FieldProblem named like validate_order's: "shipping_tax",
//   "customer.created", "products[1].product_voucher_split[0].value") and the
//   field is left empty. Every problem is reported, not only the first, so one
//   quarantine shows the admin everything.
// - Ids, quantities and codes accept JSON integers and canonical integer
//   strings (§1.6: "order_id":"391982964", "quantity":"1"), via int_from_json.
//   Ids and quantities are int64 (the doc's ranges are contradicted by its own
//   examples, e.g. line ids; only the order id range is a rule, enforced by
//   validate_order); enum-like codes and flags are int (a value outside int is
//   a typing problem).
// - Money and VAT rates are exact Decimal4 (strings "967.6613" or numbers, at
//   most 4 decimals; §4.9: never a double). Rates are kept as sent, not
//   normalised: the doc uses fractions ("0.2400") in order data and integer
//   percent elsewhere, and guessing the form would silently corrupt one of them.
// - Strings accept JSON strings, and also JSON numbers (kept as their JSON
//   text: a postal code or phone sent as 400123 is still that text); bool,
//   object and array are typing problems.
// - Times are "YYYY-MM-DD HH:MM:SS" local times in the account's zone (§1.6:
//   eMAG sends no zone); see EmagTime. Anything else, "" included, is a problem.
// - Values are kept as read even when a business rule rejects them (status 9,
//   quantity 0): the rules are validate_order's, whose problems come first in
//   OrderParse::problems. A typing problem on a field validate_order already
//   reported (same field name) is not repeated.
// - Unknown extra fields (payment_mode, emag_club, mkt_id of a line,
//   part_number_key, initial_qty, storno_qty, original_price...) are not
//   modelled; they stay in `raw`, the untouched input, on the order and on
//   each line.
// - List elements that are not objects are reported ("vouchers[1]: must be an
//   object") and left out of the typed list (they hold nothing to type); the
//   raw JSON still has them.
#pragma once

#include "orders/decimal.hpp"
#include "orders/local_time.hpp"
#include "orders/order_validation.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

// One of eMAG's zone-less timestamps, read in the account's zone.
struct EmagTime {
    // Exactly as sent ("2026-07-01 10:00:00"); "" when absent, null or not a
    // string. Kept so the value can be shown and sent back unchanged.
    std::string text;
    // The instant, when `text` is a valid time. The repeated hour of the
    // October switch is ambiguous: the earlier instant (summer time) is taken,
    // as the sandbox and most libraries do, and `ambiguous` is set so a caller
    // that cares can tell. The missing March hour cannot come from a real
    // clock; it takes TimeZone::to_utc's reading (after the gap), unflagged.
    std::optional<std::chrono::sys_seconds> utc;
    bool ambiguous = false;

    // "2026-07-01T07:00:00Z"; "" when there is no instant.
    std::string utc_iso() const;
};

// A voucher's share of a line (`product_voucher_split`), of the shipping
// (`shipping_tax_voucher_split`) or of a deposit fee
// (`recycle_warranty_voucher_split`). The last two carry only voucher_id,
// value and vat_value; vat, offered_by and voucher_name stay empty there.
struct VoucherSplit {
    std::optional<std::int64_t> voucher_id;
    std::optional<Decimal4> value;     // negative, excl. VAT
    std::optional<Decimal4> vat_value; // negative: the VAT of `value`
    std::optional<Decimal4> vat;       // rate, as sent ("0.2100")
    std::string offered_by;            // "emag" / "seller" (as sent)
    std::string voucher_name;          // may differ from the voucher's (co-funded)
};

// A deposit/recycling fee on a line (§4.7 `recycle_warranties`).
struct RecycleWarranty {
    std::optional<std::int64_t> quantity;
    std::optional<Decimal4> sale_price; // excl. VAT
    std::optional<Decimal4> vat_rate;   // as sent: fraction or percent (not stated)
    std::string product_name;           // "Taxa SGR metal"
    std::vector<VoucherSplit> recycle_warranty_voucher_split;
};

// One `products[]` element (§4.7).
struct OrderLine {
    std::optional<std::int64_t> id;         // line id; = order_product_id for attachments
    std::optional<std::int64_t> product_id; // the seller's offer id
    std::string name;                       // not in §4.7's table; named by §4.12 (adding lines)
    std::optional<int> status;              // 0 cancelled, 1 active
    std::string part_number;
    std::string ext_part_number;
    EmagTime created;
    EmagTime modified;
    std::string currency; // "RON"
    std::optional<std::int64_t> quantity;
    std::optional<Decimal4> sale_price; // unit price excl. VAT
    std::optional<Decimal4> vat;        // rate ("0.2400"); only in the doc's example
    std::string details;                // line notes
    std::string serial_numbers;
    std::vector<VoucherSplit> product_voucher_split; // every entry: several VAT rates may hit one line
    std::vector<RecycleWarranty> recycle_warranties;
    // Where the line is in the order's raw `products` (non-object elements
    // are skipped, so it can differ from the position here): Order::line_raw
    // gives the line exactly as read. An index, not a copy: copying each
    // line's JSON cost a sync a sixth of its typing time.
    std::size_t raw_index = 0;

    // status 1 (a line without a readable status is not active).
    bool is_active() const { return status == 1; }
};

// `customer` (§4.8). All text as sent; `email` is eMAG's hash, not an address.
struct Customer {
    std::optional<std::int64_t> id;
    std::optional<std::int64_t> mkt_id;
    std::string name;
    std::string company; // = name for individuals
    std::string gender;  // "M" / "F"
    std::string email;   // "1243536@emag.ro": identifies, is not deliverable
    std::string code;    // fiscal / registration code
    std::string registration_number;
    std::string bank;
    std::string iban;
    std::string fax;
    std::optional<int> legal_entity; // 0 person, 1 company
    std::optional<int> is_vat_payer; // 0 / 1
    std::string phone_1;
    std::string phone_2;
    std::string phone_3;
    std::string billing_name;
    std::string billing_phone;
    std::string billing_country;
    std::string billing_suburb; // county
    std::string billing_city;
    std::optional<std::int64_t> billing_locality_id; // documented as text, sent as int: both accepted
    std::string billing_street;
    std::string billing_postal_code;
    std::string shipping_contact; // goes on the AWB
    std::string shipping_phone;   // goes on the AWB
    std::string shipping_country;
    std::string shipping_suburb;
    std::string shipping_city;
    std::optional<std::int64_t> shipping_locality_id;
    std::string shipping_street; // locker orders: "... [EasyBox #29889]"
    std::string shipping_postal_code;
    EmagTime created;
    EmagTime modified;
};

// `vouchers[]` (§4.6): the order-level view of a discount.
struct Voucher {
    std::optional<std::int64_t> voucher_id;
    std::optional<std::int64_t> id; // in the doc's example next to voucher_id
    EmagTime created;
    EmagTime modified;
    std::optional<int> status;
    std::optional<Decimal4> sale_price;     // negative, excl. VAT
    std::optional<Decimal4> sale_price_vat; // negative: its VAT
    std::optional<Decimal4> vat;            // rate ("0.24")
    std::string voucher_name;
    // "YYYY-MM-DD" as sent (a date, not an instant: no zone reading); checked
    // to be a real calendar date.
    std::string issue_date;
};

// `attachments[]`: the keys of order/attachments/save (§5); order/read may
// carry only some of them.
struct Attachment {
    std::optional<std::int64_t> order_id;
    std::optional<int> order_type; // 2 FBE, 3 FBS
    std::optional<std::int64_t> order_product_id;
    std::string name;
    std::string url;
    std::optional<int> type; // 1 invoice, 3 warranty, 4 manual, 8 guide, 10 AWB, 11 proforma
    std::optional<int> force_download;
};

// `details` (§4.6). Absent or null `details` gives this, all empty ("no
// extras"; the sandbox sends null for some courier orders): one shape for
// callers instead of an optional of mostly-empty fields.
struct OrderDetails {
    std::string locker_id; // → awb/save locker_id
    std::string locker_name;
    std::optional<int> locker_delivery_eligible; // 1 would fit a locker
    std::string courier_external_office_id;
};

struct Order {
    std::int64_t id = 0;                // always 1..4294967295: no Order without a usable id
    std::optional<int> status;          // 0..5 (§4.1)
    std::optional<int> is_complete;     // 0 / 1
    std::optional<int> type;            // 2 FBE, 3 FBS
    std::optional<int> payment_mode_id; // 1 COD, 2 bank transfer, 3 card
    std::string detailed_payment_method;
    std::string delivery_mode; // "courier" / "pickup"
    OrderDetails details;
    EmagTime date;                     // cart submission
    EmagTime modified;                 // last change (4.4.7)
    std::optional<int> payment_status; // 0 not paid, 1 paid
    // VAT inclusion of these three is not stated (§4.9): kept as sent.
    std::optional<Decimal4> cashed_co;
    std::optional<Decimal4> cashed_cod;
    std::optional<Decimal4> shipping_tax;
    std::vector<VoucherSplit> shipping_tax_voucher_split;
    Customer customer; // absent / null: all empty (id nullopt)
    std::vector<OrderLine> products;
    std::vector<Attachment> attachments;
    std::vector<Voucher> vouchers;
    // true/false, 1/0 and "1"/"0" (loose typing, §1.6); absent or null: false.
    bool is_storno = false;
    // reason_code_from_order: `reason_cancellation`, else the pre-4.4.7
    // `cancellation_reason`. A present, non-null value that is not a code
    // (0..INT_MAX) is a typing problem.
    std::optional<int> reason_cancellation;
    // Kept as is: null (any own courier account), [] (no AWB via the
    // Marketplace) or the list of allowed accounts. Absent: null; anything
    // else is a typing problem (and null here).
    nlohmann::json enforced_vendor_courier_accounts;
    std::string observation; // undescribed, in the examples
    std::string vendor_name; // undescribed, in the examples
    nlohmann::json raw;      // the order exactly as read

    // Σ quantity × sale_price over active lines (status 1), excl. VAT and
    // before vouchers. Lines lacking a quantity or price add nothing (such an
    // order has problems). Throws std::overflow_error out of Decimal4's range.
    Decimal4 line_total() const;
    // The line exactly as read (raw["products"][l.raw_index]).
    const nlohmann::json& line_raw(const OrderLine& l) const { return raw.at("products").at(l.raw_index); }
    std::optional<std::int64_t> customer_id() const { return customer.id; }
    bool is_fbe() const { return type == 2; } // fulfilled by eMAG
};

struct OrderParse {
    // Set whenever the JSON is an object with a usable id (a whole number
    // 1..4294967295), even with problems: the caller quarantines on any
    // problem but keeps what could be read. nullopt otherwise.
    std::optional<Order> order;
    // validate_order(j)'s problems, then the typing problems (see above).
    std::vector<FieldProblem> problems;
    // The input when there is no `order` (Order::raw holds it otherwise).
    nlohmann::json raw;

    // The input, exactly as read.
    const nlohmann::json& input() const { return order ? order->raw : raw; }
};

// Takes the JSON by value: a caller done with it moves it in and nothing is
// copied (a sync reads 100 orders a page; a deep copy each cost 8 us).
OrderParse parse_order(nlohmann::json j, const TimeZone& zone);

} // namespace erp::emag
