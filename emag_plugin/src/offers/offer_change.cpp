#include "offers/offer_change.hpp"

#include <stdexcept>

namespace erp::emag {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxStock = 65535; // offer_stock's limit (§8.4)

std::string got(const char* what, const json& v) {
    std::string m(what);
    m += ", got ";
    m += shown_value(v);
    return m;
}

} // namespace

const char* kind_name(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::price:
        return "price";
    case ChangeKind::stock:
        return "stock";
    case ChangeKind::status:
        return "status";
    }
    return "price";
}

std::optional<ChangeKind> parse_kind(std::string_view name) {
    if (name == "price")
        return ChangeKind::price;
    if (name == "stock")
        return ChangeKind::stock;
    if (name == "status")
        return ChangeKind::status;
    return std::nullopt;
}

json OfferChange::value_json() const {
    json v = json::object();
    switch (kind) {
    case ChangeKind::price:
        if (sale_price)
            v["sale_price"] = sale_price->to_string();
        if (vat_id)
            v["vat_id"] = *vat_id;
        break;
    case ChangeKind::stock: {
        json list = json::array();
        for (const WarehouseStock& w : stock)
            list.push_back({{"warehouse_id", w.warehouse_id}, {"value", w.value}});
        v["stock"] = std::move(list);
        break;
    }
    case ChangeKind::status:
        if (status)
            v["status"] = *status;
        break;
    }
    return v;
}

ChangeParse parse_change(const json& body, std::optional<ChangeKind> kind) {
    ChangeParse out;
    auto& problems = out.problems;
    if (!body.is_object()) {
        problems.push_back({"(change)", got("must be a JSON object", body)});
        return out;
    }
    OfferChange c;
    if (!kind) {
        const auto k = body.find("kind");
        if (k == body.end() || !k->is_string()) {
            problems.push_back({"kind", "must be \"price\", \"stock\" or \"status\"", "missing"});
            return out;
        }
        kind = parse_kind(k->get<std::string>());
        if (!kind) {
            problems.push_back({"kind", got("must be \"price\", \"stock\" or \"status\"", *k)});
            return out;
        }
    }
    c.kind = *kind;
    if (const auto a = body.find("account"); a != body.end()) {
        if (a->is_string())
            c.account = a->get<std::string>();
        else
            problems.push_back({"account", got("must be a text", *a)});
    }
    if (const auto id = body.find("offer_id"); id != body.end()) {
        const auto v = uint_from_json(*id, 4294967295ULL);
        if (v && *v > 0)
            c.offer_id = static_cast<std::int64_t>(*v);
        else
            problems.push_back({"offer_id", got("must be a whole number 1..4294967295", *id)});
    }
    const auto field = [&](const char* key) -> const json* {
        const auto it = body.find(key);
        return it == body.end() || it->is_null() ? nullptr : &*it;
    };
    switch (c.kind) {
    case ChangeKind::price: {
        const json* p = field("sale_price");
        if (!p) {
            problems.push_back({"sale_price", "is required", "missing"});
        } else if (auto d = Decimal4::from_json(*p)) {
            c.sale_price = d;
        } else {
            problems.push_back({"sale_price", got("must be a decimal with at most 4 places", *p)});
        }
        if (const json* v = field("vat_id")) {
            if (auto n = int_from_json_in(*v, 1, 1000000))
                c.vat_id = static_cast<int>(*n);
            else
                problems.push_back({"vat_id", got("must be a whole number >= 1", *v)});
        }
        break;
    }
    case ChangeKind::stock: {
        const json* s = field("stock");
        if (!s) {
            problems.push_back({"stock", "is required", "missing"});
        } else if (s->is_array()) {
            for (std::size_t i = 0; i < s->size(); ++i) {
                const json& e = (*s)[i];
                const std::string at = "stock[" + std::to_string(i) + "]";
                if (!e.is_object()) {
                    problems.push_back({at, got("must be {\"warehouse_id\", \"value\"}", e)});
                    continue;
                }
                const auto w = int_from_json(e.value("warehouse_id", json()));
                const auto v = int_from_json(e.value("value", json()));
                if (!w)
                    problems.push_back(
                        {at + ".warehouse_id", got("must be a whole number", e.value("warehouse_id", json()))});
                if (!v)
                    problems.push_back({at + ".value", got("must be a whole number", e.value("value", json()))});
                if (w && v)
                    c.stock.push_back({*w, *v});
            }
            if (s->empty())
                problems.push_back({"stock", "must name at least one warehouse", "empty"});
        } else if (auto v = int_from_json(*s)) {
            c.stock.push_back({1, *v});
        } else {
            problems.push_back({"stock", got("must be a whole number or a list of {warehouse_id, value}", *s)});
        }
        break;
    }
    case ChangeKind::status: {
        const json* s = field("status");
        if (!s) {
            problems.push_back({"status", "is required", "missing"});
        } else if (auto v = int_from_json(*s); v && *v >= INT32_MIN && *v <= INT32_MAX) {
            c.status = static_cast<int>(*v);
        } else {
            problems.push_back({"status", got("must be a whole number", *s)});
        }
        break;
    }
    }
    if (problems.empty())
        out.change = std::move(c);
    return out;
}

