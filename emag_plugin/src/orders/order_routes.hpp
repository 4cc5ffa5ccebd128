// The plugin's order routes (served by the host under /plugins/emag):
//
//   GET  /api/orders?account=A[&status=S][&type=2|3|FBE|FBS][&from=D][&to=D]
//                    [&q=TEXT][&page=1..][&per_page=1..200]
//        → {"account", "total", "page", "per_page", "orders": [order_summary...]}
//        from/to: "YYYY-MM-DD" (a whole UTC day; `to` inclusive) or
//        "YYYY-MM-DDTHH:MM:SSZ", compared with the order's date_utc. q: the
//        order id, or part of the customer name or of a line's part_number.
//   GET  /api/orders/{account}/{id}
//        → order_summary + "lines", "payload" (as eMAG sent it),
//          "acknowledged_at" (or null), "allowed_actions"
//   GET  /api/cancellation-reasons
//        → {"reasons": [{"code", "en", "ro"}]}, every documented code
//   GET  /api/quarantine?account=A
//        → {"account", "orders": [{"order_key", "emag_id", "errors", "payload"}]}
//   POST /api/orders/{account}/{id}/acknowledge
//   POST /api/orders/{account}/{id}/status   {"status": 3|4}
//   POST /api/orders/{account}/{id}/cancel   {"reason": N}
//   POST /api/orders/{account}/{id}/storno   {"lines": [{"id": line_id, "quantity": q}]}
//        → OrderActions' outcome (order_actions.hpp), with a Retry-After
//          header when it carries one.
//
// Errors are {"error": {"kind", "message", "messages"}}: 400 malformed
// request, 404 unknown account or order, 503 the store or the account's
// client is not running (before start / after stop). The host requires the
// admin token on the POST routes (non-GET routes always need it).
#pragma once

#include "orders/local_time.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace erp::emag {

class EmagClient;
class OrderStore;

// One configured account's pieces, found by name.
struct OrderAccount {
    // The account's client; nullptr while it is not running (before start,
    // after stop): reads still work, actions answer 503.
    EmagClient* client = nullptr;
    TimeZone zone = TimeZone::utc();
    // Held for the whole request: whatever keeps `client` alive (e.g. a
    // shared_ptr owning it, or a shared lock on the plugin's client list).
    std::shared_ptr<const void> keep_alive;
};

struct OrderRoutesDeps {
    // The account by its config name; nullopt when no such account is
    // configured (→ 404).
    std::function<std::optional<OrderAccount>(const std::string& account)> find_account;
    // The order store; nullptr before start (→ 503).
    std::function<std::shared_ptr<OrderStore>()> store;
    std::function<std::string()> now_iso;          // "YYYY-MM-DDTHH:MM:SSZ"
    std::function<std::chrono::sys_seconds()> now; // the same clock
};

void register_order_routes(erp::plugin::Registrations& reg, OrderRoutesDeps deps);

// The raw query string's parameters in order, percent-decoded ('+' is a
// space; a name without '=' has the value ""). nullopt when an escape is
// malformed or decodes to a NUL.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

} // namespace erp::emag
