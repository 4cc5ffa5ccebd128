// OrdersService: what the plugin's order jobs and the new-order callback do,
// for every account, once the plugin has started (clients and the store
// exist). plugin.cpp only registers these with the host.
//
//   sync()      emag.orders.sync: FBS then FBE incremental passes, accounts
//               in parallel (each has its own rate-limit budget).
//   backfill()  emag.orders.backfill: history back `days` days.
//   callback()  GET /callback/order?order_id=N&token=T: the token names the
//               account; answers at once and fetches the order on the
//               service's worker thread (then acknowledges it if new).
#pragma once

#include "orders/local_time.hpp"
#include "orders/order_sync.hpp"
#include "store/order_store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace erp::emag {

class EmagClient;

struct OrdersAccount {
    std::string name;
    std::shared_ptr<EmagClient> client; // shared: a running job keeps it alive past the plugin's stop
    TimeZone zone = TimeZone::utc();
    std::string callback_token; // empty: callbacks refused for this account
};

struct OrdersRunReport {
    std::vector<std::string> failures; // "ro1 incremental/fbs: <error>" (no secrets)
    std::uint64_t stored = 0;
    std::uint64_t quarantined = 0;
    std::uint64_t acknowledged = 0;
    bool cancelled = false;
    std::vector<StreamOutcome> outcomes; // one per account and stream pass
};

class OrdersService {
  public:
    using Publish = std::function<void(const SyncProgress&)>;

    OrdersService(std::vector<OrdersAccount> accounts, std::shared_ptr<OrderStore> store, SyncOptions options,
                  std::function<std::chrono::system_clock::time_point()> now = {});
    ~OrdersService(); // stops the worker
    OrdersService(const OrdersService&) = delete;
    OrdersService& operator=(const OrdersService&) = delete;

    OrdersRunReport sync(const Publish& publish, const std::function<bool()>& cancelled);
    OrdersRunReport backfill(unsigned days, const Publish& publish, const std::function<bool()>& cancelled);

    // The account whose callback token matches (constant-time compare), or
    // nullopt; when found, the fetch of `order_id` is queued.
    std::optional<std::string> callback(std::int64_t order_id, const std::string& token);

    // Waits until every queued callback fetch has run (tests, shutdown).
    void drain();
    std::uint64_t callbacks_done() const;
    std::uint64_t callbacks_failed() const;

    OrderStore& store() { return *store_; }

  private:
    template <class Fn>
    OrdersRunReport for_each_account(const Fn& fn);
    // One `kind` pass ("incremental", "backfill") per order type, FBS then
    // FBE, of every account: a failed pass is recorded, ends on the feed
    // (failed_progress) and the next one runs.
    OrdersRunReport each_stream(const char* kind, const Publish& publish, const std::function<bool()>& cancelled,
                                const std::function<SyncStats(OrderSync&, int type)>& pass);
    void worker();

    std::vector<OrdersAccount> accounts_;
    std::shared_ptr<OrderStore> store_;
    SyncOptions options_;
    std::function<std::chrono::system_clock::time_point()> now_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<std::size_t, std::int64_t>> queue_; // (account index, order id)
    bool busy_ = false;
    bool stopping_ = false;
    std::uint64_t done_ = 0, failed_ = 0;
    std::thread worker_;
};

} // namespace erp::emag
