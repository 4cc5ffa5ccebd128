#include "offers/offer_model.hpp"

#include <climits>
#include <stdexcept>
#include <utility>

namespace erp::emag {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxOfferId = 4294967295ULL;

std::string got(const char* what, const json& v) {
    std::string m(what);
    m += ", got ";
    m += shown_value(v);
    return m;
}

std::string must_be(const char* what, const json& v) {
    return std::string("must be ") + what + ", got " + v.type_name();
}

// The value at obj[key]; nullptr when absent or null (both "no value").
const json* find_key(const json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::string indexed(const std::string& field, std::size_t i) {
    return field + '[' + std::to_string(i) + ']';
}

// Reads the keys of one offer (a flat object: only stock, handling_time,
// ean and the validation statuses nest) and records the problems.
class Reader {
  public:
    Reader(const json& offer, std::vector<FieldProblem>& out) : j_(offer), out_(out) {}

    const json* find(const char* key) const { return find_key(j_, key); }

    void problem(std::string field, std::string message, const char* code = "invalid") {
        out_.push_back({std::move(field), std::move(message), code});
    }

    // Converters for a present, non-null value named `field`: nullopt and a
    // problem when it does not type.
    std::optional<std::int64_t> i64(const json& v, const std::string& field) {
        std::optional<std::int64_t> n = int_from_json(v);
        if (!n)
            problem(field, got("must be a whole number", v));
        return n;
    }

    std::optional<int> i32(const json& v, const std::string& field) {
        const std::optional<std::int64_t> n = i64(v, field);
        if (!n)
            return std::nullopt;
        if (*n < INT_MIN || *n > INT_MAX) {
            problem(field, got("is out of range", v));
            return std::nullopt;
        }
        return static_cast<int>(*n);
    }

    // The same, for a top-level key.
    std::string str(const char* key) {
        const json* v = find(key);
        if (!v)
            return {};
        if (std::optional<std::string> text = text_from_json(*v))
            return std::move(*text);
        problem(key, got("must be a text", *v));
        return {};
    }

    std::optional<std::int64_t> i64(const char* key) {
        const json* v = find(key);
        return v ? i64(*v, key) : std::nullopt;
    }

    std::optional<int> i32(const char* key) {
        const json* v = find(key);
        return v ? i32(*v, key) : std::nullopt;
    }

    std::optional<Decimal4> money(const char* key) {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        std::optional<Decimal4> d = Decimal4::from_json(*v);
        if (!d)
            problem(key, got("must be a decimal with at most 4 places", *v));
        return d;
    }

    // The list at key, or nullptr (a problem when present but not a list).
    const json* list(const char* key) {
        const json* v = find(key);
        if (v && !v->is_array()) {
            problem(key, must_be("a list", *v));
            return nullptr;
        }
        return v;
    }

    // ean: texts, JSON integers as their digits.
    std::vector<std::string> texts(const char* key) {
        std::vector<std::string> out;
        const json* v = list(key);
        if (!v)
            return out;
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& e = (*v)[i];
            if (e.is_string())
                out.push_back(e.get<std::string>());
            else if (e.is_number_integer())
                out.push_back(e.dump());
            else
                problem(indexed(key, i), got("must be a text", e));
        }
        return out;
    }

    // [{"warehouse_id": 1, "value": 50}, ...]; incomplete elements left out.
    // `counts_units`: a negative value breaks the stock rule (reported here,
    // where the element's index in the raw list is known).
    std::vector<WarehouseValue> warehouses(const char* key, bool counts_units) {
        std::vector<WarehouseValue> out;
        const json* v = list(key);
        if (!v)
            return out;
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& e = (*v)[i];
            const std::string at = indexed(key, i);
            if (!e.is_object()) {
                problem(at, must_be("an object", e));
                continue;
            }
            const std::optional<std::int64_t> warehouse = required_i64(e, "warehouse_id", at);
            const std::optional<std::int64_t> value = required_i64(e, "value", at);
            if (counts_units && value && *value < 0)
                problem(at + ".value", "must not be negative, got " + std::to_string(*value), "out_of_range");
            if (warehouse && value)
                out.push_back({*warehouse, *value});
        }
        return out;
    }

