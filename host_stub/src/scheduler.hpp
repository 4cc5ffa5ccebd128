// Scheduler: runs jobs on a Boost.Asio worker pool, periodically with jitter,
// single-flight per job, cancellable at stop.
#pragma once

#include "job_run.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace erp::host {

struct JobSpec {
    std::string id;
    std::chrono::seconds interval{0}; // 0 = on demand only
    std::chrono::seconds jitter{0};   // random extra delay in [0, jitter] per run
    // Runs on a worker thread; must poll run.cancelled. Exceptions are caught
    // and counted as a failed run.
    std::function<void(JobRun& run)> body;
};

struct JobStatus {
    std::string id;
    bool running = false;
    uint64_t runs = 0;     // finished runs
    uint64_t failures = 0; // runs whose body threw
    uint64_t skipped = 0;  // due runs skipped because one was in progress
    std::optional<std::chrono::system_clock::time_point> last_start, last_end, next_run;
    std::string last_error;
};

class Scheduler {
  public:
    explicit Scheduler(unsigned workers = 2);
    ~Scheduler(); // stop()
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Before or after start(); throws std::invalid_argument on a duplicate id.
    void add(JobSpec spec);

    // Begins periodic scheduling (first run after interval + jitter).
    void start();

    enum class Trigger { started, already_running, unknown_job, stopped };
    // Runs the job now on a worker (single-flight applies).
    Trigger trigger(const std::string& id, std::string params_json = "{}");

    // Runs the job now on the calling thread and returns when it ends (for the
    // CLI's run-job). Returns already_running if a run is in progress.
    // The body's exception, if any, is rethrown.
    Trigger run_now(const std::string& id, std::string params_json = "{}");

    // Cancels running jobs (run.cancelled = true), stops timers, waits for
    // running bodies to return, joins the workers. Idempotent.
    void stop();

    std::vector<JobStatus> status() const;
    std::optional<JobStatus> status(const std::string& id) const;

    // Blocks until `id` has finished at least `runs` runs or `deadline` passes;
    // returns whether it got there. For tests and the CLI (no fixed sleeps).
    bool wait_for_runs(const std::string& id, uint64_t runs, std::chrono::steady_clock::time_point deadline) const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace erp::host
