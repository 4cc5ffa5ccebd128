// Sliding windows over the plugin's cumulative counters (DESIGN.md §5.4).
// The monitor samples every client's ClientMetrics, the sync outcomes and the
// database gauges every few seconds into a MetricHistory; a window's figures
// are the difference between the newest sample and the newest one at least
// the window's length older (or the oldest, right after start: `covered_s`
// says how much time a window really spans). Counters only grow, so a
// difference is exact whatever happened in between, and a sample is small:
// an hour at the default 5 s interval is 720 samples per process.
#pragma once

#include "api/client_metrics.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

// One sync stream's outcomes since start ("incremental/fbs", "offers", ...).
struct SyncCounters {
    std::uint64_t runs = 0;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::uint64_t items = 0; // orders or offers stored
};

// What the database says about an account right now (read at each sample).
struct AccountGauges {
    std::int64_t quarantined_orders = 0;
    std::int64_t quarantined_offers = 0;
    std::int64_t dead_letter = 0;                     // emag_outbound rows in state "failed"
    std::map<std::string, std::int64_t> outbound;     // emag_outbound rows by state (dead_letter = "failed")
    std::map<std::string, std::int64_t> cursor_lag_s; // order stream -> now - cursor
};

struct AccountSample {
    std::string account;
    ClientMetrics api; // cumulative since the client started
    std::map<std::string, SyncCounters> sync;
    AccountGauges gauges;
};

struct Sample {
    std::chrono::steady_clock::time_point at;
    std::vector<AccountSample> accounts;
};

// One route group over a window.
struct GroupWindow {
    RouteGroup group = RouteGroup::orders;
    std::uint64_t requests = 0; // HTTP requests sent (retries included)
    std::uint64_t errors = 0;   // of those, failed (any kind)
    std::array<std::uint64_t, 5> errors_by_kind{};
    std::uint64_t timed = 0; // requests whose time was measured
    double requests_per_minute = 0;
    double error_rate = 0; // errors / requests; 0 without requests
    double avg_ms = 0;
    double p95_ms = 0;
    double usage = 0; // requests / (limit per second x covered seconds)
};

struct StreamWindow {
    SyncCounters counts;                // within the window
    std::optional<double> success_rate; // ok / runs; none without runs
};

struct AccountWindow {
    std::string account;
    double covered_s = 0;
    std::array<GroupWindow, 2> groups; // indexed by RouteGroup
    std::map<std::string, StreamWindow> streams;
    std::uint64_t sync_runs = 0, sync_ok = 0;
    std::uint64_t orders_synced = 0, offers_synced = 0;
    std::uint64_t auth_errors = 0;
    std::int64_t dead_letter_growth = 0;
    std::optional<double> sync_success() const;
};

// The counters' difference `now - then` (then = zero counters when absent).
GroupMetrics minus(const GroupMetrics& now, const GroupMetrics& then);
GroupWindow group_window(const GroupMetrics& now, const GroupMetrics* then, double covered_s);

class MetricHistory {
  public:
    // Samples older than `keep` (behind the newest) are dropped, and at most
    // `max_samples` are kept (the oldest go first).
    explicit MetricHistory(std::chrono::seconds keep = std::chrono::seconds(3660), std::size_t max_samples = 4000);

    void add(Sample s);
    bool empty() const { return samples_.empty(); }
    const Sample* newest() const { return samples_.empty() ? nullptr : &samples_.back(); }

    // Every account of the newest sample over the last `window`; empty
    // before the first sample. One sample only: zero figures, covered_s 0.
    std::vector<AccountWindow> window(std::chrono::seconds window) const;

  private:
    std::chrono::seconds keep_;
    std::size_t max_samples_;
    std::deque<Sample> samples_;
};

} // namespace erp::emag