    // A validation status: 9, "9", {"value": 9, ...} or [{"value": 9, ...}].
    std::optional<int> status_value(const char* key) {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        std::string field = key;
        if (v->is_array()) {
            if (v->empty())
                return std::nullopt;
            field += "[0]";
            v = &v->front();
            if (!v->is_object()) {
                problem(field, must_be("an object", *v));
                return std::nullopt;
            }
        }
        if (v->is_object()) {
            const json* value = find_key(*v, "value");
            return value ? i32(*value, field + ".value") : std::nullopt;
        }
        if (v->is_number() || v->is_string())
            return i32(*v, field);
        problem(field, got("must be a status code, {\"value\": code} or a list of those", *v));
        return std::nullopt;
    }

  private:
    std::optional<std::int64_t> required_i64(const json& obj, const char* key, const std::string& at) {
        std::string field = at + '.' + key;
        const json* v = find_key(obj, key);
        if (!v) {
            problem(std::move(field), "is missing", "missing");
            return std::nullopt;
        }
        return i64(*v, field);
    }

    const json& j_;
    std::vector<FieldProblem>& out_;
};

// The seller's offer id, 1..4294967295; nullopt (and a problem) otherwise.
std::optional<std::int64_t> read_id(Reader& r) {
    const json* v = r.find("id");
    if (!v) {
        r.problem("id", "is missing", "missing");
        return std::nullopt;
    }
    const std::optional<std::uint64_t> id = uint_from_json(*v, kMaxOfferId);
    if (id && *id != 0)
        return static_cast<std::int64_t>(*id);
    if (uint_from_json(*v) || int_from_json(*v))
        r.problem("id", got("must be between 1 and 4294967295", *v), "out_of_range");
    else
        r.problem("id", got("must be a whole number", *v));
    return std::nullopt;
}

void read_offer(Reader& r, Offer& o) {
    o.part_number = r.str("part_number");
    o.part_number_key = r.str("part_number_key");
    o.name = r.str("name");
    o.brand = r.str("brand");
    o.currency = r.str("currency");
    o.ean = r.texts("ean");
    o.status = r.i32("status");
    o.sale_price = r.money("sale_price");
    o.recommended_price = r.money("recommended_price");
    o.min_sale_price = r.money("min_sale_price");
    o.max_sale_price = r.money("max_sale_price");
    o.best_offer_sale_price = r.money("best_offer_sale_price");
    o.best_offer_recommended_price = r.money("best_offer_recommended_price");
    o.vat_id = r.i32("vat_id");
    o.category_id = r.i64("category_id");
    o.warranty = r.i64("warranty");
    o.stock = r.warehouses("stock", true);
    o.handling_time = r.warehouses("handling_time", false);
    o.general_stock = r.i64("general_stock");
    o.estimated_stock = r.i64("estimated_stock");
    o.validation_status = r.status_value("validation_status");
    o.translation_validation_status = r.status_value("translation_validation_status");
    o.offer_validation_status = r.status_value("offer_validation_status");
    o.buy_button_rank = r.i32("buy_button_rank");
    o.number_of_offers = r.i32("number_of_offers");
    o.ownership = r.i32("ownership");
}

// The rules on values that did type (typing problems are not repeated); the
// stock rule is checked by Reader::warehouses.
void check_rules(Reader& r, const Offer& o) {
    if (o.status && (*o.status < 0 || *o.status > 2))
        r.problem("status", "must be between 0 and 2, got " + std::to_string(*o.status), "out_of_range");
    if (o.sale_price && o.sale_price->units < 0)
        r.problem("sale_price", "must not be negative, got " + o.sale_price->to_string(), "out_of_range");
}

} // namespace

std::int64_t Offer::stock_total() const {
    std::int64_t total = 0;
    for (const WarehouseValue& w : stock) {
        if (__builtin_add_overflow(total, w.value, &total))
            throw std::overflow_error("stock total out of range");
    }
    return total;
}

OfferParse parse_offer(json j) {
    OfferParse result;
    if (!j.is_object()) {
        result.problems.push_back({"(offer)", std::string("must be a JSON object, got ") + j.type_name()});
        result.raw = std::move(j);
        return result;
    }

    Offer offer;
    offer.raw = std::move(j);
    Reader reader(offer.raw, result.problems);
    const std::optional<std::int64_t> id = read_id(reader);
    read_offer(reader, offer);
    check_rules(reader, offer);
    if (!id) {
        result.raw = std::move(offer.raw);
        return result;
    }
    offer.id = *id;
    result.offer = std::move(offer);
    return result;
}

} // namespace erp::emag
