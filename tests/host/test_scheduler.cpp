#define BOOST_TEST_MODULE test_scheduler
#include <boost/test/unit_test.hpp>

#include "scheduler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using erp::host::JobRun;
using erp::host::JobSpec;
using erp::host::JobStatus;
using erp::host::Scheduler;
using steady = std::chrono::steady_clock;
using Trigger = Scheduler::Trigger;

namespace {

// Deadlines are generous: the machine is shared and the sanitizer build is
// slow. They only bound a failure; a passing run returns as soon as the event
// happens.
constexpr auto kDeadline = 30s;

steady::time_point deadline() {
    return steady::now() + kDeadline;
}

// Counts events (e.g. "a body began") so the test can wait for the n-th one.
class Counter {
  public:
    void bump() {
        {
            std::lock_guard lk(mu_);
            ++n_;
        }
        cv_.notify_all();
    }
    bool wait_for(int n, steady::time_point until = deadline()) {
        std::unique_lock lk(mu_);
        return cv_.wait_until(lk, until, [&] { return n_ >= n; });
    }
    int value() {
        std::lock_guard lk(mu_);
        return n_;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    int n_ = 0;
};

// Holds job bodies until the test opens it. A body also gives up when its run
// is cancelled or a safety deadline passes, so a failed check (which unwinds
// into ~Scheduler, which waits for bodies) ends the test instead of hanging.
class Gate {
  public:
    void open() {
        {
            std::lock_guard lk(mu_);
            open_ = true;
        }
        cv_.notify_all();
    }
    // True if opened; false if the run was cancelled or the deadline passed.
    bool wait(const JobRun& run) {
        const auto until = deadline();
        std::unique_lock lk(mu_);
        while (!open_) {
            // cancelled is a plain atomic with no notification, so re-check it
            // every few milliseconds.
            if (run.cancelled.load() || steady::now() >= until) {
                return false;
            }
            cv_.wait_for(lk, 5ms);
        }
        return true;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
};

// Every participant waits until `parties` have arrived; returns false if they
// did not all arrive by the deadline. Proves that bodies overlap in time.
class Rendezvous {
  public:
    explicit Rendezvous(int parties) : parties_(parties) {}
    bool arrive_and_wait() {
        std::unique_lock lk(mu_);
        ++arrived_;
        cv_.notify_all();
        return cv_.wait_until(lk, deadline(), [&] { return arrived_ >= parties_; });
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    int parties_;
    int arrived_ = 0;
};

// For state the scheduler exposes only through status() (e.g. a skipped
// periodic slot): re-check until true or the deadline. Polls a condition; it
// never sleeps to let time pass for the scheduler.
template <class Pred>
bool eventually(Pred pred, steady::time_point until = deadline()) {
    while (!pred()) {
        if (steady::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

JobSpec on_demand(std::string id, std::function<void(JobRun&)> body) {
    JobSpec s;
    s.id = std::move(id);
    s.body = std::move(body);
    return s;
}

JobSpec periodic(std::string id, std::chrono::seconds interval, std::chrono::seconds jitter,
                 std::function<void(JobRun&)> body) {
    JobSpec s = on_demand(std::move(id), std::move(body));
    s.interval = interval;
    s.jitter = jitter;
    return s;
}

// Built with += : GCC 12 warns falsely (-Wrestrict, GCC bug 105329) on
// "literal" + std::to_string(i).
std::string job_name(int i) {
    std::string name = "j";
    name += std::to_string(i);
    return name;
}

JobStatus status_of(const Scheduler& s, const std::string& id) {
    auto st = s.status(id);
    BOOST_TEST_REQUIRE(st.has_value(), "no status for job " << id);
    return *st;
}

} // namespace

BOOST_AUTO_TEST_CASE(periodic_job_runs_repeatedly) {
    Scheduler s(2);
    std::atomic<int> bodies{0};
    std::atomic<bool> bad_run{false};
    s.add(periodic("tick", 1s, 0s, [&](JobRun& run) {
        if (run.job_id != "tick" || run.params_json != "{}" || run.cancelled.load()) {
            bad_run = true;
        }
        ++bodies;
    }));
    BOOST_TEST(!status_of(s, "tick").next_run.has_value()); // nothing scheduled before start()
    s.start();
    BOOST_TEST(status_of(s, "tick").next_run.has_value());

    BOOST_TEST_REQUIRE(s.wait_for_runs("tick", 2, deadline()));
    const auto st = status_of(s, "tick");
    BOOST_TEST(st.runs >= 2u);
    BOOST_TEST(bodies.load() >= 2);
    BOOST_TEST(st.failures == 0u);
    BOOST_TEST(st.last_start.has_value());
    BOOST_TEST(st.last_end.has_value());
    BOOST_TEST((*st.last_start <= *st.last_end));
    BOOST_TEST(st.next_run.has_value());
    BOOST_TEST(!bad_run.load());
}

BOOST_AUTO_TEST_CASE(job_added_after_start_is_scheduled) {
    Scheduler s(2);
    s.start();
    s.add(periodic("late", 1s, 0s, [](JobRun&) {}));
    BOOST_TEST(status_of(s, "late").next_run.has_value());
    BOOST_TEST(s.wait_for_runs("late", 1, deadline()));
}

BOOST_AUTO_TEST_CASE(next_run_lies_within_interval_plus_jitter) {
    // Long interval and jitter: nothing runs during the test, and the
    // tolerance for the steady->system clock conversion (a preempted thread
    // between two clock reads) is small against the jitter range.
    constexpr auto interval = 1000s;
    constexpr auto jitter = 1000s;
    constexpr auto slack = 2s;
    constexpr int jobs = 8;

    Scheduler s(2);
    for (int i = 0; i < jobs; ++i) {
        s.add(periodic(job_name(i), interval, jitter, [](JobRun&) {}));
    }
    s.add(on_demand("manual", [](JobRun&) {}));
    const auto before = std::chrono::system_clock::now();
    s.start();
    const auto after = std::chrono::system_clock::now();

    std::vector<std::chrono::system_clock::time_point> next;
    for (int i = 0; i < jobs; ++i) {
        const auto st = status_of(s, job_name(i));
        BOOST_TEST_REQUIRE(st.next_run.has_value());
        const auto t = *st.next_run;
        BOOST_TEST((t >= before + interval - slack), "job " << i << " fires before interval");
        BOOST_TEST((t <= after + interval + jitter + slack), "job " << i << " fires after interval + jitter");
        next.push_back(t);
    }
    // Jitter is really applied: eight uniform draws over 1000 s do not all
    // land within a few seconds of each other (probability ~1e-18).
    const auto [lo, hi] = std::minmax_element(next.begin(), next.end());
    BOOST_TEST((*hi - *lo > 2 * slack), "no spread between jobs: jitter not applied");
    // An on-demand job has no next run.
    BOOST_TEST(!status_of(s, "manual").next_run.has_value());
}

BOOST_AUTO_TEST_CASE(trigger_runs_on_a_worker_with_params) {
    Scheduler s(2);
    std::promise<std::pair<std::string, std::thread::id>> seen;
    auto seen_f = seen.get_future();
    s.add(on_demand("manual", [&](JobRun& run) { seen.set_value({run.params_json, std::this_thread::get_id()}); }));
    // trigger() does not need start(): start() only arms the periodic timers.
    BOOST_TEST((s.trigger("manual", R"({"since":"2024-01-01"})") == Trigger::started));
    BOOST_TEST_REQUIRE((seen_f.wait_until(deadline()) == std::future_status::ready));
    const auto [params, tid] = seen_f.get();
    BOOST_TEST(params == R"({"since":"2024-01-01"})");
    BOOST_TEST((tid != std::this_thread::get_id()));
    BOOST_TEST(s.wait_for_runs("manual", 1, deadline()));
    const auto st = status_of(s, "manual");
    BOOST_TEST(st.runs == 1u);
    BOOST_TEST(!st.running);
    BOOST_TEST(!st.next_run.has_value());
}

BOOST_AUTO_TEST_CASE(run_now_runs_on_the_calling_thread_and_counts) {
    Scheduler s(2);
    std::thread::id tid;
    std::string params;
    s.add(on_demand("cli", [&](JobRun& run) {
        tid = std::this_thread::get_id();
        params = run.params_json;
    }));
    BOOST_TEST((s.run_now("cli", R"({"x":1})") == Trigger::started));
    BOOST_TEST((tid == std::this_thread::get_id()));
    BOOST_TEST(params == R"({"x":1})");
    const auto st = status_of(s, "cli");
    BOOST_TEST(st.runs == 1u);
    BOOST_TEST(!st.running);
    BOOST_TEST(st.last_end.has_value());
}

BOOST_AUTO_TEST_CASE(single_flight_refuses_and_counts_overlapping_requests) {
    Scheduler s(2);
    Counter entered;
    Gate gate;
    std::atomic<int> concurrent{0}, max_concurrent{0};
    s.add(on_demand("sync", [&](JobRun& run) {
        const int now = ++concurrent;
        int prev = max_concurrent.load();
        while (prev < now && !max_concurrent.compare_exchange_weak(prev, now)) {
        }
        entered.bump();
        gate.wait(run);
        --concurrent;
    }));

    BOOST_TEST_REQUIRE((s.trigger("sync") == Trigger::started));
    BOOST_TEST_REQUIRE(entered.wait_for(1));
    BOOST_TEST(status_of(s, "sync").running);
    BOOST_TEST((s.trigger("sync") == Trigger::already_running));
    BOOST_TEST((s.run_now("sync") == Trigger::already_running));
    BOOST_TEST(status_of(s, "sync").skipped == 2u);

    gate.open();
    BOOST_TEST_REQUIRE(s.wait_for_runs("sync", 1, deadline()));
    BOOST_TEST(!status_of(s, "sync").running);
    // Free again once the run has ended.
    BOOST_TEST((s.trigger("sync") == Trigger::started));
    BOOST_TEST_REQUIRE(s.wait_for_runs("sync", 2, deadline()));
    BOOST_TEST(entered.value() == 2); // the refused requests never ran
    BOOST_TEST(max_concurrent.load() == 1);
    BOOST_TEST(status_of(s, "sync").skipped == 2u);
}

BOOST_AUTO_TEST_CASE(periodic_slot_due_during_a_long_run_is_skipped) {
    Scheduler s(2);
    Counter entered;
    Gate gate;
    s.add(periodic("slow", 1s, 0s, [&](JobRun& run) {
        entered.bump();
        if (entered.value() == 1) {
            gate.wait(run); // only the first run is long
        }
    }));
    s.start();
    BOOST_TEST_REQUIRE(entered.wait_for(1));
    // The timer keeps ticking while the first run is held.
    BOOST_TEST(eventually([&] { return status_of(s, "slow").skipped >= 1; }));
    BOOST_TEST(s.status("slow")->runs == 0u);
    gate.open();
    // The schedule carries on after the long run.
    BOOST_TEST(s.wait_for_runs("slow", 2, deadline()));
}

BOOST_AUTO_TEST_CASE(different_jobs_run_at_the_same_time) {
    Scheduler s(2);
    Rendezvous both(2);
    std::atomic<int> met{0};
    auto body = [&](JobRun&) {
        if (both.arrive_and_wait()) {
            ++met;
        }
    };
    s.add(on_demand("a", body));
    s.add(on_demand("b", body));
    BOOST_TEST_REQUIRE((s.trigger("a") == Trigger::started));
    BOOST_TEST_REQUIRE((s.trigger("b") == Trigger::started));
    BOOST_TEST_REQUIRE(s.wait_for_runs("a", 1, deadline() + 5s));
    BOOST_TEST_REQUIRE(s.wait_for_runs("b", 1, deadline() + 5s));
    BOOST_TEST(met.load() == 2); // each body saw the other inside its run
}

BOOST_AUTO_TEST_CASE(long_jobs_do_not_starve_other_jobs) {
    // Two workers, both long jobs holding a body: a periodic third job and a
    // triggered fourth must still run while they are held.
    Scheduler s(2);
    Counter entered;
    Gate gate;
    auto long_body = [&](JobRun& run) {
        entered.bump();
        gate.wait(run);
    };
    s.add(on_demand("long1", long_body));
    s.add(on_demand("long2", long_body));
    s.add(periodic("tick", 1s, 0s, [](JobRun&) {}));
    s.add(on_demand("quick", [](JobRun&) {}));
    BOOST_TEST_REQUIRE((s.trigger("long1") == Trigger::started));
    BOOST_TEST_REQUIRE((s.trigger("long2") == Trigger::started));
    BOOST_TEST_REQUIRE(entered.wait_for(2));
    s.start();
    BOOST_TEST((s.trigger("quick") == Trigger::started));
    BOOST_TEST(s.wait_for_runs("quick", 1, deadline()));
    BOOST_TEST(s.wait_for_runs("tick", 1, deadline()));
    // Both long jobs were still held the whole time.
    BOOST_TEST(status_of(s, "long1").running);
    BOOST_TEST(status_of(s, "long2").running);
    gate.open();
    BOOST_TEST(s.wait_for_runs("long1", 1, deadline()));
    BOOST_TEST(s.wait_for_runs("long2", 1, deadline()));
}

BOOST_AUTO_TEST_CASE(exceptions_are_recorded_and_rethrown_by_run_now) {
    Scheduler s(2);
    std::atomic<bool> fail{true};
    s.add(on_demand("flaky", [&](JobRun&) {
        if (fail.load()) {
            throw std::runtime_error("boom");
        }
    }));
    s.add(on_demand("weird", [](JobRun&) { throw 42; }));

    BOOST_CHECK_EXCEPTION(s.run_now("flaky"), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()) == "boom"; });
    auto st = status_of(s, "flaky");
    BOOST_TEST(st.runs == 1u);
    BOOST_TEST(st.failures == 1u);
    BOOST_TEST(st.last_error == "boom");
    BOOST_TEST(!st.running);

    // On a worker the exception is recorded, not propagated: the worker
    // survives and the next run works.
    BOOST_TEST_REQUIRE((s.trigger("flaky") == Trigger::started));
    BOOST_TEST_REQUIRE(s.wait_for_runs("flaky", 2, deadline()));
    BOOST_TEST(status_of(s, "flaky").failures == 2u);
    fail = false;
    BOOST_TEST_REQUIRE((s.trigger("flaky") == Trigger::started));
    BOOST_TEST_REQUIRE(s.wait_for_runs("flaky", 3, deadline()));
    st = status_of(s, "flaky");
    BOOST_TEST(st.runs == 3u);
    BOOST_TEST(st.failures == 2u);

    // Non-std exceptions too.
    BOOST_CHECK_THROW(s.run_now("weird"), int);
    BOOST_TEST_REQUIRE((s.trigger("weird") == Trigger::started));
    BOOST_TEST_REQUIRE(s.wait_for_runs("weird", 2, deadline()));
    st = status_of(s, "weird");
    BOOST_TEST(st.failures == 2u);
    BOOST_TEST(st.last_error == "unknown exception");
}

BOOST_AUTO_TEST_CASE(stop_cancels_a_running_job_and_waits_for_it) {
    Scheduler s(2);
    Counter entered;
    std::atomic<bool> saw_cancelled{false};
    std::atomic<bool> returned{false};
    s.add(on_demand("poller", [&](JobRun& run) {
        entered.bump();
        const auto until = deadline();
        while (!run.cancelled.load() && steady::now() < until) {
            std::this_thread::sleep_for(1ms);
        }
        saw_cancelled = run.cancelled.load();
        std::this_thread::sleep_for(50ms); // a slow wind-down stop() must wait for
        returned = true;
    }));
    BOOST_TEST_REQUIRE((s.trigger("poller") == Trigger::started));
    BOOST_TEST_REQUIRE(entered.wait_for(1));

    auto stopped = std::async(std::launch::async, [&] { s.stop(); });
    BOOST_TEST_REQUIRE((stopped.wait_until(steady::now() + 10s) == std::future_status::ready));
    stopped.get();
    BOOST_TEST(saw_cancelled.load());
    BOOST_TEST(returned.load()); // stop() returned only after the body did
    const auto st = status_of(s, "poller");
    BOOST_TEST(!st.running);
    BOOST_TEST(st.runs == 1u);
}

BOOST_AUTO_TEST_CASE(stop_refuses_new_runs_and_is_idempotent) {
    Scheduler s(2);
    std::atomic<int> bodies{0};
    s.add(periodic("p", 1000s, 0s, [&](JobRun&) { ++bodies; }));
    s.start();
    BOOST_TEST(status_of(s, "p").next_run.has_value());
    s.stop();
    BOOST_TEST((s.trigger("p") == Trigger::stopped));
    BOOST_TEST((s.run_now("p") == Trigger::stopped));
    BOOST_TEST((s.trigger("nope") == Trigger::stopped));
    BOOST_TEST(!status_of(s, "p").next_run.has_value());
    BOOST_CHECK_NO_THROW(s.stop());
    BOOST_TEST(bodies.load() == 0);
    BOOST_TEST(status_of(s, "p").runs == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_job) {
    Scheduler s(2);
    s.add(on_demand("known", [](JobRun&) {}));
    BOOST_TEST((s.trigger("nope") == Trigger::unknown_job));
    BOOST_TEST((s.run_now("nope") == Trigger::unknown_job));
    BOOST_TEST(!s.status("nope").has_value());
    BOOST_TEST(!s.wait_for_runs("nope", 1, steady::now() + 100ms));
    BOOST_TEST(s.status().size() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_and_duplicate_jobs_are_rejected) {
    Scheduler s(2);
    s.add(on_demand("dup", [](JobRun&) {}));
    BOOST_CHECK_THROW(s.add(on_demand("dup", [](JobRun&) {})), std::invalid_argument);
    s.start();
    BOOST_CHECK_THROW(s.add(on_demand("dup", [](JobRun&) {})), std::invalid_argument);
    BOOST_CHECK_THROW(s.add(on_demand("", [](JobRun&) {})), std::invalid_argument);
    BOOST_CHECK_THROW(s.add(on_demand("nobody", nullptr)), std::invalid_argument);
    const auto all = s.status();
    BOOST_TEST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all[0].id == "dup");
}

BOOST_AUTO_TEST_CASE(destructor_stops_a_running_job) {
    auto s = std::make_unique<Scheduler>(2);
    Counter entered;
    std::atomic<bool> saw_cancelled{false};
    std::string id_after_cancel;
    s->add(on_demand("poller", [&](JobRun& run) {
        entered.bump();
        const auto until = deadline();
        while (!run.cancelled.load() && steady::now() < until) {
            std::this_thread::sleep_for(1ms);
        }
        saw_cancelled = run.cancelled.load();
        std::this_thread::sleep_for(20ms);
        // The run object must still be alive after cancellation (the host hands
        // it to the plugin as erp_job*); ASan flags a use after free here.
        id_after_cancel = run.job_id;
    }));
    BOOST_TEST_REQUIRE((s->trigger("poller") == Trigger::started));
    BOOST_TEST_REQUIRE(entered.wait_for(1));

    auto destroyed = std::async(std::launch::async, [&] { s.reset(); });
    BOOST_TEST_REQUIRE((destroyed.wait_until(steady::now() + 10s) == std::future_status::ready));
    destroyed.get();
    BOOST_TEST(saw_cancelled.load());
    BOOST_TEST(id_after_cancel == "poller");
}
