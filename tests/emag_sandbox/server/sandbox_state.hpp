// SandboxState: everything a running sandbox holds, shared by the API
// pipeline, the control routes and the HTTP sessions: the accounts and their
// Marketplaces, the rate limiter, faults, request log and mutator.
#pragma once

#include "core/marketplace.hpp"
#include "faults.hpp"
#include "mutator.hpp"
#include "rate_limiter.hpp"
#include "request_log.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace emag::sandbox {

struct AccountConfig {
    std::string name;
    std::string user;
    std::string password;
    std::string platform = "ro";
};

struct SandboxState {
    std::vector<AccountConfig> accounts;
    std::map<std::string, std::unique_ptr<Marketplace>> markets; // by account name
    std::unique_ptr<RateLimiter> limiter;
    std::unique_ptr<Faults> faults;
    std::unique_ptr<RequestLog> log;
    std::unique_ptr<Mutator> mutator; // after markets: destroyed first

    std::atomic<uint64_t> unauthorized{0};
    std::mutex fault_mu;
    std::map<std::string, uint64_t> faults_injected; // kind name -> count

    const AccountConfig* find_account(const std::string& name) const {
        for (const auto& a : accounts)
            if (a.name == name)
                return &a;
        return nullptr;
    }
};

} // namespace emag::sandbox
