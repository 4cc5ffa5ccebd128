// Mutator: eMAG's orders move while clients read them. At --mutation-rate R
// (steps per second per account) a thread applies Marketplace::mutate: each
// step is a new order with probability --creation-ratio, else a status move.
// /_sandbox/mutate runs one step on demand (also while paused, so tests can
// drive changes exactly).
//
// New-order callbacks (reference §3): for every created order, when a
// callback URL is set, GET URL?order_id=N ('&' when the URL already has a
// query; "{account}" in the URL is replaced by the account name, since one
// URL serves every account here while eMAG configures one per account).
// http:// only. Sent from a worker thread with a 2 s timeout, once: failures
// are logged and counted, never retried (eMAG's retry cadence is not stated).
#pragma once

#include "core/marketplace.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace emag::sandbox {

struct MutatorOptions {
    double rate = 0;             // steps per second per account; 0 = only on demand
    double creation_ratio = 0.1; // share of steps that create an order
    std::string callback_url;    // "" = no callbacks
    uint64_t seed = 42;
};

class Mutator {
  public:
    // `markets` must outlive the mutator. Throws std::invalid_argument on a
    // callback URL that is not http://host[:port]/...
    Mutator(std::map<std::string, Marketplace*> markets, MutatorOptions options);
    ~Mutator();
    Mutator(const Mutator&) = delete;
    Mutator& operator=(const Mutator&) = delete;

    void start();
    void stop(); // joins both threads; idempotent

    // Once pause() returns no automatic step is running or will start.
    void pause();
    void resume();
    bool paused() const;

    // One immediate step for `account` (throws std::out_of_range if unknown);
    // queues callbacks for the created orders.
    MutationReport step(const std::string& account, std::size_t changes, std::size_t creations);

    nlohmann::json stats() const;

  private:
    void run_mutation();
    void run_callbacks();
    void queue_callbacks(const std::string& account, const std::vector<uint64_t>& ids);

    std::map<std::string, Marketplace*> markets_;
    MutatorOptions options_;

    mutable std::mutex mu_; // steps, rngs, pause/stop flags, counters
    std::condition_variable cv_;
    std::map<std::string, std::mt19937_64> rngs_;
    bool paused_ = false;
    bool stopping_ = false;
    uint64_t steps_ = 0, created_ = 0, changed_ = 0;

    std::mutex cb_mu_;
    std::condition_variable cb_cv_;
    std::deque<std::pair<std::string, uint64_t>> callbacks_;
    bool cb_stopping_ = false;
    std::atomic<uint64_t> cb_sent_{0}, cb_failed_{0}, cb_dropped_{0};

    std::thread mutation_thread_;
    std::thread callback_thread_;
};

} // namespace emag::sandbox
