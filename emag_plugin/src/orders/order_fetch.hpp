// Reading one order by id and storing it (valid → emag_orders, invalid →
// quarantine): what the new-order callback and every order action do after
// eMAG answered. order/read returns only FBS (type 3) orders unless told
// otherwise, so an id is looked up as type 3, then as type 2.
#pragma once

#include "orders/local_time.hpp"
#include "store/order_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace erp::emag {

class EmagClient;

struct FetchedOrder {
    bool found = false;
    bool valid = false;   // stored in emag_orders (false: quarantined)
    nlohmann::json order; // as eMAG sent it (null when not found)
    BatchResult stored;
};

// Throws ApiError when eMAG cannot be read (after the client's retries).
FetchedOrder fetch_and_store_order(EmagClient& client, OrderStore& store, const std::string& account,
                                   const TimeZone& zone, std::int64_t order_id, const std::string& now_iso);

} // namespace erp::emag
