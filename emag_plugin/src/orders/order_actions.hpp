// Order actions (DESIGN.md §5.2, reference §4.4, §4.5, §4.12, §4.13): the
// seller's changes to an eMAG order — acknowledge, move to prepared or
// finalized, cancel with a reason, partial storno — checked against eMAG's
// rules BEFORE anything is sent, then sent the way eMAG requires (order/save
// takes the whole order as read, not a patch), then the order is re-read and
// stored so the database shows what eMAG now holds.
//
// The pure checks (transition_refusal, allowed_actions) and the readable
// forms of stored rows (order_summary, line_summary) are free functions, so
// the routes and tests use them without a client.
#pragma once

#include "orders/local_time.hpp"
#include "store/order_store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

class EmagClient;
struct ErrorInfo;

// §4.1: "canceled", "new", "in progress", "prepared", "finalized",
// "returned"; "unknown" for anything else.
const char* order_status_name(int status) noexcept;

// Whether the seller may move an order from status `from` to `to` through
// order/save, by the §4.5 matrix. nullopt: allowed; otherwise the reason, e.g.
// "eMAG does not allow 1 (new) → 3 (prepared): acknowledge the order first".
//
// - 1 → 2 is refused too: it happens only through order/acknowledge.
// - 4 → 5 (returned) is refused: returns are created by eMAG, not the seller.
// - The "≤48 h" cells (4 → 3, 4 → 0, 0 → 2/3/4) need `status_since`, the time
//   the order reached its current status (finalization or cancellation), and
//   are allowed while now - status_since <= 48 h. eMAG does not tell that
//   time; the best estimate is the stored order's `modified` (modified_utc),
//   which is never earlier than the real moment — so this check never refuses
//   a move eMAG would accept, but may let through one eMAG then refuses (when
//   the order changed again after reaching its status), which eMAG answers
//   with a validation error. Without status_since such a move is refused.
// - Same-status cells the matrix allows (2→2, 3→3, 4→4, 0→0) are allowed.
std::optional<std::string> transition_refusal(int from, int to, std::optional<std::chrono::sys_seconds> status_since,
                                              std::chrono::sys_seconds now);

// The actions the rules allow on a stored order now, among "acknowledge"
// (status 1), "prepared", "finalized", "cancel" (the matrix allows the move
// and it changes the status) and "storno" (status 4). Only FBS (type 3)
// orders have any: FBE orders are eMAG's to change. status_since is the row's
// modified_utc (see transition_refusal).
std::vector<std::string> allowed_actions(const OrderRow& order, std::chrono::sys_seconds now);

// A stored order in readable form: {"account", "id", "type" ("FBS"/"FBE"/
// null), "type_code", "status", "status_name", "is_complete",
// "payment_mode_id", "payment_mode" ("COD"/"bank transfer"/"online card"),
// "detailed_payment_method", "payment_status", "delivery_mode", "currency",
// money as 4-decimal strings ("shipping_tax", "cashed_co", "cashed_cod",
// "lines_total": "19.9900" or null), "is_storno" (bool), "cancellation"
// ({code, en, ro} for canceled orders, null otherwise), "customer_id",
// "customer_name", "customer_email_hash", "shipping_city", "locker_id",
// "locker_name", "date_local", "date_utc", "modified_local",
// "modified_utc"}. The payload is not included.
nlohmann::json order_summary(const OrderRow& order);

// {"id", "product_id", "name" (from the line's payload, "" if none),
// "part_number", "ext_part_number", "status", "quantity", "sale_price",
// "vat" (4-decimal strings or null), "currency", "created_utc", "modified_utc"}.
nlohmann::json line_summary(const OrderLineRow& line);

// What an action answers, ready for HTTP.
struct ActionOutcome {
    int http_status = 200;
    // Success: {"order": <order_summary of the stored order>, "result":
    // {"action", "emag": <eMAG's results>, "messages": [...], ...}} plus
    // "warning" when eMAG accepted the change but the re-read failed or the
    // new version went to quarantine (the stored copy is then the old one).
    // Failure: error_body(...).
    nlohmann::json body;
    // Seconds for a Retry-After header (503 after a rate limit or a
    // transient failure that told how long to wait).
    std::optional<int> retry_after_s;
};

// An eMAG error as HTTP: validation 422 with eMAG's messages; auth 502
// ("eMAG refused the credentials or this IP is not whitelisted"); rate
// limited 503 with retry_after_s (eMAG's wait, else 60); transient 503;
// protocol 502. The body's kind is error_kind_name(kind).
ActionOutcome outcome_from_api_error(const ErrorInfo& info);

// Whether eMAG's refusal of order/acknowledge says the order already is
// acknowledged (which counts as success): a message with "already" and
// "acknowledg", any case.
bool says_already_acknowledged(const std::vector<std::string>& messages);

struct StornoLine {
    std::int64_t line_id = 0;
    std::int64_t quantity = 0; // the new quantity: lower than the current, >= 0
};

// One account's order actions. Cheap to construct (per request); the client
// and store must outlive it. Never throws: every failure is an outcome.
//
// Local refusals send nothing: 400 bad request (unknown reason, a storno
// line that is not on the order or does not lower its quantity), 404 the
// order is not stored (sync or fetch it first: eMAG asks that an order be
// stored before it is acknowledged), 409 the rules forbid it (FBE order,
// transition matrix, storno outside status 4). eMAG's refusals map as
// outcome_from_api_error says. 500: our own failure (database).
class OrderActions {
  public:
    OrderActions(EmagClient& client, OrderStore& store, std::string account, TimeZone zone,
                 std::function<std::string()> now_iso, std::function<std::chrono::sys_seconds()> now);

    // POST order/acknowledge/{id} (no body). Success also when eMAG says the
    // order is already acknowledged or a re-read finds it in status 2..5.
    // Then acknowledged_at is set (kept if already set) and the order re-read.
    ActionOutcome acknowledge(std::int64_t id);

    // Moves an FBS order to 3 (prepared) or 4 (finalized): order/save with
    // the stored payload (the last read) with "status" replaced.
    ActionOutcome set_status(std::int64_t id, int target);

    // Moves an FBS order to 0 with "reason_cancellation": reason_code, which
    // must be a documented code (cancellation_reasons.hpp).
    ActionOutcome cancel(std::int64_t id, int reason_code);

    // Partial storno of a finalized (status 4) FBS order: each named line gets
    // its new quantity (0 also sets the line's status to 0, §4.13), and the
    // order is sent whole with "is_storno": true.
    ActionOutcome storno(std::int64_t id, const std::vector<StornoLine>& lines);

  private:
    struct Loaded;
    ActionOutcome guarded(const std::function<ActionOutcome()>& body);
    std::optional<ActionOutcome> load_editable(std::int64_t id, Loaded& out);
    ActionOutcome change_status(std::int64_t id, int target, std::optional<int> reason);
    ActionOutcome save_and_refresh(std::int64_t id, const std::string& action, nlohmann::json order);
    ActionOutcome refreshed(std::int64_t id, nlohmann::json result);

    EmagClient& client_;
    OrderStore& store_;
    std::string account_;
    TimeZone zone_;
    std::function<std::string()> now_iso_;
    std::function<std::chrono::sys_seconds()> now_;
};

} // namespace erp::emag
