#include "core/offer_store.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/api_params.hpp"

namespace emag::sandbox {

namespace {

using json = nlohmann::json;
constexpr std::size_t kMaxEntities = 50;

struct OfferQuery {
    std::optional<int64_t> id, status, general_stock, estimated_stock, offer_validation_status, validation_status,
        translation_validation_status;
    std::optional<std::string> part_number, part_number_key;

    bool matches(const Offer& o) const {
        auto eq = [](const std::optional<int64_t>& f, int64_t v) { return !f || *f == v; };
        return eq(id, static_cast<int64_t>(o.id)) && eq(status, o.status) && eq(general_stock, o.general_stock()) &&
               eq(estimated_stock, std::max<int64_t>(0, o.general_stock() - o.reserved)) &&
               eq(offer_validation_status, o.offer_validation_status) && eq(validation_status, o.validation_status) &&
               eq(translation_validation_status, o.translation_validation_status) &&
               (!part_number || *part_number == o.part_number) &&
               (!part_number_key || *part_number_key == o.part_number_key);
    }
};

std::optional<std::string> parse_query(const json& data, OfferQuery& q) {
    if (!data.is_null() && !data.is_object() && !(data.is_array() && data.empty()))
        return "data must be an object of filters";
    for (auto [key, field] : {std::pair{"id", &q.id},
                              {"status", &q.status},
                              {"general_stock", &q.general_stock},
                              {"estimated_stock", &q.estimated_stock},
                              {"offer_validation_status", &q.offer_validation_status},
                              {"validation_status", &q.validation_status},
                              {"translation_validation_status", &q.translation_validation_status}}) {
        if (const auto* p = find_param(data, key)) {
            const auto v = as_int(*p);
            if (!v || *v < 0)
                return std::string(key) + " must be a non-negative integer";
            *field = *v;
        }
    }
    for (auto [key, field] : {std::pair{"part_number", &q.part_number}, {"part_number_key", &q.part_number_key}}) {
        if (const auto* p = find_param(data, key)) {
            if (!p->is_string())
                return std::string(key) + " must be a string";
            *field = p->get<std::string>();
        }
    }
    return std::nullopt;
}

std::size_t utf8_length(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// stock / handling_time: [{warehouse_id, value}] (an object with numeric keys
// from form encoding works too); a bare integer means warehouse 1.
std::optional<std::vector<WarehouseValue>> parse_warehouses(const json& v, int64_t max) {
    std::vector<WarehouseValue> out;
    if (const auto single = as_int(v)) {
        if (*single < 0 || *single > max)
            return std::nullopt;
        out.push_back({1, static_cast<int32_t>(*single)});
        return out;
    }
    const auto list = as_entity_list(v);
    if (!list)
        return std::nullopt;
    for (const auto& item : *list) {
        const auto* w = find_param(item, "warehouse_id");
        const auto* val = find_param(item, "value");
        const int64_t wi = w ? int_param(w) : 1;
        const int64_t vi = int_param(val);
        if (wi < 1 || wi > 65535 || vi < 0 || vi > max)
            return std::nullopt;
        out.push_back({static_cast<uint32_t>(wi), static_cast<int32_t>(vi)});
    }
    return out;
}

std::string strip_part_number(std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == ',' || c == ';'; }), s.end());
    return s;
}

