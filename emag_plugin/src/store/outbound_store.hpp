// The outbound queue (emag_outbound; docs/schema.md): every change the ERP
// asks to make to an eMAG offer, kept for good. All of its SQL is here.
//
// States: queued -> sending -> confirmed | failed (dead letter, with eMAG's
// messages) | queued again (a transient error, with a later next_attempt_at);
// queued -> superseded (a later change of the same offer and kind replaced
// it: superseded_by names it); rejected (refused by validation, never sent).
//
// The rules that keep an older value from ever being set after a newer one:
// only the newest change per (account, offer, kind) is ever sent — enqueue,
// claim, retry_later and recover supersede every older one — and the caller
// never has one offer in two requests at once (claim's `busy`).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

struct OutboundRow {
    std::int64_t id = 0;
    std::string account;
    std::int64_t offer_id = 0;
    std::string kind;       // "price", "stock", "status"
    std::string value_json; // what to set: {"sale_price":"12.5000"}, {"stock":[...]}, {"status":1}
    std::string state;      // see the header
    std::string source;     // who asked: "route", "job", ...
    int attempts = 0;
    std::string next_attempt_at;
    std::optional<std::int64_t> superseded_by;
    std::string messages_json = "[]"; // eMAG's (or validation's) messages, the last attempt's
    std::string enqueued_at, sent_at, finished_at;
};

struct OutboundFilter {
    std::string account;       // "" = all
    std::string state;         // "" = all
    std::int64_t offer_id = 0; // 0 = all
    std::int64_t limit = 100, offset = 0;
};

class OutboundStore {
  public:
    explicit OutboundStore(const std::string& db_url);
    ~OutboundStore();
    OutboundStore(const OutboundStore&) = delete;
    OutboundStore& operator=(const OutboundStore&) = delete;

    // A change to add: queued, or (problems_json not empty) rejected.
    struct NewChange {
        std::string account;
        std::int64_t offer_id = 0;
        std::string kind, value_json, source;
        std::string problems_json; // "" = valid
    };
    // Adds the changes in one transaction (one commit, one fsync, for a whole
    // batch from the ERP), in order; each queued one supersedes the queued
    // changes of the same offer and kind before it. Returns their ids.
    std::vector<std::int64_t> add(const std::vector<NewChange>& changes, std::string_view now_iso);

    // A new queued change; queued changes of the same offer and kind are
    // superseded by it. Returns its id.
    std::int64_t enqueue(const std::string& account, std::int64_t offer_id, const std::string& kind,
                         const std::string& value_json, const std::string& source, std::string_view now_iso);
    // A change validation refused: kept as `rejected` with the problems.
    std::int64_t record_rejected(const std::string& account, std::int64_t offer_id, const std::string& kind,
                                 const std::string& value_json, const std::string& source,
                                 const std::string& problems_json, std::string_view now_iso);

    // Takes the due changes (queued, next_attempt_at <= now) of up to
    // `max_offers` offers of `account` not in `busy`, oldest first, and
    // marks them sending (attempts + 1, sent_at = now). Older queued changes
    // of the same offer and kind are superseded on the way. All kinds of one
    // offer come together (one entity of offer/save).
    std::vector<OutboundRow> claim(const std::string& account, std::string_view now_iso, std::size_t max_offers,
                                   const std::set<std::int64_t>& busy);
    void confirm(const std::vector<std::int64_t>& ids, const std::string& messages_json, std::string_view now_iso);
    void fail(const std::vector<std::int64_t>& ids, const std::string& messages_json, std::string_view now_iso);
    // Back to queued, due at `next_attempt_at` - or superseded when a newer
    // change of the same offer and kind arrived meanwhile.
    void retry_later(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                     std::string_view next_attempt_at);
    // At start: changes left `sending` by a process that died are queued
    // again (or superseded, as retry_later). Returns how many.
    int recover(const std::string& account, std::string_view now_iso);

    std::optional<OutboundRow> find(std::int64_t id);
    std::vector<OutboundRow> list(const OutboundFilter& filter);
    std::map<std::string, std::int64_t> count_by_state(const std::string& account);
    // The earliest next_attempt_at of a queued change of `account` ("" = none).
    std::string next_due(const std::string& account);

  private:
    void to_queued_or_superseded(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                                 std::string_view next_attempt_at);

    std::mutex mutex_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
