#include "customers/customer_analytics.hpp"

#include "customers/customer_rules.hpp"
#include "store/timestamp.hpp"

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace erp::emag {
namespace {

constexpr const char* kCursorName = "customers";

std::string iso(std::chrono::system_clock::time_point t) {
    return iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

// A database error's text without the customer data it may quote (a
// PostgreSQL constraint error repeats the key, in its DETAIL line and
// possibly elsewhere): everything from "DETAIL" on is cut and every name or
// key of the batch replaced.
std::string scrubbed(std::string text, const std::set<std::string>& secrets) {
    if (const auto d = text.find("DETAIL"); d != std::string::npos) {
        text.resize(d);
    }
    for (const std::string& s : secrets) {
        if (s.size() < 3) {
            continue; // would mangle ordinary words; too short to identify anyone
        }
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
            text.replace(at, s.size(), "<redacted>");
        }
    }
    return text;
}

// One order whose contribution changed: what it was and what it is now.
struct Change {
    std::int64_t emag_id = 0;
    std::optional<OrderContribution> before, after;
    std::string modified_utc;
};

} // namespace

struct CustomerAnalytics::Pass {
    std::chrono::sys_seconds now;
    std::string now_iso;
    std::string cursor; // the highest updated_at committed
    AnalyticsReport report;
    std::set<std::pair<std::string, std::string>> touched;
    std::set<std::string> secrets; // names and keys of the batch being written
};

CustomerAnalytics::CustomerAnalytics(const std::string& db_url,
                                     std::function<std::chrono::system_clock::time_point()> now)
    : CustomerAnalytics(db_url, std::move(now), Options{}) {}

CustomerAnalytics::CustomerAnalytics(const std::string& db_url,
                                     std::function<std::chrono::system_clock::time_point()> now, Options options)
    : now_(std::move(now)), options_(options), writer_(std::make_unique<CustomerStore>(db_url)),
      reader_(std::make_unique<CustomerStore>(db_url)) {}

CustomerAnalytics::~CustomerAnalytics() = default;

AnalyticsReport CustomerAnalytics::update() {
    const std::lock_guard lock(mutex_);
    Pass pass;
    pass.now = std::chrono::floor<std::chrono::seconds>(now_());
    pass.now_iso = iso(pass.now);
    OrderPosition pos;
    if (const auto cursor = writer_->cursor(kCursorName)) {
        pass.cursor = *cursor;
        if (const auto at = parse_iso8601_utc(*cursor)) {
            pos.updated_at = iso(*at - options_.overlap);
        }
    }
    try {
        for (;;) {
            const std::vector<AnalyticsOrderRow> rows = writer_->orders_after(pos, options_.batch_size);
            if (rows.empty()) {
                break;
            }
            process(rows, pass);
            pos = {rows.back().updated_at, rows.back().account, rows.back().emag_id};
            if (static_cast<std::int64_t>(rows.size()) < options_.batch_size) {
                break;
            }
        }
        rescore(pass);
    } catch (const std::exception& e) {
        throw std::runtime_error("customer analytics: a batch after orders updated at " + pos.updated_at +
                                 " failed and was rolled back: " + scrubbed(e.what(), pass.secrets));
    }
    pass.report.customers_touched = pass.touched.size();
    return pass.report;
}

void CustomerAnalytics::process(const std::vector<AnalyticsOrderRow>& rows, Pass& pass) {
    pass.secrets.clear();
    std::map<std::string, std::vector<const AnalyticsOrderRow*>> by_account;
    for (const AnalyticsOrderRow& o : rows) {
        by_account[o.account].push_back(&o);
        pass.secrets.insert(o.customer_key);
        pass.secrets.insert(o.customer_name);
    }
    const std::unique_ptr<CustomerBatch> batch = writer_->begin_batch();
    for (const auto& [account, orders] : by_account) {
        std::vector<std::int64_t> ids;
        for (const AnalyticsOrderRow* o : orders) {
            ids.push_back(o->emag_id);
        }
        std::map<std::int64_t, OrderContribution> stored = batch->contributions(account, ids);

        // What changed, and which customers that touches.
        std::vector<Change> changes;
        std::set<std::string> keys;
        for (const AnalyticsOrderRow* o : orders) {
            ++pass.report.orders_seen;
            Change c{o->emag_id, std::nullopt, contribution_of(*o), o->modified_utc};
            if (!c.after) {
                ++pass.report.orders_without_customer;
            }
            if (const auto it = stored.find(o->emag_id); it != stored.end()) {
                c.before = std::move(it->second);
            }
            if (c.before == c.after) {
                continue; // reprocessing an unchanged order: nothing to do
            }
            for (const auto* side : {&c.before, &c.after}) {
                if (*side) {
                    keys.insert((*side)->customer_key);
                    pass.secrets.insert((*side)->name);
                }
            }
            ++pass.report.orders_changed;
            changes.push_back(std::move(c));
        }
        if (changes.empty()) {
            continue;
        }

        // Take each change's old contribution away and add its new one.
        const std::map<std::string, CustomerRow> loaded =
            batch->customers(account, std::vector<std::string>(keys.begin(), keys.end()));
        std::map<std::string, CustomerRow> work = loaded;
        for (const std::string& key : keys) {
            CustomerRow& c = work[key];
            c.account = account;
            c.customer_key = key;
        }
        std::set<std::string> refresh;
        for (const Change& c : changes) {
            if (c.before) {
                apply_contribution(work[c.before->customer_key], c.emag_id, *c.before, -1);
                if (needs_extremes_refresh(*c.before, c.after)) {
                    refresh.insert(c.before->customer_key);
                }
            }
            if (c.after) {
                apply_contribution(work[c.after->customer_key], c.emag_id, *c.after, +1);
            }
            batch->put_contribution(account, c.emag_id, c.after, c.before.has_value(), c.modified_utc, pass.now_iso);
        }
        // First/last order and name of customers that lost an order: read
        // back from the contributions just written (a min/max cannot be
        // undone by subtraction).
        for (const std::string& key : refresh) {
            CustomerRow& c = work[key];
            if (c.orders > 0) {
                const CustomerExtremes e = batch->extremes(account, key);
                c.first_order_utc = e.first_order_utc;
                c.last_order_utc = e.last_order_utc;
                c.last_order_id = e.last_order_id;
                c.name = e.name;
            }
        }
        for (auto& [key, c] : work) {
            c.loyalty_score = loyalty_score(c, pass.now);
            c.risk_level = risk_level(c);
            c.scored_at = pass.now_iso;
            c.updated_at = pass.now_iso;
            const auto it = loaded.find(key);
            batch->save_customer(it == loaded.end() ? std::nullopt : std::optional<CustomerRow>(it->second), c);
            pass.touched.emplace(account, key);
        }
    }
    if (rows.back().updated_at > pass.cursor) {
        pass.cursor = rows.back().updated_at;
    }
    batch->save_cursor(kCursorName, pass.cursor, pass.now_iso);
    batch->commit();
}

void CustomerAnalytics::rescore(Pass& pass) {
    // Found before the write transaction, so an update with nothing to
    // rescore never takes the write lock; loaded again inside it.
    std::map<std::string, std::vector<std::string>> stale;
    for (auto& [account, key] : writer_->stale_scores(iso(pass.now - options_.rescore_after), options_.rescore_limit)) {
        stale[account].push_back(std::move(key));
    }
    if (stale.empty()) {
        return;
    }
    const std::unique_ptr<CustomerBatch> batch = writer_->begin_batch();
    pass.secrets.clear();
    for (const auto& [account, keys] : stale) {
        pass.secrets.insert(keys.begin(), keys.end());
        for (const auto& [key, c] : batch->customers(account, keys)) {
            CustomerRow after = c;
            after.loyalty_score = loyalty_score(c, pass.now);
            after.risk_level = risk_level(c);
            after.scored_at = pass.now_iso;
            batch->save_customer(c, after);
        }
    }
    batch->commit();
}

CustomerPage CustomerAnalytics::list(const CustomerFilter& filter) {
    return reader_->list(filter);
}

std::optional<CustomerRow> CustomerAnalytics::find(const std::string& account, const std::string& key) {
    return reader_->find(account, key);
}

std::vector<CustomerOrderView> CustomerAnalytics::history(const std::string& account, const std::string& key,
                                                          std::int64_t limit) {
    return reader_->history(account, key, limit);
}

} // namespace erp::emag
