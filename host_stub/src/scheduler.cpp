// Scheduler on Boost.Asio. See scheduler.hpp for the contract; this file
// explains the choices behind it.
//
// Threads: one io_context serves the per-job timers, the posted triggers and
// the job bodies themselves. A body runs inline in its completion handler, so
// it occupies one io thread until it returns. Single-flight caps the number of
// running bodies at one per job, so the pool is kept at
// max(workers, jobs + 1) threads (grown in add()): however many bodies are
// running, at least one thread is free to fire timers and start other jobs, and
// a long job can never starve another job's run. The alternative, a separate
// fixed-size body pool, would either queue bodies behind long jobs (a started
// trigger waiting for minutes) or need the same per-job sizing anyway, with a
// hand-off between two pools on every run.
//
// Schedule: each periodic job keeps a nominal grid start + k * interval; run k
// fires at grid point k plus a fresh random jitter in [0, jitter]. Measuring
// from the grid rather than from the previous (jittered) fire time keeps the
// average period equal to `interval` instead of drifting by jitter/2 per run,
// and a slow body does not shift the schedule: slots that come due while it
// still runs are counted as skipped.
//
// Locking: one mutex guards all job state, the timers and the thread list.
// Bodies always run without it held, so a body may call status() or trigger()
// another job.

#include "scheduler.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

namespace erp::host {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using system_clock = std::chrono::system_clock;

namespace {

// Timers run on the steady clock (immune to wall-clock changes); status
// reports wall-clock times, so a due time is translated at the moment it is
// read.
system_clock::time_point to_system(steady::time_point t) {
    return system_clock::now() + std::chrono::duration_cast<system_clock::duration>(t - steady::now());
}

} // namespace

struct Scheduler::Impl {
    struct Job {
        Job(JobSpec s, asio::io_context& io) : spec(std::move(s)), timer(io) {}
        const JobSpec spec; // immutable after add(), so bodies read it unlocked
        asio::steady_timer timer;
        steady::time_point nominal{};               // current grid point
        std::optional<steady::time_point> next_due; // armed fire time (with jitter)
        bool running = false;                       // set when a run is accepted, not when its body begins,
                                                    // so a second request in between is refused
        // Shared with the executing frame: the body gets a reference that the
        // host hands across the C ABI, so it must outlive the body even if
        // the job's bookkeeping moves on; stop() reaches it here to cancel.
        std::shared_ptr<JobRun> current;
        uint64_t runs = 0, failures = 0, skipped = 0;
        std::optional<system_clock::time_point> last_start, last_end;
        std::string last_error;
    };

    // Declared first so it is destroyed last: the timers in jobs_ refer to it.
    asio::io_context io_;
    unsigned workers_;
    mutable std::mutex mu_;
    mutable std::condition_variable changed_;          // a run ended
    std::map<std::string, std::unique_ptr<Job>> jobs_; // unique_ptr: handlers keep Job&
    std::vector<std::thread> threads_;
    // Keeps run() returning only when stop() releases it, so idle workers
    // wait for triggers instead of exiting.
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::mt19937_64 rng_{std::random_device{}()};
    bool started_ = false;
    bool stopped_ = false;
    std::mutex stop_mu_; // serialises concurrent stop() calls

    explicit Impl(unsigned workers) : workers_(std::max(1u, workers)) {
        work_.emplace(asio::make_work_guard(io_));
        std::lock_guard lk(mu_);
        try {
            grow_pool_locked(0);
        } catch (...) {
            // No destructor runs for a half-built Impl; joinable threads left
            // behind would call std::terminate.
            work_.reset();
            for (auto& t : threads_) {
                t.join();
            }
            throw;
        }
    }

    ~Impl() { stop(); }

    void grow_pool_locked(std::size_t jobs) {
        const std::size_t want = std::max<std::size_t>(workers_, jobs + 1);
        while (threads_.size() < want) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }

    steady::duration draw_jitter_locked(const Job& j) {
        using ms = std::chrono::milliseconds;
        const auto max_ms = std::chrono::duration_cast<ms>(j.spec.jitter).count();
        if (max_ms <= 0) {
            return steady::duration::zero();
        }
        std::uniform_int_distribution<ms::rep> dist(0, max_ms);
        return ms(dist(rng_));
    }

    void arm_locked(Job& j) {
        const auto due = j.nominal + draw_jitter_locked(j);
        j.next_due = due;
        j.timer.expires_at(due);
        j.timer.async_wait([this, &j](const boost::system::error_code& ec) { on_timer(j, ec); });
    }

