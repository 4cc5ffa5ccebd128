// SandboxServer: emag-sandbox's HTTP/1.1 keep-alive server (Boost.Beast) on
// loopback. It owns one Marketplace per account (each seeded from --seed and
// the account's name), the rate limiter, faults, request log and mutator,
// and routes /api-3/* (api_handler) and /_sandbox/* (control_routes).
//
// start() builds the data and listens; stop() (also from the destructor)
// closes the listener and every session — held responses (latency, hang)
// included — and joins all threads.
#pragma once

#include "faults.hpp"
#include "rate_limiter.hpp"
#include "sandbox_state.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace emag::sandbox {

struct SandboxOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8901; // 0 = a free port (see port())
    unsigned threads = 2;

    uint64_t seed = 42;
    std::size_t orders = 1000; // per account
    std::size_t offers = 500;  // per account
    double invalid_fraction = 0.01;
    // Empty: one account "sandbox", user "sandbox", password "sandbox-password", platform ro.
    std::vector<AccountConfig> accounts;

    bool rate_limits = true;                     // false: benchmarks only
    RateLimiter::Now rate_clock;                 // tests inject time; empty = steady_clock
    std::function<Clock::time_point()> data_now; // the Marketplaces' "now"; empty = system_clock

    std::vector<FaultRule> faults;
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds latency_jitter{0};
    std::chrono::milliseconds hang{60000};

    double mutation_rate = 0;
    double creation_ratio = 0.1;
    std::string callback_url;

    std::string request_log; // file path; "" = memory only
    std::size_t request_log_keep = 10000;
    std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// Account NAME:USER:PASSWORD[:PLATFORM] (the password may contain ':'; a
// last field naming a platform — ro, bg, hu, fd-ro, fd-bg — is the platform).
AccountConfig parse_account(const std::string& spec);

class SandboxServer {
  public:
    // Validates the options (throws std::invalid_argument).
    explicit SandboxServer(SandboxOptions options);
    ~SandboxServer();
    SandboxServer(const SandboxServer&) = delete;
    SandboxServer& operator=(const SandboxServer&) = delete;

    // Generates every account's data, binds, starts the io threads and the
    // mutator. Throws std::runtime_error when it cannot listen.
    void start();
    void stop();

    uint16_t port() const;
    std::string base_url() const; // http://HOST:PORT/api-3
    SandboxState& state();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace emag::sandbox
