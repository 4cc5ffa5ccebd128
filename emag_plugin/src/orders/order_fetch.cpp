#include "orders/order_fetch.hpp"

#include "api/emag_client.hpp"
#include "orders/order_rows.hpp"

namespace erp::emag {

using nlohmann::json;

FetchedOrder fetch_and_store_order(EmagClient& client, OrderStore& store, const std::string& account,
                                   const TimeZone& zone, std::int64_t order_id, const std::string& now_iso) {
    FetchedOrder out;
    for (int type : {3, 2}) {
        ApiCall call;
        call.route = "order/read";
        call.data = {{"id", order_id}, {"type", type}, {"currentPage", 1}, {"itemsPerPage", 1}};
        ApiResult r = client.call(std::move(call));
        if (!r.results.is_array() || r.results.empty()) {
            continue;
        }
        out.order = r.results.at(0);
        const SortedOrders sorted = sort_orders(account, std::move(r.results), zone);
        out.found = true;
        out.valid = !sorted.valid.empty();
        out.stored = store.store_batch(account, sorted.valid, sorted.invalid, now_iso);
        return out;
    }
    return out;
}

} // namespace erp::emag
