#include "mutator.hpp"

#include "http_client.hpp"
#include "seeds.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace emag::sandbox {

using namespace std::chrono_literals;

namespace {

// A backlog beyond this means the listener is down or slow; old callbacks
// are dropped (counted) rather than growing memory.
constexpr std::size_t kMaxQueuedCallbacks = 10000;
constexpr auto kCallbackTimeout = 2s;
// Automatic steps are batched per tick; fractional credit carries over, so
// any rate (even 0.1/s) is honoured on average.
constexpr auto kTick = 50ms;

} // namespace

Mutator::Mutator(std::map<std::string, Marketplace*> markets, MutatorOptions options)
    : markets_(std::move(markets)), options_(std::move(options)) {
    if (!options_.callback_url.empty() && !parse_http_url(options_.callback_url))
        throw std::invalid_argument("--callback-url must be http://host[:port]/path (plain HTTP only), got '" +
                                    options_.callback_url + "'");
    // The mutation stream of each account depends on the seed and its name
    // only, not on how many accounts there are.
    for (const auto& [name, m] : markets_)
        rngs_.emplace(name, std::mt19937_64(derive_seed(options_.seed, "mutation:" + name)));
}

Mutator::~Mutator() {
    stop();
}

void Mutator::start() {
    if (!options_.callback_url.empty() && !callback_thread_.joinable())
        callback_thread_ = std::thread([this] { run_callbacks(); });
    if (options_.rate > 0 && !mutation_thread_.joinable())
        mutation_thread_ = std::thread([this] { run_mutation(); });
}

void Mutator::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (mutation_thread_.joinable())
        mutation_thread_.join();
    {
        std::lock_guard lock(cb_mu_);
        cb_stopping_ = true;
    }
    cb_cv_.notify_all();
    if (callback_thread_.joinable())
        callback_thread_.join();
}

void Mutator::pause() {
    std::lock_guard lock(mu_); // waits for a running step to finish
    paused_ = true;
}

void Mutator::resume() {
    {
        std::lock_guard lock(mu_);
        paused_ = false;
    }
    cv_.notify_all();
}

bool Mutator::paused() const {
    std::lock_guard lock(mu_);
    return paused_;
}

MutationReport Mutator::step(const std::string& account, std::size_t changes, std::size_t creations) {
    auto* market = markets_.at(account);
    MutationReport report;
    {
        std::lock_guard lock(mu_);
        report = market->mutate(changes, creations, rngs_.at(account));
        ++steps_;
        created_ += report.created.size();
        changed_ += report.changed.size();
    }
    queue_callbacks(account, report.created);
    return report;
}

void Mutator::run_mutation() {
    std::map<std::string, double> credit;
    auto next = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    for (;;) {
        next += kTick;
        cv_.wait_until(lock, next, [this] { return stopping_; });
        if (stopping_)
            return;
        if (paused_) {
            cv_.wait(lock, [this] { return stopping_ || !paused_; });
            next = std::chrono::steady_clock::now(); // no burst of missed ticks after a pause
            continue;
        }
        const double per_tick = options_.rate * std::chrono::duration<double>(kTick).count();
        for (auto& [name, market] : markets_) {
            double& c = credit[name];
            c += per_tick;
            const auto n = static_cast<std::size_t>(std::floor(c));
            if (n == 0)
                continue;
            c -= static_cast<double>(n);
            auto& rng = rngs_.at(name);
            std::binomial_distribution<std::size_t> creations_of(n, std::clamp(options_.creation_ratio, 0.0, 1.0));
            const std::size_t creations = creations_of(rng);
            const auto report = market->mutate(n - creations, creations, rng);
            ++steps_;
            created_ += report.created.size();
            changed_ += report.changed.size();
            if (!report.created.empty()) {
                lock.unlock();
                queue_callbacks(name, report.created);
                lock.lock();
                if (stopping_)
                    return;
                if (paused_)
                    break; // paused while the lock was released: no further step
            }
        }
        // Fell far behind (machine suspended, debugger): do not catch up in a burst.
        if (std::chrono::steady_clock::now() - next > 1s)
            next = std::chrono::steady_clock::now();
    }
}

void Mutator::queue_callbacks(const std::string& account, const std::vector<uint64_t>& ids) {
    if (options_.callback_url.empty() || ids.empty())
        return;
    {
        std::lock_guard lock(cb_mu_);
        for (auto id : ids) {
            callbacks_.emplace_back(account, id);
            if (callbacks_.size() > kMaxQueuedCallbacks) {
                callbacks_.pop_front();
                ++cb_dropped_;
            }
        }
    }
    cb_cv_.notify_one();
}

void Mutator::run_callbacks() {
    const HttpUrl base = *parse_http_url(options_.callback_url);
    HttpClient client(base.host, base.port, kCallbackTimeout);
    for (;;) {
        std::pair<std::string, uint64_t> job;
        {
            std::unique_lock lock(cb_mu_);
            cb_cv_.wait(lock, [this] { return cb_stopping_ || !callbacks_.empty(); });
            if (cb_stopping_)
                return; // pending callbacks are dropped at shutdown
            job = std::move(callbacks_.front());
            callbacks_.pop_front();
        }
        std::string target = base.target;
        for (auto pos = target.find("{account}"); pos != std::string::npos; pos = target.find("{account}", pos))
            target.replace(pos, 9, job.first);
        target += (target.find('?') == std::string::npos ? "?" : "&");
        target += "order_id=" + std::to_string(job.second);
        try {
            const auto reply = client.request("GET", target);
            if (reply.status >= 200 && reply.status < 300) {
                ++cb_sent_;
            } else {
                ++cb_failed_;
                spdlog::warn("callback GET {} answered HTTP {}", target, reply.status);
            }
        } catch (const std::exception& e) {
            ++cb_failed_;
            spdlog::warn("callback GET {} failed: {}", target, e.what());
        }
    }
}

nlohmann::json Mutator::stats() const {
    std::lock_guard lock(mu_);
    return {{"rate", options_.rate},
            {"creation_ratio", options_.creation_ratio},
            {"paused", paused_},
            {"steps", steps_},
            {"created", created_},
            {"changed", changed_},
            {"callbacks", {{"sent", cb_sent_.load()}, {"failed", cb_failed_.load()}, {"dropped", cb_dropped_.load()}}}};
}

} // namespace emag::sandbox