std::vector<FieldProblem> validate_change(const OfferChange& c, const OfferFacts& facts) {
    std::vector<FieldProblem> p;
    if (c.offer_id <= 0) {
        p.push_back({"offer_id", "is required", "missing"});
    } else if (!facts.offer_known) {
        p.push_back({"offer_id",
                     "offer " + std::to_string(c.offer_id) +
                         " is not among the account's offers (emag_offers): the light offer API only updates "
                         "existing offers; run emag.offers.sync if it is new",
                     "unknown"});
    }
    switch (c.kind) {
    case ChangeKind::price:
        if (!c.sale_price) {
            p.push_back({"sale_price", "is required", "missing"});
            break;
        }
        if (c.sale_price->units <= 0) {
            p.push_back({"sale_price", "must be greater than 0, got " + c.sale_price->to_string(), "out_of_range"});
        }
        if (facts.min_sale_price && facts.min_sale_price->units > 0 && *c.sale_price < *facts.min_sale_price) {
            p.push_back({"sale_price",
                         "is below the offer's min_sale_price " + facts.min_sale_price->to_string() + ", got " +
                             c.sale_price->to_string(),
                         "out_of_range"});
        }
        if (facts.max_sale_price && facts.max_sale_price->units > 0 && *c.sale_price > *facts.max_sale_price) {
            p.push_back({"sale_price",
                         "is above the offer's max_sale_price " + facts.max_sale_price->to_string() + ", got " +
                             c.sale_price->to_string(),
                         "out_of_range"});
        }
        if (facts.recommended_price && facts.recommended_price->units > 0 &&
            *c.sale_price >= *facts.recommended_price) {
            p.push_back({"sale_price",
                         "must be below the offer's recommended_price " + facts.recommended_price->to_string() +
                             " (eMAG shows that as the price before the discount), got " + c.sale_price->to_string(),
                         "out_of_range"});
        }
        if (c.vat_id && !facts.vat_ids.empty() && facts.vat_ids.count(*c.vat_id) == 0) {
            std::string known;
            for (int v : facts.vat_ids)
                known += (known.empty() ? "" : ", ") + std::to_string(v);
            p.push_back({"vat_id",
                         "is not one of the account's VAT ids (" + known + "), got " + std::to_string(*c.vat_id),
                         "unknown"});
        }
        break;
    case ChangeKind::stock:
        if (c.stock.empty())
            p.push_back({"stock", "is required", "missing"});
        for (std::size_t i = 0; i < c.stock.size(); ++i) {
            const std::string at = "stock[" + std::to_string(i) + "]";
            if (c.stock[i].warehouse_id < 1)
                p.push_back({at + ".warehouse_id", "must be >= 1, got " + std::to_string(c.stock[i].warehouse_id),
                             "out_of_range"});
            if (c.stock[i].value < 0 || c.stock[i].value > kMaxStock)
                p.push_back({at + ".value", "must be between 0 and 65535, got " + std::to_string(c.stock[i].value),
                             "out_of_range"});
            for (std::size_t k = 0; k < i; ++k)
                if (c.stock[k].warehouse_id == c.stock[i].warehouse_id)
                    p.push_back({at + ".warehouse_id",
                                 "warehouse " + std::to_string(c.stock[i].warehouse_id) + " is listed twice"});
        }
        break;
    case ChangeKind::status:
        if (!c.status)
            p.push_back({"status", "is required", "missing"});
        else if (*c.status < 0 || *c.status > 2)
            p.push_back({"status",
                         "must be 0 (inactive), 1 (active) or 2 (end of life), got " + std::to_string(*c.status),
                         "out_of_range"});
        break;
    }
    return p;
}

std::string offer_change_problems_json(std::string_view json_text) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::parse_error& e) {
        throw std::invalid_argument("the change is not valid JSON (error near byte " + std::to_string(e.byte) + ")");
    }
    ChangeParse parsed = parse_change(j, std::nullopt);
    if (parsed.change) {
        OfferFacts facts;
        facts.offer_known = true; // no stored facts here: shape and ranges only
        for (FieldProblem& p : validate_change(*parsed.change, facts))
            parsed.problems.push_back(std::move(p));
    }
    return problems_json(parsed.problems).dump();
}

json offer_save_entity(std::int64_t offer_id, const std::vector<std::string>& value_jsons) {
    json e = {{"id", offer_id}};
    for (const std::string& v : value_jsons) {
        const json fields = json::parse(v, nullptr, false);
        if (!fields.is_object())
            continue; // values are written by value_json(): always objects
        for (const auto& [key, value] : fields.items())
            e[key] = value;
    }
    return e;
}

} // namespace erp::emag
