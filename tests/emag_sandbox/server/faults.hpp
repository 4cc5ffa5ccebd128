// Faults: what can go wrong between an eMAG client and eMAG, injected per
// route so clients prove their retry and parsing paths.
//
// A rule is ROUTE_GLOB:KIND:FRACTION ("order/*:503:0.1"); '*' matches any
// run of characters, '/' included, so "*" is every API route. For each
// request the rules matching its route are tried in order against one
// uniform draw, so fractions of matching rules add up (capped at 1).
//
// Kinds and what the client sees:
//   500      HTTP 500, envelope {"isError":true,"messages":["Internal Server Error"],...}
//   502/503  the gateway's HTML error page (text/html), as nginx sends it
//   hang     the request is processed, then the response is held for
//            --hang-ms (default 60 s) — past any sane client timeout — and
//            sent if the client is still there; a retry sees the first
//            attempt's effect, as with a real timeout
//   truncate the real answer cut in half, Content-Length matching the cut
//   iserror  HTTP 200 {"isError":true,"messages":["Internal error, please retry"],"results":[]}
//   401      HTTP 401 as for wrong credentials or an IP that is not whitelisted
//   429      HTTP 429 {"message":"API rate limit exceeded"}, as past the limit
//   refuse   HTTP 400 {"isError":true,"messages":["..."]}: eMAG refusing the
//            data (a validation error; clients must not retry it)
// 500, 502, 503, iserror, 401, 429 and refuse answer before the Marketplace runs (nothing
// changes); hang and truncate wrap its real answer (the change happened).
//
// Latency: every API response waits latency + U(-jitter, +jitter) ms (never
// below 0). Draws come from one RNG seeded by --seed: the same seed and the
// same request order give the same faults.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace emag::sandbox {

enum class FaultKind { http500, http502, http503, hang, truncate, is_error, http401, http429, refuse };

const char* fault_name(FaultKind k);
std::optional<FaultKind> parse_fault_kind(std::string_view s);

struct FaultRule {
    std::string glob;
    FaultKind kind = FaultKind::http500;
    double fraction = 0;
};

// Parses ROUTE_GLOB:KIND:FRACTION (the glob may itself contain ':').
// Throws std::invalid_argument with a readable message.
FaultRule parse_fault_rule(const std::string& spec);

bool glob_match(std::string_view pattern, std::string_view text);

struct FaultOptions {
    std::vector<FaultRule> rules;
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds jitter{0};
    std::chrono::milliseconds hang{60000};
    uint64_t seed = 42;
};

// A fault's ready-made answer (for the kinds that replace the response).
struct FaultResponse {
    unsigned status = 200;
    std::string content_type;
    std::string body;
};

class Faults {
  public:
    explicit Faults(FaultOptions options);

    // The fault for this request, if any (one draw per call).
    std::optional<FaultKind> pick(std::string_view route);
    // The latency to add to this response (one draw per call when jittered).
    std::chrono::milliseconds latency();
    std::chrono::milliseconds hang_time() const { return options_.hang; }

    // The body for 500, 502, 503 and iserror.
    static FaultResponse replacement(FaultKind k);

    // Replaces the rules and the latency while the server runs (POST
    // /_sandbox/faults), so a test can make eMAG fail and then recover.
    void reconfigure(std::vector<FaultRule> rules, std::chrono::milliseconds latency, std::chrono::milliseconds jitter);

  private:
    FaultOptions options_; // guarded by mu_ (reconfigure runs beside requests)
    std::mutex mu_;
    std::mt19937_64 rng_;
};

} // namespace emag::sandbox
