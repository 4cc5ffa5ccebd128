// A change the ERP asks to make to one eMAG offer: its price, its stock or
// its status (DESIGN.md §5.3). Parsed from a route's body or a job's
// params, checked before it is queued (validator `emag.offer`), stored in
// emag_outbound as `value`, and merged with the offer's other pending
// changes into one entity of the light offer/save (§8.4).
//
// Bodies, one kind each:
//   price   {"sale_price": "12.50", "vat_id": 1}     vat_id optional
//   stock   {"stock": 5}  (warehouse 1)  or  {"stock": [{"warehouse_id": 2, "value": 5}, ...]}
//   status  {"status": 0 | 1 | 2}
// With "kind" (and "offer_id", "account") in the body when no route names
// them (jobs, the validator).
#pragma once

#include "orders/decimal.hpp"
#include "orders/order_validation.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace erp::emag {

enum class ChangeKind { price, stock, status };

const char* kind_name(ChangeKind kind); // "price", "stock", "status"
std::optional<ChangeKind> parse_kind(std::string_view name);

struct WarehouseStock {
    std::int64_t warehouse_id = 1;
    std::int64_t value = 0;
};

struct OfferChange {
    std::string account; // "" until the caller decides
    std::int64_t offer_id = 0;
    ChangeKind kind = ChangeKind::price;
    std::optional<Decimal4> sale_price; // price: excl. VAT, as eMAG's
    std::optional<int> vat_id;          // price: optional
    std::vector<WarehouseStock> stock;  // stock
    std::optional<int> status;          // status

    // The fields this change sets in offer/save's entity: emag_outbound.value.
    nlohmann::json value_json() const;
};

struct ChangeParse {
    std::optional<OfferChange> change; // set when the shape is right (ranges are validate_change's)
    std::vector<FieldProblem> problems;
};

// `kind`: given by the route; nullopt reads "kind" from the body. offer_id
// and account are read from the body when present ("offer_id" 1..4294967295).
ChangeParse parse_change(const nlohmann::json& body, std::optional<ChangeKind> kind);

// What is known of the offer, from emag_offers and vat/read.
struct OfferFacts {
    bool offer_known = false;
    std::optional<Decimal4> min_sale_price, max_sale_price; // eMAG rejects a price outside them
    std::optional<Decimal4> recommended_price;              // when > 0, eMAG wants sale_price below it (§8.3)
    std::set<int> vat_ids;                                  // empty: not read yet, not checked
};

// The rules before a change is queued: sale_price > 0, within the offer's
// [min, max] and below its recommended_price (the crossed-out price) when
// known; vat_id one of the account's; stock values 0..65535
// on warehouses >= 1; status 0, 1 or 2; the offer known (the light API
// updates existing offers only). Every broken rule is reported.
std::vector<FieldProblem> validate_change(const OfferChange& change, const OfferFacts& facts);

// The validator `emag.offer` (host-callable): a change as JSON text, with its
// "kind" - its shape and ranges only (no stored facts). Returns the problems
// as JSON ("[]" = valid); throws std::invalid_argument when the text is not JSON.
std::string offer_change_problems_json(std::string_view json_text);

// One offer/save entity from the values of an offer's pending changes:
// {"id": offer_id} merged with each value_json.
nlohmann::json offer_save_entity(std::int64_t offer_id, const std::vector<std::string>& value_jsons);

} // namespace erp::emag
