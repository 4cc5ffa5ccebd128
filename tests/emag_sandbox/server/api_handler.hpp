// The /api-3 pipeline, in eMAG's order: Basic auth → rate limit → fault →
// Marketplace. Every API request (refused ones too) gets a request-log entry.
//
// Routes: POST /api-3/{resource}/{action}[/{id}] with a JSON {"data": ...} or
// a PHP form body; PATCH /api-3/offer_stock/{id} with {"stock": N}.
// Choices where eMAG's documentation is silent:
// - 401 body: the envelope {"isError":true,"messages":["Invalid username or
//   password"],"results":[]} with WWW-Authenticate: Basic (eMAG's exact 401
//   body is not stated). Unauthenticated requests are not rate limited (they
//   have no account to charge) and get no rate-limit headers.
// - A body that cannot be decoded (bad JSON, bad form) → HTTP 400 with the
//   envelope; the request still counted toward the rate limit.
// - Methods other than POST (and PATCH on offer_stock) → 405 with the
//   envelope and Allow: POST; a PATCH elsewhere → 404 {"message":"Invalid URL"}.
// - Latency (--latency-ms/--latency-jitter-ms) applies to every API answer,
//   401 and 429 included: it stands for the network and the gateway.
#pragma once

#include "http_types.hpp"
#include "sandbox_state.hpp"

#include <optional>
#include <string>

namespace emag::sandbox {

// The path below /api-3 split the way the Marketplace takes it:
// "order/acknowledge/123" → {"order", "acknowledge", "123"};
// "order/attachments/save" → {"order/attachments", "save", none}.
struct ApiRoute {
    std::string resource;
    std::string action;
    std::optional<std::string> id;
    // resource/action without the id: what the request log shows and fault
    // globs match ("order/acknowledge", "offer_stock").
    std::string name() const;
};

ApiRoute parse_api_route(const std::string& path_below_api);

// Handles a request whose path is /api-3 or below it.
SandboxResponse handle_api(SandboxState& state, const SandboxRequest& request);

} // namespace emag::sandbox
