#include "orders/orders_service.hpp"

#include "api/emag_client.hpp"
#include "orders/decimal.hpp"
#include "orders/order_actions.hpp"
#include "orders/order_fetch.hpp"

#include <future>

namespace erp::emag {

namespace {

bool same_token(const std::string& a, const std::string& b) {
    // Constant time in the token's length: no early exit on the first
    // differing byte.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::string& shorter = a.size() < b.size() ? a : b;
    const std::string& longer = a.size() < b.size() ? b : a;
    for (std::size_t i = 0; i < longer.size(); ++i) {
        diff |= static_cast<unsigned char>(longer[i] ^ (i < shorter.size() ? shorter[i] : 0));
    }
    return diff == 0 && !a.empty();
}

std::string now_iso(const std::function<std::chrono::system_clock::time_point()>& now) {
    return iso8601_utc(std::chrono::floor<std::chrono::seconds>(now()));
}

} // namespace

OrdersService::OrdersService(std::vector<OrdersAccount> accounts, std::shared_ptr<OrderStore> store,
                             SyncOptions options, std::function<std::chrono::system_clock::time_point()> now)
    : accounts_(std::move(accounts)), store_(std::move(store)), options_(options),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }) {
    worker_ = std::thread([this] { worker(); });
}

OrdersService::~OrdersService() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

template <class Fn>
OrdersRunReport OrdersService::for_each_account(const Fn& fn) {
    // One thread per account: each has its own budget at eMAG, so accounts
    // sync side by side instead of waiting for each other.
    std::vector<std::future<OrdersRunReport>> runs;
    for (const OrdersAccount& a : accounts_) {
        runs.push_back(std::async(std::launch::async, [&fn, &a] {
            OrdersRunReport r;
            fn(a, r);
            return r;
        }));
    }
    OrdersRunReport total;
    for (auto& f : runs) {
        OrdersRunReport r = f.get();
        total.failures.insert(total.failures.end(), r.failures.begin(), r.failures.end());
        total.stored += r.stored;
        total.quarantined += r.quarantined;
        total.acknowledged += r.acknowledged;
        total.cancelled = total.cancelled || r.cancelled;
        total.outcomes.insert(total.outcomes.end(), r.outcomes.begin(), r.outcomes.end());
    }
    return total;
}

namespace {

void add(OrdersRunReport& r, const SyncStats& s) {
    r.stored += s.stored;
    r.quarantined += s.quarantined;
    r.acknowledged += s.acknowledged;
    r.cancelled = r.cancelled || s.cancelled;
}

} // namespace

OrdersRunReport OrdersService::each_stream(const char* kind, const Publish& publish,
                                           const std::function<bool()>& cancelled,
                                           const std::function<SyncStats(OrderSync&, int type)>& pass) {
    return for_each_account([&](const OrdersAccount& a, OrdersRunReport& r) {
        OrderSync s(*a.client, *store_, a.name, a.zone, options_, now_, publish, cancelled);
        for (int type : {3, 2}) {
            const std::string stream = OrderSync::stream_name(kind, type);
            try {
                const SyncStats st = pass(s, type);
                add(r, st);
                r.outcomes.push_back({a.name, stream, true, st.stored});
            } catch (const std::exception& e) {
                r.failures.push_back(a.name + " " + stream + ": " + e.what());
                r.outcomes.push_back({a.name, stream, false, 0});
                if (publish) {
                    publish(failed_progress(a.name, stream, e.what()));
                }
            }
        }
    });
}

OrdersRunReport OrdersService::sync(const Publish& publish, const std::function<bool()>& cancelled) {
    return each_stream("incremental", publish, cancelled, [](OrderSync& s, int type) { return s.incremental(type); });
}

OrdersRunReport OrdersService::backfill(unsigned days, const Publish& publish, const std::function<bool()>& cancelled) {
    const auto from = std::chrono::floor<std::chrono::seconds>(now_()) - std::chrono::seconds(days * 86400LL);
    return each_stream("backfill", publish, cancelled,
                       [from](OrderSync& s, int type) { return s.backfill(type, from); });
}

std::optional<std::string> OrdersService::callback(std::int64_t order_id, const std::string& token) {
    for (std::size_t i = 0; i < accounts_.size(); ++i) {
        if (!accounts_[i].callback_token.empty() && same_token(accounts_[i].callback_token, token)) {
            {
                std::lock_guard lock(mu_);
                queue_.emplace_back(i, order_id);
            }
            cv_.notify_all();
            return accounts_[i].name;
        }
    }
    return std::nullopt;
}

void OrdersService::worker() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) {
            return; // queued ids are read by the next sync pass anyway
        }
        const auto [index, id] = queue_.front();
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        bool ok = true;
        try {
            const OrdersAccount& a = accounts_[index];
            const std::string at = now_iso(now_);
            const FetchedOrder f = fetch_and_store_order(*a.client, *store_, a.name, a.zone, id, at);
            const auto field = [&](const char* key) {
                return f.order.is_object() && f.order.contains(key) ? int_from_json(f.order[key]) : std::nullopt;
            };
            if (f.found && f.valid && options_.acknowledge_new && field("type") == 3 && field("status") == 1 &&
                !store_->acknowledged_at(a.name, id)) {
                // Acknowledges, records it and stores the order as eMAG now
                // has it ("in progress"), like the acknowledge route.
                OrderActions actions(
                    *a.client, *store_, a.name, a.zone, [this] { return now_iso(now_); },
                    [this] { return std::chrono::floor<std::chrono::seconds>(now_()); });
                if (actions.acknowledge(id).http_status != 200) {
                    ok = false;
                }
            }
            ok = ok && f.found;
        } catch (const std::exception&) {
            ok = false; // the next sync pass reads the order anyway
        }
        lock.lock();
        busy_ = false;
        ++(ok ? done_ : failed_);
        cv_.notify_all();
    }
}

void OrdersService::drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
}

std::uint64_t OrdersService::callbacks_done() const {
    std::lock_guard lock(mu_);
    return done_;
}

std::uint64_t OrdersService::callbacks_failed() const {
    std::lock_guard lock(mu_);
    return failed_;
}

} // namespace erp::emag
