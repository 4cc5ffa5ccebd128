// Marketplace: the eMAG sandbox's domain — one seller account's orders and
// offers, generated deterministically from a seed, and the eMAG API v4.4.9
// actions on them (order/read|count|acknowledge|save, product_offer/read|
// count|save, offer/save, offer_stock, vat/read), answered in eMAG's envelope.
// Transport concerns (HTTP, Basic auth, rate limits, faults, latency, the
// request log) live in ../server; this class never sees a socket.
//
// Thread-safe: every public member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace emag::sandbox {

using Clock = std::chrono::system_clock;

struct DataOptions {
    uint64_t seed = 42;
    std::size_t orders = 1000;
    std::size_t offers = 500;
    double invalid_fraction = 0.01; // orders that break eMAG's validation rules
    std::string platform = "ro";    // ro, bg, hu, fd-ro, fd-bg: currency, locale, time zone
    // "Now" for generated dates (history spreads back from it) and for
    // `modified` stamps; injectable so tests control time.
    std::function<Clock::time_point()> now = [] { return Clock::now(); };
};

// One API answer. `body` is the exact bytes to send.
struct ApiResult {
    unsigned http_status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

struct MutationReport {
    std::vector<uint64_t> created; // ids of new orders (status 1): callback targets
    std::vector<uint64_t> changed; // ids whose status moved (modified = now)
};

class Marketplace {
  public:
    explicit Marketplace(DataOptions options);
    ~Marketplace();
    Marketplace(const Marketplace&) = delete;
    Marketplace& operator=(const Marketplace&) = delete;

    // POST /api-3/<resource>/<action>[/<path_id>] with the request's `data`
    // (decoded from JSON or form encoding; null when absent). Unknown
    // resource/action pairs answer as eMAG does (404 with the envelope).
    ApiResult handle(const std::string& resource, const std::string& action, const std::optional<std::string>& path_id,
                     const nlohmann::json& data);

    // PATCH /api-3/offer_stock/<id> with a JSON body {"stock": N}: 204 empty,
    // or 400/404 {"message": ...} (no envelope), as eMAG documents.
    ApiResult patch_offer_stock(const std::string& id, const std::string& body);

    // Live mutation: moves `changes` random orders along eMAG's status matrix
    // (modified = now) and creates `creations` new status-1 orders.
    MutationReport mutate(std::size_t changes, std::size_t creations, std::mt19937_64& rng);

    // The sandbox's truth, for tests comparing a synced database exactly:
    // every order (both types) / offer as order/read and product_offer/read
    // would render it, sorted by id, as one JSON array.
    std::string orders_json() const;
    std::string offers_json() const;
    // Every offer update the sandbox applied (offer/save per offer,
    // product_offer/save, PATCH offer_stock; refused ones never), oldest
    // first, seq > since: {"next": last seq, "dropped": N, "entries": [{"seq",
    // "id", "route", and the values set: "sale_price", "status", "stock",
    // "vat_id" only when the request carried them}]}. Bounded to the last
    // 200000 entries; "dropped" counts the older ones discarded.
    std::string offer_updates_json(uint64_t since) const;
    std::size_t order_count() const;
    std::size_t offer_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace emag::sandbox
