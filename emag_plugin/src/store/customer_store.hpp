// CustomerStore: the customer analytics tables of schema v4 (emag_customers,
// emag_customer_spend, emag_customer_cities, emag_customer_orders,
// emag_analytics_state) and the analytics' read of emag_orders. All customer
// SQL lives here; the rules are in customers/customer_rules.hpp and the
// incremental updater in customers/customer_analytics.hpp.
//
// Writes go through a CustomerBatch: one write transaction holding a batch's
// order contributions, the customers they touch AND the cursor, so a crash
// leaves either all of it or none (the next pass re-reads the orders and
// finds their contributions already applied, or not yet).
//
// SOCI stays out of this header. Thread-safe (one session under a mutex; a
// CustomerBatch holds that mutex until it is destroyed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

// What the analytics read of one emag_orders row.
struct AnalyticsOrderRow {
    std::string account;
    std::int64_t emag_id = 0;
    std::optional<int> status, payment_mode_id, is_storno;
    std::string currency;
    std::optional<std::int64_t> lines_total_x4, shipping_tax_x4;
    std::string customer_name, customer_key, city, date_utc, modified_utc;
    std::string updated_at;
    std::string payload; // the raw order JSON
};

// Keyset position in emag_orders: (updated_at, account, emag_id).
struct OrderPosition {
    std::string updated_at;
    std::string account;
    std::int64_t emag_id = 0;
};

// What one order contributes to its customer: an emag_customer_orders row.
// Two equal contributions mean reprocessing the order changes nothing.
struct OrderContribution {
    std::string customer_key;
    std::string name;        // the customer's name on this order
    int status = -1;         // -1: none given
    int payment_mode_id = 0; // 0: none given
    bool storno = false;
    std::string currency;
    std::int64_t total_x4 = 0; // the order's value (docs/customers.md), whatever its status
    std::string city;
    std::string date_utc;
    bool operator==(const OrderContribution&) const = default;
};

struct SpendTotal {
    std::int64_t orders = 0; // orders counted as spent in this currency
    std::int64_t total_x4 = 0;
    bool operator==(const SpendTotal&) const = default;
};

// One customer with its money per currency and its cities.
struct CustomerRow {
    std::string account, customer_key, name;
    std::int64_t orders = 0, canceled = 0, returned = 0, storno = 0, cod_refused = 0, pay_cod = 0, pay_transfer = 0,
                 pay_card = 0;
    std::string first_order_utc, last_order_utc; // "" when no order has a date
    std::int64_t last_order_id = 0;              // the latest order (by date, then id)
    int loyalty_score = 0;
    std::string risk_level; // "low" | "medium" | "high"
    std::string scored_at, updated_at;
    std::map<std::string, SpendTotal> spend;    // by currency
    std::map<std::string, std::int64_t> cities; // orders by shipping city
};

// The earliest order date and the latest order (date, id, name) of a
// customer, read back from its contributions.
struct CustomerExtremes {
    std::string first_order_utc, last_order_utc, name;
    std::int64_t last_order_id = 0;
};

// One line of a customer's order history (emag_customer_orders joined with
// emag_orders for the current order fields).
struct CustomerOrderView {
    std::int64_t emag_id = 0;
    std::string date_utc;
    std::optional<int> status, payment_mode_id;
    bool storno = false;
    std::int64_t total_x4 = 0;
    std::string currency, city;
};

enum class CustomerSort { orders, spent, last_order, loyalty, risk, cancel_rate, return_rate };

struct CustomerFilter {
    std::string account;    // "" = every account
    std::string risk_level; // "" = any
    // Contained in the name or the key (ASCII case-insensitive; % and _ literal).
    std::string text;
    CustomerSort sort = CustomerSort::last_order;
    bool descending = true;
    std::int64_t limit = 50; // > 0
    std::int64_t offset = 0;
};

struct CustomerPage {
    std::int64_t total = 0;
    std::vector<CustomerRow> rows; // with spend; cities left empty
};

class CustomerStore;

// One write transaction of the updater (see the header comment). Rolled back
// unless commit() is called.
class CustomerBatch {
  public:
    ~CustomerBatch();
    CustomerBatch(const CustomerBatch&) = delete;
    CustomerBatch& operator=(const CustomerBatch&) = delete;

    // The stored contributions of these orders of `account`, by id.
    std::map<std::int64_t, OrderContribution> contributions(const std::string& account,
                                                            const std::vector<std::int64_t>& ids);
    // These customers of `account` as stored (absent ones are not in the map).
    std::map<std::string, CustomerRow> customers(const std::string& account, const std::vector<std::string>& keys);

    // Writes (nullopt: deletes) an order's contribution; `existed` says
    // whether a row is stored (contributions() told). `modified_utc`: the
    // order's version, for people reading the table (not compared).
    void put_contribution(const std::string& account, std::int64_t emag_id, const std::optional<OrderContribution>& c,
                          bool existed, const std::string& modified_utc, const std::string& now_iso);
    // From the contributions written so far in this transaction.
    CustomerExtremes extremes(const std::string& account, const std::string& key);
    // Writes `after` where it differs from `before` (nullopt: not stored);
    // a customer left with no orders is deleted, spend and cities with it.
    void save_customer(const std::optional<CustomerRow>& before, const CustomerRow& after);
    void save_cursor(const std::string& name, const std::string& cursor_iso, const std::string& now_iso);

    void commit();

  private:
    friend class CustomerStore;
    struct Impl;
    explicit CustomerBatch(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

class CustomerStore {
  public:
    // Throws soci::soci_error when the database cannot be opened.
    explicit CustomerStore(const std::string& db_url);
    ~CustomerStore();
    CustomerStore(const CustomerStore&) = delete;
    CustomerStore& operator=(const CustomerStore&) = delete;

    // The cursor saved under `name`, if any.
    std::optional<std::string> cursor(const std::string& name);
    // Up to `limit` orders after `after` in (updated_at, account, emag_id) order.
    std::vector<AnalyticsOrderRow> orders_after(const OrderPosition& after, std::int64_t limit);

    // (account, key) of customers whose score was computed before
    // `before_iso`, oldest first, at most `limit`.
    std::vector<std::pair<std::string, std::string>> stale_scores(const std::string& before_iso, std::int64_t limit);

    // Begins a write transaction (holds this store's session until destroyed).
    std::unique_ptr<CustomerBatch> begin_batch();

    // Reads for the routes and the tests.
    CustomerPage list(const CustomerFilter& filter);
    std::optional<CustomerRow> find(const std::string& account, const std::string& key); // with cities
    // Newest first (date, then id); at most `limit`.
    std::vector<CustomerOrderView> history(const std::string& account, const std::string& key, std::int64_t limit);
    // Every customer (with spend and cities) and every contribution, in key
    // order: what two runs are compared by.
    std::vector<CustomerRow> all_customers();
    std::vector<std::pair<std::int64_t, OrderContribution>> all_contributions(const std::string& account);

  private:
    std::mutex mutex_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
