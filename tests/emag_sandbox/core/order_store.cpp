#include "core/order_store.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/api_params.hpp"
#include "core/json_writer.hpp"

namespace emag::sandbox {

namespace {

constexpr int64_t kMaxWindow = 31 * 86400; // "max 1 month span": the longest month

bool contains(const std::vector<int64_t>& list, int64_t v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

std::optional<std::string> parse_time(const nlohmann::json& data, const char* key, Zone zone,
                                      std::optional<int64_t>& out) {
    const auto* p = find_param(data, key);
    if (!p)
        return std::nullopt;
    if (!p->is_string())
        return std::string(key) + " must be a date formatted as YYYY-mm-dd HH:ii:ss";
    out = parse_local(zone, p->get_ref<const std::string&>());
    if (!out)
        return std::string(key) + " must be a date formatted as YYYY-mm-dd HH:ii:ss";
    return std::nullopt;
}

std::optional<std::string> check_window(const char* after_key, const char* before_key,
                                        const std::optional<int64_t>& after, const std::optional<int64_t>& before,
                                        bool for_count) {
    if (before && !after)
        return std::string(before_key) + " requires " + after_key;
    if (after && !before && for_count)
        return std::string(after_key) + " requires " + before_key + " on order/count";
    if (after && before && *before - *after > kMaxWindow)
        return std::string("The interval between ") + after_key + " and " + before_key + " must not exceed one month";
    return std::nullopt;
}

} // namespace

bool OrderQuery::matches(const OrderKey& o) const {
    if (type && o.type != type)
        return false;
    if (id && o.id != static_cast<uint64_t>(*id))
        return false;
    if (!contains(statuses, o.status) || !contains(payment_modes, o.payment_mode_id))
        return false;
    if (is_complete && o.is_complete != *is_complete)
        return false;
    if ((created_after && o.date < *created_after) || (created_before && o.date > *created_before))
        return false;
    if ((modified_after && o.modified < *modified_after) || (modified_before && o.modified > *modified_before))
        return false;
    return true;
}

std::optional<std::string> parse_order_query(const nlohmann::json& data, Zone zone, bool for_count, OrderQuery& q) {
    if (!data.is_null() && !data.is_object() && !(data.is_array() && data.empty()))
        return std::string("data must be an object of filters");
    if (const auto* p = find_param(data, "id")) {
        const auto v = as_int(*p);
        if (!v || *v < 1 || *v > 4294967295LL)
            return std::string("id must be an integer between 1 and 4294967295");
        q.id = *v;
    }
    if (const auto* p = find_param(data, "status")) {
        const auto v = as_int_list(*p);
        if (!v)
            return std::string("status must be an integer or a list of integers");
        q.statuses = *v;
    }
    // The count table spells it "payment_mode_ id" (typo): accept both.
    const auto* pm = find_param(data, "payment_mode_id");
    if (!pm)
        pm = find_param(data, "payment_mode_ id");
    if (pm) {
        const auto v = as_int_list(*pm);
        if (!v)
            return std::string("payment_mode_id must be an integer or a list of integers");
        q.payment_modes = *v;
    }
    if (const auto* p = find_param(data, "type")) {
        const auto v = as_int(*p);
        if (!v || (*v != 2 && *v != 3))
            return std::string("type must be 2 (fulfilled by eMAG) or 3 (fulfilled by seller)");
        q.type = *v;
    }
    if (const auto* p = find_param(data, "is_complete")) {
        const auto v = as_int(*p);
        if (!v || (*v != 0 && *v != 1))
            return std::string("is_complete must be 0 or 1");
        q.is_complete = *v;
    }
    for (auto err : {parse_time(data, "createdAfter", zone, q.created_after),
                     parse_time(data, "createdBefore", zone, q.created_before),
                     parse_time(data, "modifiedAfter", zone, q.modified_after),
                     parse_time(data, "modifiedBefore", zone, q.modified_before)})
        if (err)
            return err;
    if (auto err = check_window("createdAfter", "createdBefore", q.created_after, q.created_before, for_count))
        return err;
    return check_window("modifiedAfter", "modifiedBefore", q.modified_after, q.modified_before, for_count);
}

std::optional<std::size_t> OrderStore::index_of(uint64_t id) const {
    auto it = std::lower_bound(orders_.begin(), orders_.end(), id, [](const Order& o, uint64_t v) { return o.id < v; });
    if (it == orders_.end() || it->id != id)
        return std::nullopt;
    return static_cast<std::size_t>(it - orders_.begin());
}

Order* OrderStore::find(uint64_t id) {
    const auto i = index_of(id);
    if (!i)
        return nullptr;
    dirty_.push_back(*i); // the caller may change it
    return &orders_[*i];
}

const Order* OrderStore::find(uint64_t id) const {
    const auto i = index_of(id);
    return i ? &orders_[*i] : nullptr;
}

void OrderStore::refresh_keys() const {
    if (all_dirty_) {
        keys_.clear();
        keys_.reserve(orders_.size());
        for (const auto& o : orders_)
            keys_.push_back(OrderKey::of(o));
    } else {
        for (std::size_t i : dirty_)
            keys_[i] = OrderKey::of(orders_[i]);
    }
    all_dirty_ = false;
    dirty_.clear();
}

template <class F>
void OrderStore::for_each_match(const OrderQuery& q, F&& f) const {
    refresh_keys();
    if (q.id) { // one binary search instead of a scan
        const auto i = index_of(static_cast<uint64_t>(*q.id));
        if (i && q.matches(keys_[*i]))
            f(orders_[*i]);
        return;
    }
    for (std::size_t i = 0; i < keys_.size(); ++i)
        if (q.matches(keys_[i]) && !f(orders_[i]))
            return;
}

ApiResult OrderStore::read(const nlohmann::json& data) const {
    OrderQuery q;
    Page page;
    if (auto err = parse_order_query(data, zone_, false, q))
        return error({*err});
    if (auto err = parse_page(data, page))
        return error({*err});
    const int64_t skip = (page.current - 1) * page.per_page;
    int64_t index = 0;
    std::string results;
    results.reserve(static_cast<std::size_t>(page.per_page) * 3000);
    JsonWriter w(results);
    w.begin_array();
    // Ascending id, the order eMAG's ids are issued in (so a page never
    // reorders; it shifts only when orders enter or leave the filter).
    for_each_match(q, [&](const Order& o) {
        if (index >= skip)
            render_order(o, zone_, w);
        return ++index < skip + page.per_page; // no total needed: stop after the page
    });
    w.end_array();
    return ok(results);
}

ApiResult OrderStore::count(const nlohmann::json& data) const {
    OrderQuery q;
    Page page;
    if (auto err = parse_order_query(data, zone_, true, q))
        return error({*err});
    if (auto err = parse_page(data, page))
        return error({*err});
    int64_t n = 0;
    for_each_match(q, [&](const Order&) { return ++n > 0; });
    const int64_t pages = (n + page.per_page - 1) / page.per_page;
    return ok(nlohmann::json{{"noOfItems", n}, {"noOfPages", pages}, {"itemsPerPage", page.per_page}}.dump());
}

std::string OrderStore::all_json() const {
    std::string out;
    out.reserve(orders_.size() * 3000);
    JsonWriter w(out);
    w.begin_array();
    for (const auto& o : orders_)
        render_order(o, zone_, w);
    w.end_array();
    return out;
}

} // namespace emag::sandbox