// Applies the offer fields present in `e` to `o` (a copy), collecting errors.
// Shared by product_offer/save and the light offer/save.
void apply_fields(const json& e, Offer& o, const PlatformInfo& platform, bool light, std::vector<std::string>& errors) {
    const std::string pre = "Offer " + std::to_string(o.id) + ": ";
    auto money_field = [&](const char* key, Money& target, bool positive) {
        if (const auto* p = find_param(e, key)) {
            const auto m = money_from_json(*p);
            if (!m || *m < 0 || (positive && *m == 0))
                errors.push_back(pre + key + " must be a " + (positive ? "positive" : "non-negative") +
                                 " number with at most 4 decimals");
            else
                target = *m;
        }
    };
    money_field("sale_price", o.sale_price, true);
    money_field("recommended_price", o.recommended_price, false);
    money_field("min_sale_price", o.min_sale_price, true);
    money_field("max_sale_price", o.max_sale_price, true);
    if (const auto* p = find_param(e, "status")) {
        const auto v = as_int(*p);
        if (!v || *v < 0 || *v > 2)
            errors.push_back(pre + "status must be 0, 1 or 2");
        else
            o.status = static_cast<int32_t>(*v);
    }
    if (const auto* p = find_param(e, "vat_id")) {
        const auto v = as_int(*p);
        if (!v || !find_vat(platform, *v))
            errors.push_back(pre + "vat_id is not a valid VAT rate id (see vat/read)");
        else
            o.vat_id = static_cast<int32_t>(*v);
    }
    if (const auto* p = find_param(e, "stock")) {
        if (auto w = parse_warehouses(*p, 65535))
            o.stock = *w;
        else
            errors.push_back(pre + "stock must be a list of {warehouse_id, value} with value between 0 and 65535");
    }
    if (const auto* p = find_param(e, "handling_time")) {
        if (auto w = parse_warehouses(*p, 255))
            o.handling_time = *w;
        else
            errors.push_back(pre +
                             "handling_time must be a list of {warehouse_id, value} with value between 0 and 255");
    }
    if (const auto* p = find_param(e, "currency_type")) {
        if (!p->is_string() || (*p != "EUR" && *p != "PLN"))
            errors.push_back(pre + "currency_type must be EUR or PLN");
        else
            o.currency = p->get<std::string>();
    }
    if (light)
        return; // the light API cannot touch product data
    for (auto [key, field, max] : {std::tuple{"name", &o.name, std::size_t{255}},
                                   {"brand", &o.brand, std::size_t{255}},
                                   {"description", &o.description, std::size_t{16777215}},
                                   {"url", &o.url, std::size_t{1024}},
                                   {"safety_information", &o.safety_information, std::size_t{16777215}}}) {
        if (const auto* p = find_param(e, key)) {
            if (!p->is_string() || p->get_ref<const std::string&>().empty() ||
                utf8_length(p->get_ref<const std::string&>()) > max)
                errors.push_back(pre + key + " must be a text of 1 to " + std::to_string(max) + " characters");
            else
                *field = p->get<std::string>();
        }
    }
    if (const auto* p = find_param(e, "part_number")) {
        const std::string pn = p->is_string() ? strip_part_number(p->get<std::string>()) : "";
        if (pn.empty() || pn.size() > 25)
            errors.push_back(pre + "part_number must have 1 to 25 characters");
        else
            o.part_number = pn;
    }
    for (auto [key, field, max] : {std::tuple{"category_id", &o.category_id, int64_t{65535}},
                                   {"vendor_category_id", &o.vendor_category_id, int64_t{4294967295}}}) {
        if (const auto* p = find_param(e, key)) {
            const auto v = as_int(*p);
            if (!v || *v < 1 || *v > max)
                errors.push_back(pre + key + " must be an integer between 1 and " + std::to_string(max));
            else
                *field = static_cast<uint32_t>(*v);
        }
    }
    if (const auto* p = find_param(e, "warranty")) {
        const auto v = as_int(*p);
        if (!v || *v < 0 || *v > 255)
            errors.push_back(pre + "warranty must be between 0 and 255 months");
        else
            o.warranty = static_cast<int32_t>(*v);
    }
    if (const auto* p = find_param(e, "ean")) {
        std::vector<std::string> eans;
        const auto list = p->is_string() ? std::optional(std::vector<json>{*p}) : as_entity_list(*p);
        bool valid = list.has_value();
        for (const auto& item : list.value_or(std::vector<json>{})) {
            const std::string s = item.is_string()            ? item.get<std::string>()
                                  : item.is_number_unsigned() ? item.dump()
                                                              : "";
            valid = valid && s.size() >= 6 && s.size() <= 14 &&
                    std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
            eans.push_back(s);
        }
        if (!valid)
            errors.push_back(pre + "ean must be a list of 6 to 14 digit codes");
        else
            o.ean = eans;
    }
}

