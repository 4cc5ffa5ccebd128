// CustomerAnalytics: keeps the customer tables up to date with emag_orders,
// incrementally. Each update() reads the orders written since its cursor
// (minus an overlap, see Options) in keyset batches; for each order it takes
// away what the order contributed last time (emag_customer_orders) and adds
// what it contributes now, so a customer's figures follow every change
// without ever being recomputed from all orders. A batch's changes and the
// cursor are committed in one transaction. The rules: customer_rules.hpp
// and docs/customers.md.
#pragma once

#include "store/customer_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

struct AnalyticsReport {
    std::uint64_t orders_seen = 0, orders_changed = 0, customers_touched = 0, orders_without_customer = 0;
};

class CustomerAnalytics {
  public:
    struct Options {
        // Orders are re-read from cursor − overlap: the order sync writes in
        // short transactions on another thread, so a row stamped just before
        // the cursor can commit just after a pass. Re-reading an unchanged
        // order is a no-op.
        std::chrono::seconds overlap{10};
        std::int64_t batch_size = 500;
        // A loyalty score ages with its last order: scores older than this
        // are recomputed from the counters, at most rescore_limit per update.
        std::chrono::hours rescore_after{24};
        std::int64_t rescore_limit = 1000;
    };

    // Throws soci::soci_error when the database cannot be opened.
    CustomerAnalytics(const std::string& db_url, std::function<std::chrono::system_clock::time_point()> now);
    CustomerAnalytics(const std::string& db_url, std::function<std::chrono::system_clock::time_point()> now,
                      Options options);
    ~CustomerAnalytics();
    CustomerAnalytics(const CustomerAnalytics&) = delete;
    CustomerAnalytics& operator=(const CustomerAnalytics&) = delete;

    // Processes the orders changed since the cursor. Thread-safe: calls are
    // serialized. Throws std::runtime_error on a database error (customer
    // names and keys scrubbed from the message); the failed batch is rolled
    // back and the next call starts again from the last committed cursor.
    AnalyticsReport update();

    // Reads (their own database session: they do not wait for update()).
    CustomerPage list(const CustomerFilter& filter);
    std::optional<CustomerRow> find(const std::string& account, const std::string& key);
    std::vector<CustomerOrderView> history(const std::string& account, const std::string& key, std::int64_t limit);

  private:
    struct Pass;
    void process(const std::vector<AnalyticsOrderRow>& rows, Pass& pass);
    void rescore(Pass& pass);

    std::mutex mutex_;
    std::function<std::chrono::system_clock::time_point()> now_;
    Options options_;
    std::unique_ptr<CustomerStore> writer_;
    std::unique_ptr<CustomerStore> reader_;
};

} // namespace erp::emag
