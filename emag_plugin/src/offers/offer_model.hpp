// The typed eMAG offer (Marketplace API v4.4.9, reference §8.6), read from
// one element of product_offer/read's `results`.
//
// Typing choices, applied to every field (say why in one line each), as in
// orders/order_model.hpp:
// - Absent and JSON null mean "no value": strings become "", numbers nullopt,
//   lists empty. No problem is reported: eMAG omits or nulls fields freely.
// - A value that is present but of the wrong type or shape is a typing
//   problem (FieldProblem named by its path: "sale_price", "stock[1].value",
//   "validation_status[0].value") and the field is left empty. Every problem
//   is reported, not only the first, so one quarantine shows everything.
// - The id is the seller's offer id, a whole number 1..4294967295 (integer or
//   canonical string): without it there is no Offer (nothing to key it by),
//   only the problem on "id". A non-object is one problem on "(offer)".
// - Ids, counts and codes accept JSON integers and canonical integer strings
//   (§1.6 loose typing), via int_from_json. Ids and stock are int64; enum-like
//   codes, ranks and counts are int (a value outside int is a typing problem).
// - Money is exact Decimal4 (strings "967.6613" or numbers, at most 4
//   decimals; never a double), excl. VAT as §8.6 states for sale_price.
// - Strings accept JSON strings, and also JSON numbers kept as their JSON
//   text; bool, object and array are typing problems.
// - `ean` is a list of texts; a JSON integer element is taken as its digits
//   (a leading zero it lost cannot be restored, so none is guessed), any other
//   element is a problem ("ean[1]") and left out.
// - `stock` and `handling_time` are lists of {warehouse_id, value}; both keys
//   are required in an element (a warehouse value without its warehouse or
//   amount means nothing): a missing, null or wrong one is a problem and the
//   element is left out, as is a non-object element ("stock[1]").
// - The three validation statuses come in two shapes (eMAG sends
//   validation_status and translation_validation_status as a list
//   [{"value":9,"description":...,"errors":null}] and offer_validation_status
//   as an object {"value":1,"description":"Valid"}); each of them accepts
//   either shape and a plain integer, since the doc and responses differ
//   between versions. The list's first element gives the value; an empty list
//   is no value. Descriptions are eMAG's text and stay in `raw`.
// - Business rules that make an offer problematic are reported as problems
//   (code "out_of_range") while the value is kept as read: status outside
//   0..2, a negative sale_price, a negative stock value.
// - Unknown or unmodelled fields (description, images, characteristics,
//   manufacturer, genius_*, ...) stay in `raw`, the untouched input.
#pragma once

#include "orders/decimal.hpp"
#include "orders/order_validation.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

// One warehouse's number in `stock` (units) or `handling_time` (days).
struct WarehouseValue {
    std::int64_t warehouse_id = 0;
    std::int64_t value = 0;
};

struct Offer {
    std::int64_t id = 0; // the seller's offer id, 1..4294967295 (no Offer without it)
    std::string part_number;
    std::string part_number_key; // eMAG's product key
    std::string name;
    std::string brand;
    std::string currency;         // "RON"
    std::vector<std::string> ean; // texts; JSON integers accepted as their digits
    std::optional<int> status;    // 0 inactive, 1 active, 2 end of life
    // Excl. VAT, as sent ("12.3400" or numbers).
    std::optional<Decimal4> sale_price;
    std::optional<Decimal4> recommended_price;
    std::optional<Decimal4> min_sale_price;
    std::optional<Decimal4> max_sale_price;
    std::optional<Decimal4> best_offer_sale_price;
    std::optional<Decimal4> best_offer_recommended_price;
    std::optional<int> vat_id;
    std::optional<std::int64_t> category_id;
    std::optional<std::int64_t> warranty;      // months
    std::vector<WarehouseValue> stock;         // [{"warehouse_id":1,"value":50}, ...]
    std::vector<WarehouseValue> handling_time; // same shape, days
    std::optional<std::int64_t> general_stock;
    std::optional<std::int64_t> estimated_stock;      // general_stock less units held by orders
    std::optional<int> validation_status;             // documentation: 9 approved
    std::optional<int> translation_validation_status; // same codes
    std::optional<int> offer_validation_status;       // 1 valid, 2 invalid price
    std::optional<int> buy_button_rank;
    std::optional<int> number_of_offers;
    std::optional<int> ownership; // 1 / 2
    nlohmann::json raw;           // the offer exactly as read

    // Σ stock[].value. Throws std::overflow_error out of int64's range.
    std::int64_t stock_total() const;
};

struct OfferParse {
    // Set whenever the JSON is an object with a usable id, even with
    // problems: the caller quarantines on any problem but keeps what could be
    // read. nullopt otherwise.
    std::optional<Offer> offer;
    // The typing problems and the broken business rules (see above).
    std::vector<FieldProblem> problems;
    // The input when there is no `offer` (Offer::raw holds it otherwise).
    nlohmann::json raw;

    // The input, exactly as read.
    const nlohmann::json& input() const { return offer ? offer->raw : raw; }
};

// Takes the JSON by value: a caller done with it moves it in and nothing is
// copied (offers are read a page at a time).
OfferParse parse_offer(nlohmann::json j);

} // namespace erp::emag
