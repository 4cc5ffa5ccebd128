// OrderStore: the order tables of schema v2 (emag_orders, emag_order_lines,
// emag_order_quarantine, emag_sync_state). All order SQL lives here.
//
// A batch (one page, one window) is written in ONE transaction together with
// the sync cursor that covers it, so a crash leaves either the old cursor
// and none of the batch, or both: the next run re-reads the window and the
// upserts make that harmless.
//
// Rules:
// - An order row is replaced only by a version with the same or a newer
//   `modified` (ISO text compares as time): an older read never wins.
// - Lines are replaced with the order (an eMAG line can disappear).
// - A valid order leaves quarantine; an invalid one is (re)quarantined with
//   its errors and raw payload — its last valid version, if any, stays in
//   emag_orders untouched. first_seen_at is kept, last_seen_at updated.
//
// SOCI stays out of this header. Thread-safe (one session under a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

class WalCheckpointer;

// One emag_orders row (money in units of 1/10000, times ISO UTC text).
struct OrderRow {
    std::string account;
    std::int64_t emag_id = 0;
    std::optional<int> type, status, is_complete, payment_mode_id, payment_status, is_storno, reason_cancellation;
    std::string detailed_payment_method, delivery_mode, currency;
    std::optional<std::int64_t> shipping_tax_x4, cashed_co_x4, cashed_cod_x4, lines_total_x4, customer_id;
    std::string customer_name, customer_email_hash, shipping_city, locker_id, locker_name;
    std::string date_local, date_utc, modified_local, modified_utc;
    std::string payload; // the raw JSON
};

struct OrderLineRow {
    std::int64_t line_id = 0;
    std::optional<std::int64_t> product_id, quantity, sale_price_x4, vat_x4;
    std::optional<int> status;
    std::string part_number, ext_part_number, currency, created_utc, modified_utc;
    std::string payload;
};

struct ValidOrder {
    OrderRow order;
    std::vector<OrderLineRow> lines;
    std::string quarantine_key; // cleared from quarantine under this key
};

struct QuarantinedOrder {
    std::string order_key; // the id as text, or "payload:<hash>" without a usable id
    std::optional<std::int64_t> emag_id;
    std::string errors_json; // [{"field","message"}, ...]
    std::string payload;
};

// The sync cursor written with a batch.
struct SyncStateRow {
    std::string account;
    int order_type = 3;
    std::string stream; // "incremental", "backfill", ...
    std::string cursor_utc;
    std::string last_run_at;
    std::string last_outcome; // "ok", "running", "failed"
    std::string last_error;
    std::int64_t processed = 0; // total orders stored by this stream
};

struct BatchResult {
    unsigned inserted = 0;
    unsigned updated = 0;
    unsigned kept_newer = 0; // the stored version was newer: left alone
    unsigned quarantined = 0;
    unsigned released = 0; // left quarantine because now valid
};

// Filters of OrderStore::list_orders; an empty/absent field filters nothing.
struct OrderListFilter {
    std::optional<int> status;
    std::optional<int> type;
    std::string date_from_utc; // inclusive lower bound on date_utc ("YYYY-MM-DDTHH:MM:SSZ")
    std::string date_to_utc;   // inclusive upper bound on date_utc
    // Matches the order id exactly (when all digits), or is contained in the
    // customer name or a line's part_number (ASCII case-insensitive, on
    // SQLite and PostgreSQL alike; % and _ are literal).
    std::string text;
    std::int64_t limit = 50; // rows per page (> 0)
    std::int64_t offset = 0;
};

struct OrderListPage {
    std::int64_t total = 0;     // every row matching the filter
    std::vector<OrderRow> rows; // newest date first (then id), payload left empty
};

class OrderStore {
  public:
    // Throws soci::soci_error when the database cannot be opened.
    explicit OrderStore(const std::string& db_url);
    ~OrderStore();
    OrderStore(const OrderStore&) = delete;
    OrderStore& operator=(const OrderStore&) = delete;

    // Writes valid and invalid orders of one account and, when given, the
    // sync state, in one transaction. `now_iso` stamps first/last seen.
    BatchResult store_batch(const std::string& account, const std::vector<ValidOrder>& valid,
                            const std::vector<QuarantinedOrder>& invalid, std::string_view now_iso,
                            const std::optional<SyncStateRow>& state = std::nullopt);

    // Records a run without moving data (started, failed).
    void save_sync_state(const SyncStateRow& state);
    std::optional<SyncStateRow> sync_state(const std::string& account, int order_type, const std::string& stream);

    // Marks an order acknowledged (the ACK call succeeded).
    void mark_acknowledged(const std::string& account, std::int64_t emag_id, std::string_view now_iso);

    std::optional<OrderRow> find_order(const std::string& account, std::int64_t emag_id);
    std::vector<OrderLineRow> lines(const std::string& account, std::int64_t emag_id);
    std::optional<std::string> acknowledged_at(const std::string& account, std::int64_t emag_id);
    std::int64_t count_orders(const std::string& account);
    std::vector<QuarantinedOrder> quarantine(const std::string& account);
    // (emag_id, modified_utc) of every stored order of the account.
    std::vector<std::pair<std::int64_t, std::string>> order_versions(const std::string& account);

    // One page of the account's orders matching `filter`, and the total.
    OrderListPage list_orders(const std::string& account, const OrderListFilter& filter);

  private:
    std::mutex mutex_;
    // Checkpoints the SQLite log off the writing thread (see its header);
    // does nothing on PostgreSQL. Made first: it decides how session_ opens.
    std::unique_ptr<WalCheckpointer> checkpointer_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