    void schedule_first_locked(Job& j) {
        if (j.spec.interval.count() <= 0) {
            return; // on demand only
        }
        j.nominal = steady::now() + j.spec.interval;
        arm_locked(j);
    }

    std::shared_ptr<JobRun> begin_run_locked(Job& j, std::string params_json) {
        auto run = std::make_shared<JobRun>();
        run->job_id = j.spec.id;
        run->params_json = std::move(params_json);
        j.running = true;
        j.current = run;
        return run;
    }

    void on_timer(Job& j, const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted) {
            return; // stop() cancelled the timer
        }
        std::shared_ptr<JobRun> run;
        {
            std::lock_guard lk(mu_);
            // A timer that completed just before stop() cancelled it still
            // lands here with success; stopped_ is the authority.
            if (stopped_) {
                return;
            }
            if (j.running) {
                ++j.skipped;
            } else {
                run = begin_run_locked(j, "{}");
            }
            j.nominal += j.spec.interval;
            // If the host was suspended or starved past whole intervals, move
            // to the next future grid point rather than firing a burst of
            // catch-up runs; those slots were never due while we were awake.
            const auto now = steady::now();
            if (j.nominal <= now) {
                const auto behind = (now - j.nominal) / j.spec.interval + 1;
                j.nominal += behind * j.spec.interval;
            }
            arm_locked(j);
        }
        if (run) {
            execute(j, std::move(run), false);
        }
    }

    // Runs the body with the bookkeeping around it. With rethrow, the body's
    // exception reaches the caller (run_now); otherwise it is only recorded,
    // because an exception escaping into io_context::run() would kill a worker.
    void execute(Job& j, std::shared_ptr<JobRun> run, bool rethrow) {
        if (run->cancelled.load()) {
            // Accepted, but stop() came before the body began: do not start a
            // plugin job during shutdown. Not counted as a run: nothing ran.
            finish_unstarted(j);
            return;
        }
        {
            std::lock_guard lk(mu_);
            j.last_start = system_clock::now();
        }
        std::exception_ptr error;
        std::string message;
        try {
            j.spec.body(*run);
        } catch (const std::exception& e) {
            error = std::current_exception();
            message = e.what();
        } catch (...) {
            error = std::current_exception();
            message = "unknown exception";
        }
        {
            std::lock_guard lk(mu_);
            j.running = false;
            j.current.reset();
            ++j.runs;
            if (error) {
                ++j.failures;
                j.last_error = std::move(message);
            }
            j.last_end = system_clock::now();
        }
        changed_.notify_all();
        if (error && rethrow) {
            std::rethrow_exception(error);
        }
    }

    void finish_unstarted(Job& j) {
        {
            std::lock_guard lk(mu_);
            j.running = false;
            j.current.reset();
        }
        changed_.notify_all();
    }

    Job* find_locked(const std::string& id) const {
        auto it = jobs_.find(id);
        return it == jobs_.end() ? nullptr : it->second.get();
    }

    void add(JobSpec spec) {
        if (spec.id.empty()) {
            throw std::invalid_argument("scheduler: job id must not be empty");
        }
        if (!spec.body) {
            throw std::invalid_argument("scheduler: job '" + spec.id + "' has no body");
        }
        if (spec.interval.count() < 0 || spec.jitter.count() < 0) {
            throw std::invalid_argument("scheduler: job '" + spec.id + "' has a negative interval or jitter");
        }
        std::lock_guard lk(mu_);
        if (jobs_.count(spec.id) != 0) {
            throw std::invalid_argument("scheduler: duplicate job id '" + spec.id + "'");
        }
        if (!stopped_) {
            // Before inserting: if a thread cannot be created, the job is not
            // added rather than added without a guaranteed thread.
            grow_pool_locked(jobs_.size() + 1);
        }
        // After stop() the job is still recorded, so status() lists it, but
        // it never runs.
        auto id = spec.id;
        auto& j = *jobs_.emplace(std::move(id), std::make_unique<Job>(std::move(spec), io_)).first->second;
        if (started_ && !stopped_) {
            schedule_first_locked(j);
        }
    }

    void start() {
        std::lock_guard lk(mu_);
        if (started_ || stopped_) {
            return;
        }
        started_ = true;
        for (auto& [id, j] : jobs_) {
            schedule_first_locked(*j);
        }
    }

