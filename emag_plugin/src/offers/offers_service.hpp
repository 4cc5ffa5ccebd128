// OffersService: what the plugin's offer jobs and routes do, for every
// account, once the plugin has started (plugin.cpp only registers them).
//
//   sync()     emag.offers.sync: every offer of every account (in parallel)
//              into emag_offers, and each account's VAT ids.
//   enqueue()  a price/stock/status change from a route or a job: checked
//              (validate_change, against the stored offer and VAT ids), then
//              queued, or kept as rejected with its problems; wakes the pusher.
//   push()     emag.offers.push: one pass sending what is due, all accounts.
//   A background thread pushes too: when a change is queued and every
//   `push_interval` (for retries that come due). One push per account at a
//   time, whoever runs it, so an offer is never in two requests at once.
// At construction, changes left `sending` by a host that died are queued
// again (OutboundStore::recover).
#pragma once

#include "offers/offer_change.hpp"
#include "offers/offer_push.hpp"
#include "orders/order_sync.hpp" // SyncProgress

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace erp::emag {

class EmagClient;
class OfferStore;
class OutboundStore;

struct OffersAccount {
    std::string name;
    std::shared_ptr<EmagClient> client;
};

struct OffersOptions {
    PushOptions push;
    unsigned page_concurrency = 3; // product_offer pages requested at once (3/s budget)
    std::chrono::milliseconds push_interval{std::chrono::seconds(5)};
    bool background_push = true;
};

struct OffersRunReport {
    std::vector<std::string> failures; // "ro1 offers: <error>" (no secrets)
    std::uint64_t stored = 0, quarantined = 0;
    std::uint64_t confirmed = 0, failed = 0, retried = 0, calls = 0;
    bool cancelled = false;
    std::vector<StreamOutcome> outcomes; // sync: one per account
};

struct EnqueueResult {
    std::int64_t id = 0; // the emag_outbound row
    bool queued = false; // false: rejected (problems say why), or not stored at all (id 0)
    std::vector<FieldProblem> problems;
};

class OffersService {
  public:
    using Publish = std::function<void(const SyncProgress&)>;
    using Now = std::function<std::chrono::system_clock::time_point()>;
    OffersService(std::vector<OffersAccount> accounts, std::shared_ptr<OfferStore> offers,
                  std::shared_ptr<OutboundStore> outbound, OffersOptions options, Now now = {});
    ~OffersService(); // stops the background pusher (a push in progress finishes its calls)
    OffersService(const OffersService&) = delete;
    OffersService& operator=(const OffersService&) = delete;

    OffersRunReport sync(const Publish& publish, const std::function<bool()>& cancelled);
    OffersRunReport push(const std::function<bool()>& cancelled);
    // `change.account` "" = the only account (a problem when there are several).
    EnqueueResult enqueue(OfferChange change, const std::string& source);
    // The same for a batch, stored in one transaction (the job
    // emag.offers.enqueue): one result per change, in order.
    std::vector<EnqueueResult> enqueue_many(std::vector<OfferChange> changes, const std::string& source);

    std::vector<std::string> account_names() const;
    bool has_account(const std::string& name) const;
    std::set<int> vat_ids(const std::string& account) const;
    OfferStore& offers() { return *offers_; }
    OutboundStore& outbound() { return *outbound_; }

  private:
    const OffersAccount* find(const std::string& name) const;
    OffersRunReport push_account(const OffersAccount& a, const std::function<bool()>& cancelled);
    void background();

    std::vector<OffersAccount> accounts_;
    std::shared_ptr<OfferStore> offers_;
    std::shared_ptr<OutboundStore> outbound_;
    OffersOptions options_;
    Now now_;
    std::map<std::string, std::unique_ptr<std::mutex>> push_locks_; // one push per account at a time
    mutable std::mutex mu_;
    std::map<std::string, std::set<int>> vat_ids_;
    std::condition_variable cv_;
    bool wake_ = false, stopping_ = false;
    std::thread pusher_;
};

} // namespace erp::emag
