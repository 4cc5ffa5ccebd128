#include "offers/offers_service.hpp"

#include "api/emag_client.hpp"
#include "offers/offer_sync.hpp"
#include "orders/local_time.hpp"
#include "store/offer_store.hpp"
#include "store/outbound_store.hpp"

#include <future>

namespace erp::emag {
namespace {

std::optional<Decimal4> money(const std::optional<std::int64_t>& x4) {
    return x4 ? std::optional<Decimal4>(Decimal4{*x4}) : std::nullopt;
}

} // namespace

OffersService::OffersService(std::vector<OffersAccount> accounts, std::shared_ptr<OfferStore> offers,
                             std::shared_ptr<OutboundStore> outbound, OffersOptions options, Now now)
    : accounts_(std::move(accounts)), offers_(std::move(offers)), outbound_(std::move(outbound)),
      options_(std::move(options)), now_(now ? std::move(now) : Now([] { return std::chrono::system_clock::now(); })) {
    const std::string at = iso8601_utc(std::chrono::floor<std::chrono::seconds>(now_()));
    for (const OffersAccount& a : accounts_) {
        push_locks_[a.name] = std::make_unique<std::mutex>();
        outbound_->recover(a.name, at);
    }
    if (options_.background_push) {
        pusher_ = std::thread([this] { background(); });
    }
}

OffersService::~OffersService() {
    {
        const std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (pusher_.joinable()) {
        pusher_.join();
    }
}

const OffersAccount* OffersService::find(const std::string& name) const {
    for (const OffersAccount& a : accounts_) {
        if (a.name == name) {
            return &a;
        }
    }
    return nullptr;
}

std::vector<std::string> OffersService::account_names() const {
    std::vector<std::string> names;
    for (const OffersAccount& a : accounts_) {
        names.push_back(a.name);
    }
    return names;
}

bool OffersService::has_account(const std::string& name) const {
    return find(name) != nullptr;
}

std::set<int> OffersService::vat_ids(const std::string& account) const {
    const std::lock_guard lock(mu_);
    const auto it = vat_ids_.find(account);
    return it == vat_ids_.end() ? std::set<int>() : it->second;
}

OffersRunReport OffersService::sync(const Publish& publish, const std::function<bool()>& cancelled) {
    // One thread per account: each has its own budget at eMAG.
    std::vector<std::future<OffersRunReport>> runs;
    for (const OffersAccount& a : accounts_) {
        runs.push_back(std::async(std::launch::async, [&, &a = a] {
            OffersRunReport r;
            try {
                OfferSync s(*a.client, *offers_, a.name, options_.page_concurrency, now_, publish, cancelled);
                const OfferSyncStats st = s.run();
                r.stored = st.stored;
                r.quarantined = st.quarantined;
                r.cancelled = st.cancelled;
                r.outcomes.push_back({a.name, "offers", true, st.stored});
                const std::lock_guard lock(mu_);
                vat_ids_[a.name] = st.vat_ids;
            } catch (const std::exception& e) {
                r.failures.push_back(a.name + " offers: " + e.what());
                r.outcomes.push_back({a.name, "offers", false, 0});
                if (publish) {
                    publish(failed_progress(a.name, "offers", e.what()));
                }
            }
            return r;
        }));
    }
    OffersRunReport total;
    for (auto& f : runs) {
        const OffersRunReport r = f.get();
        total.failures.insert(total.failures.end(), r.failures.begin(), r.failures.end());
        total.stored += r.stored;
        total.quarantined += r.quarantined;
        total.cancelled = total.cancelled || r.cancelled;
        total.outcomes.insert(total.outcomes.end(), r.outcomes.begin(), r.outcomes.end());
    }
    return total;
}

OffersRunReport OffersService::push_account(const OffersAccount& a, const std::function<bool()>& cancelled) {
    OffersRunReport r;
    const std::lock_guard one_at_a_time(*push_locks_.at(a.name));
    try {
        OfferPusher pusher(*a.client, *outbound_, a.name, options_.push, now_, cancelled);
        const PushStats s = pusher.run();
        r.calls = s.calls;
        r.confirmed = s.confirmed;
        r.failed = s.failed;
        r.retried = s.retried;
        r.cancelled = s.cancelled;
    } catch (const std::exception& e) {
        r.failures.push_back(a.name + " offer push: " + e.what());
    }
    return r;
}

OffersRunReport OffersService::push(const std::function<bool()>& cancelled) {
    std::vector<std::future<OffersRunReport>> runs;
    for (const OffersAccount& a : accounts_) {
        runs.push_back(std::async(std::launch::async, [&, &a = a] { return push_account(a, cancelled); }));
    }
    OffersRunReport total;
    for (auto& f : runs) {
        const OffersRunReport r = f.get();
        total.failures.insert(total.failures.end(), r.failures.begin(), r.failures.end());
        total.calls += r.calls;
        total.confirmed += r.confirmed;
        total.failed += r.failed;
        total.retried += r.retried;
        total.cancelled = total.cancelled || r.cancelled;
    }
    return total;
}

EnqueueResult OffersService::enqueue(OfferChange change, const std::string& source) {
    std::vector<OfferChange> one;
    one.push_back(std::move(change));
    return enqueue_many(std::move(one), source).at(0);
}

std::vector<EnqueueResult> OffersService::enqueue_many(std::vector<OfferChange> changes, const std::string& source) {
    std::vector<EnqueueResult> out(changes.size());
    std::vector<OutboundStore::NewChange> rows;
    std::vector<std::size_t> row_of; // rows[k] is changes[row_of[k]]
    std::string names;
    for (const OffersAccount& a : accounts_) {
        names += (names.empty() ? "" : ", ") + a.name;
    }
    for (std::size_t i = 0; i < changes.size(); ++i) {
        OfferChange& change = changes[i];
        if (change.account.empty() && accounts_.size() == 1) {
            change.account = accounts_.front().name;
        }
        if (!has_account(change.account)) {
            out[i].problems.push_back(
                {"account",
                 change.account.empty() ? "is required: several accounts are configured (" + names + ")"
                                        : "is not a configured account (" + names + "), got \"" + change.account + "\"",
                 change.account.empty() ? "missing" : "unknown"});
            continue; // no account to file it under: not stored
        }
        OfferFacts facts;
        if (change.offer_id > 0) {
            if (const auto offer = offers_->find(change.account, change.offer_id)) {
                facts.offer_known = true;
                facts.min_sale_price = money(offer->min_sale_price_x4);
                facts.max_sale_price = money(offer->max_sale_price_x4);
                facts.recommended_price = money(offer->recommended_price_x4);
            }
        }
        facts.vat_ids = vat_ids(change.account);
        out[i].problems = validate_change(change, facts);
        out[i].queued = out[i].problems.empty();
        rows.push_back({change.account, change.offer_id, kind_name(change.kind), change.value_json().dump(), source,
                        out[i].queued ? std::string() : problems_json(out[i].problems).dump()});
        row_of.push_back(i);
    }
    const std::string at = iso8601_utc(std::chrono::floor<std::chrono::seconds>(now_()));
    const std::vector<std::int64_t> ids = outbound_->add(rows, at);
    bool any_queued = false;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        out[row_of[k]].id = ids[k];
        any_queued = any_queued || out[row_of[k]].queued;
    }
    if (any_queued) {
        {
            const std::lock_guard lock(mu_);
            wake_ = true;
        }
        cv_.notify_all();
    }
    return out;
}

void OffersService::background() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        // A queued change wakes it at once; retries come due on the interval.
        cv_.wait_for(lock, options_.push_interval, [&] { return wake_ || stopping_; });
        if (stopping_) {
            return;
        }
        wake_ = false;
        lock.unlock();
        push([this] {
            const std::lock_guard l(mu_);
            return stopping_;
        });
        lock.lock();
    }
}

} // namespace erp::emag