// Cross-field price rules, after all fields were applied.
void check_prices(const Offer& o, std::vector<std::string>& errors) {
    const std::string pre = "Offer " + std::to_string(o.id) + ": ";
    if (o.max_sale_price <= o.min_sale_price)
        errors.push_back(pre + "max_sale_price must be greater than min_sale_price");
    else if (o.sale_price < o.min_sale_price || o.sale_price > o.max_sale_price)
        errors.push_back(pre + "sale_price " + format_money(o.sale_price) + " is outside the allowed interval [" +
                         format_money(o.min_sale_price) + ", " + format_money(o.max_sale_price) + "]");
    if (o.recommended_price && o.recommended_price <= o.sale_price)
        errors.push_back(pre + "recommended_price must be greater than sale_price");
}

bool carries(const json& e, const char* key) {
    return find_param(e, key) != nullptr;
}

} // namespace

const char* offer_route_name(OfferRoute route) {
    switch (route) {
    case OfferRoute::LightSave:
        return "offer/save";
    case OfferRoute::ProductOfferSave:
        return "product_offer/save";
    case OfferRoute::OfferStock:
        return "offer_stock";
    }
    return "";
}

void OfferStore::record(const Offer& offer, OfferRoute route, bool sale_price, bool status, bool stock, bool vat_id) {
    OfferUpdate u;
    u.seq = next_seq_++;
    u.offer_id = offer.id;
    u.route = route;
    if (sale_price)
        u.sale_price = offer.sale_price;
    if (status)
        u.status = offer.status;
    if (stock)
        u.stock = offer.stock;
    if (vat_id)
        u.vat_id = offer.vat_id;
    updates_.push_back(std::move(u));
    while (updates_.size() > max_updates_) {
        updates_.pop_front();
        ++dropped_updates_;
    }
}

void OfferStore::set_max_updates(std::size_t max_updates) {
    max_updates_ = max_updates;
    while (updates_.size() > max_updates_) {
        updates_.pop_front();
        ++dropped_updates_;
    }
}

std::string OfferStore::updates_json(uint64_t since) const {
    json entries = json::array();
    // seqs are contiguous: skip straight to the first one after `since`.
    std::size_t first = 0;
    if (!updates_.empty() && since >= updates_.front().seq)
        first = static_cast<std::size_t>(std::min<uint64_t>(since - updates_.front().seq + 1, updates_.size()));
    for (std::size_t i = first; i < updates_.size(); ++i) {
        const OfferUpdate& u = updates_[i];
        json entry = {{"seq", u.seq}, {"id", u.offer_id}, {"route", offer_route_name(u.route)}};
        if (u.sale_price)
            entry["sale_price"] = format_money(*u.sale_price);
        if (u.status)
            entry["status"] = *u.status;
        if (u.stock) {
            json stock = json::array();
            for (const auto& w : *u.stock)
                stock.push_back({{"warehouse_id", w.warehouse_id}, {"value", w.value}});
            entry["stock"] = std::move(stock);
        }
        if (u.vat_id)
            entry["vat_id"] = *u.vat_id;
        entries.push_back(std::move(entry));
    }
    return json{{"next", next_seq_ - 1}, {"dropped", dropped_updates_}, {"entries", std::move(entries)}}.dump();
}

Offer* OfferStore::find(uint64_t id) {
    auto it = std::lower_bound(offers_.begin(), offers_.end(), id, [](const Offer& o, uint64_t v) { return o.id < v; });
    return it != offers_.end() && it->id == id ? &*it : nullptr;
}

ApiResult OfferStore::read(const json& data) const {
    OfferQuery q;
    Page page;
    if (auto err = parse_query(data, q))
        return error({*err});
    if (auto err = parse_page(data, page))
        return error({*err});
    const int64_t skip = (page.current - 1) * page.per_page;
    int64_t index = 0;
    json results = json::array();
    for (const auto& o : offers_) {
        if (!q.matches(o))
            continue;
        if (index >= skip && index < skip + page.per_page)
            results.push_back(render_offer(o, q.id.has_value())); // one product -> GPSR arrays
        ++index;
    }
    return ok(results.dump());
}

ApiResult OfferStore::count(const json& data) const {
    OfferQuery q;
    Page page;
    if (auto err = parse_query(data, q))
        return error({*err});
    if (auto err = parse_page(data, page))
        return error({*err});
    const int64_t n = std::count_if(offers_.begin(), offers_.end(), [&](const Offer& o) { return q.matches(o); });
    return ok(
        json{{"noOfItems", n}, {"noOfPages", (n + page.per_page - 1) / page.per_page}, {"itemsPerPage", page.per_page}}
            .dump());
}

