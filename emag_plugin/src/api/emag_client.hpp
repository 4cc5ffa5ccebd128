// EmagClient: every call the plugin makes to one eMAG account goes through
// here (DESIGN.md §5.1). It builds the request (Basic auth, body encoding),
// waits for the route group's rate slot, sends it through the Transport,
// classifies the answer (envelope.hpp), retries what is worth retrying,
// writes one request-log line per attempt and keeps the counters.
//
// Asynchronous inside: each call is a small state machine on the client's
// own scheduling thread, so up to max_in_flight requests per group wait for
// their rate slot or their answer at once and network latency does not eat
// the budget. Callers choose submit() (callback), call_async() (future) or
// call() (blocking). Thread-safe; callbacks run on the scheduling thread and
// must not block on another call of the same client.
#pragma once

#include "api/client_metrics.hpp"
#include "api/client_options.hpp"
#include "api/envelope.hpp"
#include "config/secret.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <future>
#include <memory>
#include <string>

namespace erp::emag {

class RequestLog;
class Transport;

struct AccountEndpoint {
    std::string name;     // the account's name in the config (labels, logs)
    std::string base_url; // MARKETPLACE_API_URL, e.g. https://marketplace-api.emag.ro/api-3
    std::string username;
    Secret password;
};

struct ApiCall {
    std::string method = "POST";
    std::string route; // below /api-3: "order/read", "order/acknowledge/123", "offer_stock/45"
    // POST: the request's `data` (filters, pagination, or the list of
    // entities), encoded as the options say; null sends no body.
    nlohmann::json data;
    // PATCH offer_stock and other REST-style routes: the JSON body as is
    // (e.g. {"stock": 5}); used instead of `data` when not null.
    nlohmann::json json_body;
};

// Either a result or an error (never both).
struct CallOutcome {
    std::optional<ApiResult> result;
    ErrorInfo error;
    bool ok() const noexcept { return result.has_value(); }
};

class EmagClient {
  public:
    using Done = std::function<void(CallOutcome)>;

    // `log` may be null (no request log). Throws std::invalid_argument on an
    // unusable endpoint or options.
    EmagClient(AccountEndpoint endpoint, std::shared_ptr<Transport> transport, ClientOptions options,
               std::shared_ptr<RequestLog> log);
    ~EmagClient(); // stop()
    EmagClient(const EmagClient&) = delete;
    EmagClient& operator=(const EmagClient&) = delete;

    // Queues the call; `done` is called exactly once. A call that cannot be
    // built (a form with more than 4000 variables, say) fails with a
    // validation error without being sent.
    void submit(ApiCall call, Done done);
    // The future's get() returns the result or throws ApiError.
    std::future<ApiResult> call_async(ApiCall call);
    ApiResult call(ApiCall call) { return call_async(std::move(call)).get(); }

    ClientMetrics metrics() const;
    const std::string& account() const noexcept;

    // Fails every call not yet answered with a transient "client stopped"
    // error and joins the scheduling thread. Idempotent.
    void stop();

  private:
    struct Core;
    std::shared_ptr<Core> core_;
};

// base64 of "user:password" for the Authorization header.
std::string basic_credential(const std::string& username, const Secret& password);

} // namespace erp::emag
