// The rules an eMAG order must meet before it is stored as an order
// (DESIGN.md §5.2; registered with the host as validator `emag.order`):
//   id present, a whole number 1..4294967295
//   status 0..5; payment_mode_id 1..3
//   products a non-empty list; each line with an id, quantity > 0, a
//   sale_price (exact decimal, at most 4 places) and status 0 or 1.
// Every broken rule is reported (not only the first), each naming its
// field, so quarantine shows the admin everything that is wrong at once.
// Works on the raw JSON, so an order too broken to type is still judged.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace erp::emag {

struct FieldProblem {
    std::string field;            // "status", "products[2].quantity", "(order)"
    std::string message;          // "must be between 0 and 5, got 9"
    std::string code = "invalid"; // "missing", "invalid", "out_of_range", "empty"
};

std::vector<FieldProblem> validate_order(const nlohmann::json& order);

// A value as problem messages quote it: its JSON, cut to 40 characters.
std::string shown_value(const nlohmann::json& v);

// [{"field", "code", "message"}, ...]: how problems are stored and shown,
// and what the host's validator API expects (erp_validator_def).
nlohmann::json problems_json(const std::vector<FieldProblem>& problems);

} // namespace erp::emag
