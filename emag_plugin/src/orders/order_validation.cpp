#include "orders/order_validation.hpp"

#include "orders/decimal.hpp"

#include <optional>

namespace erp::emag {
namespace {

using nlohmann::json;

// The integer at obj[key] in [min, max]; records a problem and returns
// nullopt when absent, not an integer, or out of range.
std::optional<std::int64_t> ranged(const json& obj, const char* key, std::int64_t min, std::int64_t max,
                                   const std::string& prefix, std::vector<FieldProblem>& out) {
    const std::string field = prefix + key;
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        out.push_back({field, "is missing", "missing"});
        return std::nullopt;
    }
    const std::optional<std::int64_t> v = int_from_json(*it);
    if (!v) {
        out.push_back({field, "must be a whole number, got " + shown_value(*it)});
        return std::nullopt;
    }
    if (*v < min || *v > max) {
        out.push_back(
            {field,
             "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(*v),
             "out_of_range"});
        return std::nullopt;
    }
    return v;
}

void validate_line(const json& line, const std::string& prefix, std::vector<FieldProblem>& out) {
    if (!line.is_object()) {
        out.push_back({prefix.substr(0, prefix.size() - 1), std::string("must be an object, got ") + line.type_name()});
        return;
    }
    ranged(line, "id", 1, INT64_MAX, prefix, out);
    ranged(line, "quantity", 1, INT32_MAX, prefix, out);
    ranged(line, "status", 0, 1, prefix, out);
    const auto price = line.find("sale_price");
    if (price == line.end() || price->is_null()) {
        out.push_back({prefix + "sale_price", "is missing", "missing"});
    } else if (!Decimal4::from_json(*price)) {
        out.push_back({prefix + "sale_price", "must be a decimal with at most 4 places, got " + shown_value(*price)});
    }
}

} // namespace

std::vector<FieldProblem> validate_order(const json& order) {
    std::vector<FieldProblem> out;
    if (!order.is_object()) {
        out.push_back({"(order)", std::string("must be a JSON object, got ") + order.type_name()});
        return out;
    }
    ranged(order, "id", 1, 4294967295LL, "", out);
    ranged(order, "status", 0, 5, "", out);
    ranged(order, "payment_mode_id", 1, 3, "", out);
    const auto products = order.find("products");
    if (products == order.end() || products->is_null()) {
        out.push_back({"products", "is missing", "missing"});
    } else if (!products->is_array()) {
        out.push_back({"products", std::string("must be a list, got ") + products->type_name()});
    } else if (products->empty()) {
        out.push_back({"products", "must not be empty", "empty"});
    } else {
        for (std::size_t i = 0; i < products->size(); ++i) {
            validate_line((*products)[i], "products[" + std::to_string(i) + "].", out);
        }
    }
    return out;
}

std::string shown_value(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) {
        s.resize(37);
        s += "...";
    }
    return s;
}

json problems_json(const std::vector<FieldProblem>& problems) {
    json out = json::array();
    for (const auto& p : problems) {
        out.push_back({{"field", p.field}, {"code", p.code}, {"message", p.message}});
    }
    return out;
}

} // namespace erp::emag