    // Claims a run of `id` for single-flight: the run to execute, or the
    // reason there is none (stopped, unknown, already running — counted as
    // skipped).
    std::shared_ptr<JobRun> claim(const std::string& id, std::string params_json, Job*& j, Trigger& refused) {
        std::lock_guard lk(mu_);
        if (stopped_) {
            refused = Trigger::stopped;
            return nullptr;
        }
        j = find_locked(id);
        if (j == nullptr) {
            refused = Trigger::unknown_job;
            return nullptr;
        }
        if (j->running) {
            ++j->skipped;
            refused = Trigger::already_running;
            return nullptr;
        }
        return begin_run_locked(*j, std::move(params_json));
    }

    Trigger trigger(const std::string& id, std::string params_json) {
        Job* j = nullptr;
        Trigger refused = Trigger::started;
        auto run = claim(id, std::move(params_json), j, refused);
        if (!run) {
            return refused;
        }
        asio::post(io_, [this, j, run = std::move(run)]() mutable { execute(*j, std::move(run), false); });
        return Trigger::started;
    }

    Trigger run_now(const std::string& id, std::string params_json) {
        Job* j = nullptr;
        Trigger refused = Trigger::started;
        auto run = claim(id, std::move(params_json), j, refused);
        if (!run) {
            return refused;
        }
        execute(*j, std::move(run), true);
        return Trigger::started;
    }

    // Must not be called from a job body: it waits for every body to return,
    // its caller's included (detected and refused for pool threads; a run_now
    // body calling it would wait for itself forever).
    void stop() {
        std::lock_guard stop_lk(stop_mu_);
        std::vector<std::thread> threads;
        {
            std::lock_guard lk(mu_);
            const auto self = std::this_thread::get_id();
            for (const auto& t : threads_) {
                if (t.get_id() == self) {
                    // Joining ourselves would deadlock; fail loudly instead.
                    throw std::logic_error("scheduler: stop() called from a job body");
                }
            }
            if (!stopped_) {
                stopped_ = true;
                for (auto& [id, j] : jobs_) {
                    if (j->current) {
                        j->current->cancelled.store(true);
                    }
                    j->timer.cancel();
                    j->next_due.reset();
                }
            }
            threads.swap(threads_);
            // Let run() return once the cancelled timers' handlers and the
            // running bodies are done. io_.stop() would instead drop posted
            // triggers unrun and leave their jobs marked running forever.
            work_.reset();
        }
        for (auto& t : threads) {
            t.join();
        }
        // run_now bodies run on callers' threads, outside the pool.
        std::unique_lock lk(mu_);
        changed_.wait(lk, [this] {
            return std::none_of(jobs_.begin(), jobs_.end(), [](const auto& kv) { return kv.second->running; });
        });
    }

    JobStatus status_locked(const Job& j) const {
        JobStatus s;
        s.id = j.spec.id;
        s.running = j.running;
        s.runs = j.runs;
        s.failures = j.failures;
        s.skipped = j.skipped;
        s.last_start = j.last_start;
        s.last_end = j.last_end;
        if (j.next_due) {
            s.next_run = to_system(*j.next_due);
        }
        s.last_error = j.last_error;
        return s;
    }
};

Scheduler::Scheduler(unsigned workers) : impl_(std::make_shared<Impl>(workers)) {}

Scheduler::~Scheduler() {
    if (impl_) {
        impl_->stop();
    }
}

void Scheduler::add(JobSpec spec) {
    impl_->add(std::move(spec));
}

void Scheduler::start() {
    impl_->start();
}

Scheduler::Trigger Scheduler::trigger(const std::string& id, std::string params_json) {
    return impl_->trigger(id, std::move(params_json));
}

Scheduler::Trigger Scheduler::run_now(const std::string& id, std::string params_json) {
    return impl_->run_now(id, std::move(params_json));
}

void Scheduler::stop() {
    impl_->stop();
}

std::vector<JobStatus> Scheduler::status() const {
    std::lock_guard lk(impl_->mu_);
    std::vector<JobStatus> out;
    out.reserve(impl_->jobs_.size());
    for (const auto& [id, j] : impl_->jobs_) {
        out.push_back(impl_->status_locked(*j));
    }
    return out;
}

std::optional<JobStatus> Scheduler::status(const std::string& id) const {
    std::lock_guard lk(impl_->mu_);
    const auto* j = impl_->find_locked(id);
    if (j == nullptr) {
        return std::nullopt;
    }
    return impl_->status_locked(*j);
}

bool Scheduler::wait_for_runs(const std::string& id, uint64_t runs,
                              std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lk(impl_->mu_);
    return impl_->changed_.wait_until(lk, deadline, [&] {
        const auto* j = impl_->find_locked(id);
        return j != nullptr && j->runs >= runs;
    });
}

} // namespace erp::host
