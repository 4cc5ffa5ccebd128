// OrderSync: brings one account's orders of one type (2 FBE, 3 FBS) into the
// database by `modified` windows (DESIGN.md §5.2). The API returns only type
// 3 unless asked, so each type is its own stream with its own cursor.
//
// A window is [lower, upper] on eMAG's `modified`, with `upper` fixed when
// the pass starts, a little in the past (`settle`) so that eMAG's clock and
// ours need not agree to the second. Reading a window:
//   count, then read its pages from the LAST to the first. eMAG orders a
//   read by id; an order changed during the read gets a `modified` past
//   `upper` and leaves the window, which moves every later order one place
//   towards the front. Read front to back, that shift hides an unchanged
//   order on a page already read: it would be lost for good, since its
//   `modified` is behind the next cursor. Read back to front, a shift only
//   moves orders onto pages still to be read: at worst an order is read
//   twice (the upserts make that harmless). The order that left is read by
//   the next pass, whose window starts at this one's end.
// The cursor moves to the window's end in the same transaction as the
// window's last page, so a crash re-reads at most one window. Windows are at
// most 29 days (eMAG refuses filters over a month). Filters are sent in the
// account's zone; in the repeated autumn hour eMAG (like the sandbox) reads
// a time as its earlier instant, so the cursor is that earlier instant.
//
// New FBS orders (status 1) are acknowledged once stored (configurable).
#pragma once

#include "orders/local_time.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace erp::emag {

class SerialWorker;

class EmagClient;
class OrderStore;

struct SyncOptions {
    std::chrono::seconds overlap{300}; // each pass re-reads this much before its cursor
    std::chrono::seconds settle{30};   // upper bound = now - settle
    std::chrono::seconds max_window{29 * 86400};
    std::chrono::seconds first_run{30 * 86400}; // a stream's first pass starts this far back
    unsigned page_size = 100;
    unsigned concurrency = 12; // pages requested at once
    bool acknowledge_new = true;
};

struct SyncProgress {
    std::string account;
    std::string stream; // "incremental/fbs", "backfill/fbe", ...
    std::uint64_t processed = 0;
    std::uint64_t total = 0; // orders counted in the windows so far
    double rate = 0;         // orders per second
    double eta_s = 0;
    std::uint64_t errors = 0; // quarantined orders and failed acknowledgements
    bool done = false;
    // Why the pass failed (with done): it ended early and its cursor did not
    // move. Empty while running and after a pass that completed.
    std::string error;
};

// The last word on a stream whose pass failed, for the live feed: without
// it a page showing the pass would wait for a `done` that never comes.
SyncProgress failed_progress(const std::string& account, const std::string& stream, const std::string& error);

// How one pass of one stream ended, for monitoring (sync success rates).
struct StreamOutcome {
    std::string account;
    std::string stream; // "incremental/fbs", "backfill/fbe", "offers"
    bool ok = true;
    std::uint64_t items = 0; // orders or offers stored
};

struct SyncStats {
    std::uint64_t windows = 0;
    std::uint64_t pages = 0;
    std::uint64_t orders = 0; // read (an order read twice counts twice)
    std::uint64_t stored = 0; // inserted or updated
    std::uint64_t kept_newer = 0;
    std::uint64_t quarantined = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t ack_failed = 0;
    bool cancelled = false;
    std::string cursor_utc; // where the stream stands now
};

class OrderSync {
  public:
    using Now = std::function<std::chrono::system_clock::time_point()>;
    using Progress = std::function<void(const SyncProgress&)>;

    OrderSync(EmagClient& client, OrderStore& store, std::string account, TimeZone zone, SyncOptions options,
              Now now = {}, Progress progress = {}, std::function<bool()> cancelled = {});
    ~OrderSync();

    // From the stream's cursor (or first_run ago) to now - settle.
    // Throws ApiError when eMAG cannot be read; the cursor then stays at the
    // end of the last complete window.
    SyncStats incremental(int type);

    // History: windows going back from the backfill cursor (first: the
    // incremental stream's starting point) to `from`.
    SyncStats backfill(int type, std::chrono::sys_seconds from);

    static std::string stream_name(const char* kind, int type); // "incremental/fbs"

  private:
    struct Run;
    // Fills `run` for stream `kind` ("incremental", "backfill") of `type`
    // and returns the stream's cursor, or `first_cursor` on its first run.
    std::chrono::sys_seconds start_run(Run& run, const char* kind, int type, std::chrono::sys_seconds now,
                                       std::chrono::sys_seconds first_cursor);
    void read_window(Run& run, std::chrono::sys_seconds lower, std::chrono::sys_seconds upper,
                     const std::string& cursor_after);
    void acknowledge(Run& run, const std::vector<std::int64_t>& ids);
    void report(Run& run, bool done);
    std::chrono::sys_seconds now_s() const;

    EmagClient& client_;
    OrderStore& store_;
    std::string account_;
    TimeZone zone_;
    SyncOptions options_;
    Now now_;
    Progress progress_;
    std::function<bool()> cancelled_;
    std::unique_ptr<SerialWorker> writer_; // stores pages while the next is read (read_window)
};

} // namespace erp::emag
