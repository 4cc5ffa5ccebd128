// From a page of eMAG orders to what OrderStore writes: each order is parsed
// and validated (order_model, order_validation); a clean one becomes rows of
// emag_orders and emag_order_lines, one with any problem goes to quarantine
// with all its problems and its raw JSON. Nothing is dropped: every element
// of the page ends up on one side.
#pragma once

#include "orders/local_time.hpp"
#include "orders/order_model.hpp"
#include "store/order_store.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace erp::emag {

struct SortedOrders {
    std::vector<ValidOrder> valid;
    std::vector<QuarantinedOrder> invalid;
};

// `page` is order/read's `results` (an array; anything else is one invalid
// entry, so even a malformed page is kept). By value: a caller done with the
// page moves it in and its orders are typed without being copied.
SortedOrders sort_orders(const std::string& account, nlohmann::json page, const TimeZone& zone);

// The rows of a parsed, valid order.
ValidOrder to_rows(const std::string& account, const Order& order);

// The host-callable validator `emag.order`: the problems of one order given
// as JSON text, as the JSON array erp_validator_def expects ("[]" = valid).
// Throws std::invalid_argument (with the byte position) when the text is not
// JSON. Times are judged for shape only (UTC reading).
std::string order_problems_json(std::string_view json_text);

// The quarantine key: the order id as text, or "payload:<16 hex digits>"
// (FNV-1a of the JSON text) when it has no usable id, so the same broken
// payload read twice is one entry.
std::string quarantine_key(const nlohmann::json& raw);

} // namespace erp::emag