ApiResult OfferStore::save(const json& data) {
    const auto entities = as_entity_list(data);
    if (!entities || entities->empty())
        return error({"data must be a list of offers"});
    if (entities->size() > kMaxEntities)
        return error({"Maximum " + std::to_string(kMaxEntities) + " entities per request exceeded (" +
                      std::to_string(entities->size()) + " sent)"});
    std::vector<std::string> errors;
    std::vector<Offer> staged;
    std::vector<const json*> staged_entities; // parallel to staged: what each request carried
    for (std::size_t i = 0; i < entities->size(); ++i) {
        const json& e = (*entities)[i];
        const auto* idp = find_param(e, "id");
        const auto id = idp ? as_int(*idp) : std::nullopt;
        if (!id || *id < 1 || *id > 16777215) {
            errors.push_back("Entity " + std::to_string(i) + ": id is required, an integer between 1 and 16777215");
            continue;
        }
        const Offer* existing = find(static_cast<uint64_t>(*id));
        for (const auto& s : staged)
            if (s.id == static_cast<uint64_t>(*id))
                errors.push_back("Offer " + std::to_string(*id) + ": sent twice in one request");
        const std::string pre = "Offer " + std::to_string(*id) + ": ";
        const bool attach = e.contains("part_number_key") || e.contains("ean");
        std::vector<const char*> mandatory = {"status", "sale_price", "vat_id", "stock"};
        if (existing) {
            mandatory.push_back("handling_time");
        } else {
            for (const char* k : {"name", "min_sale_price", "max_sale_price"})
                mandatory.push_back(k);
            if (!attach)
                for (const char* k : {"part_number", "brand", "category_id"})
                    mandatory.push_back(k);
        }
        std::string missing;
        for (const char* k : mandatory)
            if (!find_param(e, k))
                missing += (missing.empty() ? "" : ", ") + std::string(k);
        if (!missing.empty()) {
            errors.push_back(pre + "missing mandatory field(s): " + missing);
            continue;
        }
        Offer o;
        if (existing) {
            o = *existing;
        } else {
            o.id = static_cast<uint64_t>(*id);
            o.currency = std::string(platform_.currency);
            o.validation_status = o.translation_validation_status =
                attach ? 9 : 1; // new documentation awaits validation
            o.handling_time = {{1, 0}};
            o.image_url = "";
        }
        if (!existing && find_param(e, "status") && as_int(e["status"]) == std::optional<int64_t>(2))
            errors.push_back(pre + "status 2 (end of life) is only allowed on update");
        if (!existing && e.contains("part_number_key") && e.contains("ean"))
            errors.push_back(pre + "part_number_key and ean are mutually exclusive");
        const std::size_t before = errors.size();
        apply_fields(e, o, platform_, false, errors);
        if (const auto* p = find_param(e, "part_number_key")) {
            if (!p->is_string() || p->get_ref<const std::string&>().empty())
                errors.push_back(pre + "part_number_key must be a string");
            else if (existing && p->get_ref<const std::string&>() != existing->part_number_key)
                errors.push_back(pre + "part_number_key cannot be changed");
            else
                o.part_number_key = p->get<std::string>();
        }
        if (errors.size() == before)
            check_prices(o, errors);
        for (const auto& other : offers_) {
            if (other.id == o.id)
                continue;
            if (!o.part_number.empty() && other.part_number == o.part_number)
                errors.push_back(pre + "part_number " + o.part_number + " is already used by offer " +
                                 std::to_string(other.id));
            if (!existing && !o.part_number_key.empty() && other.part_number_key == o.part_number_key)
                errors.push_back(pre + "you already have an offer on product " + o.part_number_key + " (offer " +
                                 std::to_string(other.id) + "): update it instead");
        }
        staged.push_back(std::move(o));
        staged_entities.push_back(&e);
    }
    if (!errors.empty())
        return error(errors);
    for (std::size_t i = 0; i < staged.size(); ++i) {
        const json& e = *staged_entities[i];
        record(staged[i], OfferRoute::ProductOfferSave, carries(e, "sale_price"), carries(e, "status"),
               carries(e, "stock"), carries(e, "vat_id"));
        Offer& o = staged[i];
        if (Offer* existing = find(o.id)) {
            *existing = std::move(o);
        } else {
            auto it = std::lower_bound(offers_.begin(), offers_.end(), o.id,
                                       [](const Offer& x, uint64_t v) { return x.id < v; });
            offers_.insert(it, std::move(o));
        }
    }
    return ok("[]");
}

