// All orders of the account, by id, plus order/read and order/count.
//
// Orders live in one vector sorted by ascending id (new orders get ids above
// the max, so appending keeps it sorted): lookup by id is a binary search,
// filtered reads are one linear pass over compact structs (~1 ms for 200k).
// Pages are computed live on every request, never from a frozen snapshot: when
// orders change mid-pagination under a `modified` filter, pages shift, exactly
// as they do on eMAG; that is what the sandbox is for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/marketplace.hpp"
#include "core/order_model.hpp"

namespace emag::sandbox {

// The fields order/read filters on, packed (40 bytes) so a filtered scan of
// 200k orders walks 8 MB instead of the full structs.
struct OrderKey {
    uint64_t id;
    int64_t date, modified;
    int32_t status, payment_mode_id;
    int8_t type, is_complete;

    static OrderKey of(const Order& o) {
        return {o.id, o.date, o.modified, o.status, o.payment_mode_id, o.type, o.is_complete};
    }
};

struct OrderQuery {
    std::optional<int64_t> id;
    std::vector<int64_t> statuses;      // empty = any
    std::vector<int64_t> payment_modes; // empty = any
    int64_t type = 3;                   // 0 = any (internal use only)
    std::optional<int64_t> is_complete;
    std::optional<int64_t> created_after, created_before, modified_after, modified_before; // UTC, inclusive

    bool matches(const OrderKey& key) const;
};

// Reads the filters of order/read (for_count = false) or order/count from
// `data`. Returns an error message for a bad filter.
std::optional<std::string> parse_order_query(const nlohmann::json& data, Zone zone, bool for_count, OrderQuery& query);

class OrderStore {
  public:
    explicit OrderStore(Zone zone) : zone_(zone) {}

    void assign(std::vector<Order> orders) {
        orders_ = std::move(orders);
        all_dirty_ = true;
    }
    void append(Order order) { // id must exceed max_id()
        keys_.push_back(OrderKey::of(order));
        orders_.push_back(std::move(order));
    }
    // Mutable access marks the key index stale (refreshed before the next read).
    Order* find(uint64_t id);
    const Order* find(uint64_t id) const;
    uint64_t max_id() const { return orders_.empty() ? 0 : orders_.back().id; }
    std::vector<Order>& all() {
        all_dirty_ = true;
        return orders_;
    }
    const std::vector<Order>& all() const { return orders_; }
    Zone zone() const { return zone_; }

    ApiResult read(const nlohmann::json& data) const;
    ApiResult count(const nlohmann::json& data) const;
    // Every order (both types) as one JSON array, ascending id.
    std::string all_json() const;

  private:
    // Calls f(order) for each match in id order while f returns true.
    template <class F>
    void for_each_match(const OrderQuery& q, F&& f) const;

    std::optional<std::size_t> index_of(uint64_t id) const;
    void refresh_keys() const;

    Zone zone_;
    std::vector<Order> orders_;
    mutable std::vector<OrderKey> keys_; // parallel to orders_
    mutable std::vector<std::size_t> dirty_;
    mutable bool all_dirty_ = true;
};

} // namespace emag::sandbox
