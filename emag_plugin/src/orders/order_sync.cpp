#include "orders/order_sync.hpp"

#include "api/emag_client.hpp"
#include "api/pagination.hpp"
#include "orders/order_actions.hpp"
#include "orders/order_rows.hpp"
#include "store/order_store.hpp"
#include "store/serial_worker.hpp"
#include "store/timestamp.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <utility>

namespace erp::emag {

using nlohmann::json;
using std::chrono::sys_seconds;
using SteadyClock = std::chrono::steady_clock;

struct OrderSync::Run {
    int type = 3;
    std::string stream;
    SyncStats stats;
    SyncProgress progress;
    SteadyClock::time_point started = SteadyClock::now();
    SteadyClock::time_point last_report{};
    std::string now_iso;
    std::int64_t processed_before = 0; // the stream's total before this run
};

OrderSync::OrderSync(EmagClient& client, OrderStore& store, std::string account, TimeZone zone, SyncOptions options,
                     Now now, Progress progress, std::function<bool()> cancelled)
    : client_(client), store_(store), account_(std::move(account)), zone_(zone), options_(options),
      now_(now ? std::move(now) : Now([] { return std::chrono::system_clock::now(); })), progress_(std::move(progress)),
      cancelled_(std::move(cancelled)), writer_(std::make_unique<SerialWorker>()) {
    options_.page_size = std::clamp(options_.page_size, 1u, 100u);
    options_.concurrency = std::max(options_.concurrency, 1u);
}

OrderSync::~OrderSync() = default;

std::string OrderSync::stream_name(const char* kind, int type) {
    std::string s = kind;
    s += type == 2 ? "/fbe" : "/fbs";
    return s;
}

sys_seconds OrderSync::now_s() const {
    return std::chrono::floor<std::chrono::seconds>(now_());
}

SyncProgress failed_progress(const std::string& account, const std::string& stream, const std::string& error) {
    SyncProgress p;
    p.account = account;
    p.stream = stream;
    p.done = true;
    p.error = error;
    return p;
}

void OrderSync::report(Run& run, bool done) {
    if (!progress_) {
        return;
    }
    const auto now = SteadyClock::now();
    // At most twice a second: the admin pages show a running sync moving at
    // least once a second even when pages arrive unevenly.
    if (!done && now - run.last_report < std::chrono::milliseconds(500)) {
        return;
    }
    run.last_report = now;
    SyncProgress& p = run.progress;
    p.account = account_;
    p.stream = run.stream;
    p.processed = run.stats.orders;
    p.total = std::max(p.total, p.processed);
    const double elapsed = std::chrono::duration<double>(now - run.started).count();
    p.rate = elapsed > 0 ? static_cast<double>(p.processed) / elapsed : 0;
    p.eta_s = p.rate > 0 ? static_cast<double>(p.total - p.processed) / p.rate : 0;
    p.errors = run.stats.quarantined + run.stats.ack_failed;
    p.done = done;
    progress_(p);
}

void OrderSync::read_window(Run& run, sys_seconds lower, sys_seconds upper, const std::string& cursor_after) {
    json filters = {{"type", run.type},
                    {"modifiedAfter", format_emag_datetime(zone_.to_local(lower))},
                    {"modifiedBefore", format_emag_datetime(zone_.to_local(upper))}};
    const CountResult counted = count(client_, "order", filters);
    const std::uint64_t pages = (counted.items + options_.page_size - 1) / options_.page_size;
    run.progress.total += counted.items;
    ++run.stats.windows;

    SyncStateRow state;
    state.account = account_;
    state.order_type = run.type;
    state.stream = run.stream.substr(0, run.stream.find('/'));
    state.cursor_utc = cursor_after;
    state.last_run_at = run.now_iso;
    state.last_outcome = "ok";

    std::vector<std::int64_t> to_ack;
    std::deque<std::pair<std::uint64_t, std::future<ApiResult>>> pending;
    std::uint64_t next = pages; // the last page first (see the header)
    const auto top_up = [&] {
        while (next >= 1 && pending.size() < options_.concurrency) {
            ApiCall call;
            call.route = "order/read";
            call.data = filters;
            call.data["currentPage"] = next;
            call.data["itemsPerPage"] = options_.page_size;
            pending.emplace_back(next, client_.call_async(std::move(call)));
            --next;
        }
    };
    top_up();
    if (pending.empty()) {
        state.processed = run.processed_before + static_cast<std::int64_t>(run.stats.stored);
        store_.save_sync_state(state); // an empty window still moves the cursor
        return;
    }

    // Pages are stored on writer_, in page order, while the next page is read
    // and typed here. At most one page waits behind the one being stored.
    struct Storing {
        std::future<BatchResult> result;
        std::size_t read = 0; // orders on the page
    };
    std::deque<Storing> storing;
    std::uint64_t stored_by_writer = run.stats.stored; // touched only by writer_'s tasks
    const auto collect = [&] {
        Storing s = std::move(storing.front());
        storing.pop_front();
        const BatchResult b = s.result.get(); // a storage error ends the pass; the cursor stays
        ++run.stats.pages;
        run.stats.orders += s.read;
        run.stats.stored += b.inserted + b.updated;
        run.stats.kept_newer += b.kept_newer;
        run.stats.quarantined += b.quarantined;
        report(run, false);
    };
    // However this ends, writer_'s tasks (which use these locals) finish
    // before the locals go.
    struct Drain {
        std::deque<Storing>& storing;
        ~Drain() {
            for (Storing& s : storing) {
                if (s.result.valid()) {
                    s.result.wait();
                }
            }
        }
    } drain{storing};

    while (!pending.empty()) {
        if (cancelled_ && cancelled_()) {
            run.stats.cancelled = true;
            while (!storing.empty()) {
                collect(); // what was read is kept; the cursor stays
            }
            return; // this window is read again next time
        }
        std::future<ApiResult> future = std::move(pending.front().second);
        pending.pop_front();
        ApiResult r = future.get(); // throws ApiError: the cursor stays
        top_up();
        const std::size_t read = r.results.is_array() ? r.results.size() : 1;
        auto sorted = std::make_shared<SortedOrders>(sort_orders(account_, std::move(r.results), zone_));
        for (const ValidOrder& v : sorted->valid) {
            if (options_.acknowledge_new && v.order.status == 1 && v.order.type == 3) {
                to_ack.push_back(v.order.emag_id);
            }
        }
        std::optional<SyncStateRow> with_state;
        if (pending.empty()) { // the window's last page: commits the cursor with it
            with_state = state;
        }
        storing.push_back(
            {writer_->submit([this, &run, &stored_by_writer, sorted, with_state]() mutable {
                 if (with_state) {
                     // Valid orders this run has stored, this page included.
                     with_state->processed =
                         run.processed_before + static_cast<std::int64_t>(stored_by_writer + sorted->valid.size());
                 }
                 BatchResult b = store_.store_batch(account_, sorted->valid, sorted->invalid, run.now_iso, with_state);
                 stored_by_writer += b.inserted + b.updated;
                 return b;
             }),
             read});
        while (storing.size() > 1) {
            collect();
        }
    }
    while (!storing.empty()) {
        collect();
    }
    acknowledge(run, to_ack);
}

void OrderSync::acknowledge(Run& run, const std::vector<std::int64_t>& ids) {
    // Acknowledged after the orders are committed: an order is never
    // acknowledged to eMAG without being in the ERP first.
    std::vector<std::pair<std::int64_t, std::future<ApiResult>>> calls;
    for (std::int64_t id : ids) {
        if (store_.acknowledged_at(account_, id)) {
            continue;
        }
        ApiCall call;
        call.route = "order/acknowledge/" + std::to_string(id);
        calls.emplace_back(id, client_.call_async(std::move(call)));
    }
    for (auto& [id, future] : calls) {
        try {
            future.get();
            store_.mark_acknowledged(account_, id, run.now_iso);
            ++run.stats.acknowledged;
        } catch (const ApiError& e) {
            // Already acknowledged is success; anything else is counted and
            // retried by the next pass (still status 1).
            if (e.kind() == ErrorKind::validation && says_already_acknowledged(e.info().messages)) {
                store_.mark_acknowledged(account_, id, run.now_iso);
                ++run.stats.acknowledged;
                continue;
            }
            ++run.stats.ack_failed;
        }
    }
}

sys_seconds OrderSync::start_run(Run& run, const char* kind, int type, sys_seconds now, sys_seconds first_cursor) {
    run.type = type;
    run.stream = stream_name(kind, type);
    run.now_iso = iso8601_utc(now);
    sys_seconds cursor = first_cursor;
    if (const auto state = store_.sync_state(account_, type, kind)) {
        run.processed_before = state->processed;
        if (auto c = parse_iso8601_utc(state->cursor_utc)) {
            cursor = *c;
        }
    }
    return cursor;
}

SyncStats OrderSync::incremental(int type) {
    const sys_seconds now = now_s();
    Run run;
    // First pass: first_run back from now.
    sys_seconds cursor = start_run(run, "incremental", type, now, now - options_.first_run);
    const sys_seconds end = now - options_.settle;
    sys_seconds lower = cursor - options_.overlap;
    run.stats.cursor_utc = iso8601_utc(cursor);
    while (lower < end && !run.stats.cancelled) {
        const sys_seconds wanted = std::min(lower + options_.max_window, end);
        // What eMAG will take the filter's text to mean (the earlier instant
        // in the repeated autumn hour): the window really ends there.
        const sys_seconds upper = std::min(wanted, zone_.to_utc(zone_.to_local(wanted)).utc);
        const std::string cursor_iso = iso8601_utc(upper);
        read_window(run, lower, upper, cursor_iso);
        if (!run.stats.cancelled) {
            run.stats.cursor_utc = cursor_iso;
        }
        if (upper <= lower) {
            break;
        }
        lower = upper;
    }
    report(run, true);
    return run.stats;
}

SyncStats OrderSync::backfill(int type, sys_seconds from) {
    const sys_seconds now = now_s();
    Run run;
    // First run: start where the incremental stream started.
    sys_seconds cursor = start_run(run, "backfill", type, now, now - options_.first_run + options_.overlap);
    run.stats.cursor_utc = iso8601_utc(cursor);
    while (cursor > from && !run.stats.cancelled) {
        const sys_seconds lower = std::max(from, cursor - options_.max_window);
        const std::string cursor_iso = iso8601_utc(lower);
        read_window(run, lower, cursor, cursor_iso);
        if (run.stats.cancelled) {
            break;
        }
        run.stats.cursor_utc = cursor_iso;
        cursor = lower;
    }
    report(run, true);
    return run.stats;
}

} // namespace erp::emag