ApiResult OfferStore::light_save(const json& data) {
    const auto entities = as_entity_list(data);
    if (!entities || entities->empty())
        return error({"data must be a list of offers"});
    if (entities->size() > kMaxEntities)
        return error({"Maximum " + std::to_string(kMaxEntities) + " entities per request exceeded (" +
                      std::to_string(entities->size()) + " sent)"});
    json results = json::object();
    json top_errors = json::array();
    for (std::size_t i = 0; i < entities->size(); ++i) {
        const json& e = (*entities)[i];
        const auto* idp = find_param(e, "id");
        const auto id = idp ? as_int(*idp) : std::nullopt;
        if (!id || *id < 1) { // no key to report it under: top-level errors
            top_errors.push_back("Entity " + std::to_string(i) + ": id is required");
            continue;
        }
        const std::string key = std::to_string(*id);
        Offer* existing = find(static_cast<uint64_t>(*id));
        if (!existing) {
            results[key] = {{"isError", true}, {"messages", {"Offer " + key + " does not exist"}}};
            continue;
        }
        std::vector<std::string> errors;
        Offer o = *existing;
        apply_fields(e, o, platform_, true, errors);
        if (errors.empty())
            check_prices(o, errors);
        if (!errors.empty()) {
            results[key] = {{"isError", true}, {"messages", errors}};
            continue;
        }
        record(o, OfferRoute::LightSave, carries(e, "sale_price"), carries(e, "status"), carries(e, "stock"),
               carries(e, "vat_id"));
        *existing = std::move(o);
        results[key] = {{"isError", false}, {"messages", {"Offer " + key + " updated successfully"}}};
    }
    const json body{{"isError", false}, {"messages", json::array()}, {"errors", top_errors}, {"results", results}};
    return ApiResult{200, "application/json", body.dump(), {}};
}

ApiResult OfferStore::patch_stock(const std::string& id_text, const std::string& body) {
    auto plain = [](unsigned status, const json& b) { return ApiResult{status, "application/json", b.dump(), {}}; };
    const auto id = as_int(json(id_text));
    if (!id || *id < 1 || *id > 16777215)
        return plain(404, {{"message", "Invalid URL"}});
    const json parsed = json::parse(body, nullptr, false);
    const auto* stock = parsed.is_object() ? find_param(parsed, "stock") : nullptr;
    const auto value = stock && stock->is_number() ? as_int(*stock) : std::nullopt;
    if (!value)
        return plain(400, {{"message", "Invalid content"}});
    Offer* o = find(static_cast<uint64_t>(*id));
    if (!o)
        return plain(404, {{"message", "This offer does not exist"}});
    if (*value < 0 || *value > 65535)
        return plain(400, {{"message", "Validation errors in your request"},
                           {"errors", {{{"message", "Stock must be between 0 and 65535"}, {"field", "stock"}}}}});
    // {"stock": N} sets warehouse 1 (the single-warehouse case the doc shows).
    auto it =
        std::find_if(o->stock.begin(), o->stock.end(), [](const WarehouseValue& w) { return w.warehouse_id == 1; });
    if (it == o->stock.end())
        o->stock.insert(o->stock.begin(), {1, static_cast<int32_t>(*value)});
    else
        it->value = static_cast<int32_t>(*value);
    record(*o, OfferRoute::OfferStock, false, false, true, false);
    return ApiResult{204, "", "", {}};
}

ApiResult OfferStore::vat_read() const {
    json results = json::array();
    for (const auto& v : platform_.vat)
        results.push_back({{"vat_id", v.id}, {"vat_rate", format_money(v.rate)}, {"is_default", v.is_default ? 1 : 0}});
    return ok(results.dump());
}

std::string OfferStore::all_json() const {
    json all = json::array();
    for (const auto& o : offers_)
        all.push_back(render_offer(o, false));
    return all.dump();
}

} // namespace emag::sandbox
