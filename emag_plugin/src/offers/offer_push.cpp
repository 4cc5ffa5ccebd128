#include "offers/offer_push.hpp"

#include "api/emag_client.hpp"
#include "offers/offer_change.hpp"
#include "orders/local_time.hpp"
#include "store/outbound_store.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <set>

namespace erp::emag {
namespace {

using nlohmann::json;

struct Call {
    std::future<ApiResult> result;
    std::map<std::int64_t, std::vector<OutboundRow>> rows; // by offer
};

std::string messages_json(const std::vector<std::string>& messages, const std::string& detail = "") {
    json m = json::array();
    for (const std::string& s : messages)
        m.push_back(s);
    if (m.empty() && !detail.empty())
        m.push_back(detail);
    return m.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::int64_t> ids_of(const std::vector<OutboundRow>& rows) {
    std::vector<std::int64_t> ids;
    for (const OutboundRow& r : rows)
        ids.push_back(r.id);
    return ids;
}

} // namespace

OfferPusher::OfferPusher(EmagClient& client, OutboundStore& store, std::string account, PushOptions options, Now now,
                         std::function<bool()> cancelled)
    : client_(client), store_(store), account_(std::move(account)), options_(std::move(options)),
      now_(now ? std::move(now) : Now([] { return std::chrono::system_clock::now(); })),
      cancelled_(std::move(cancelled)) {
    options_.batch_size = std::clamp(options_.batch_size, 1u, 50u);
    options_.in_flight = std::max(options_.in_flight, 1u);
    if (options_.backoff.empty())
        options_.backoff = {std::chrono::seconds(5)};
    options_.max_attempts = std::max(options_.max_attempts, 1u);
}

PushStats OfferPusher::run() {
    PushStats stats;
    std::set<std::int64_t> busy; // offers in a call now
    std::deque<Call> calls;
    const auto now_iso = [&] { return iso8601_utc(std::chrono::floor<std::chrono::seconds>(now_())); };
    // Back to the queue later, or failed for good after max_attempts.
    const auto retry = [&](const std::vector<OutboundRow>& rows, const std::string& messages) {
        std::vector<std::int64_t> again, give_up;
        unsigned attempts = 0;
        for (const OutboundRow& r : rows) {
            (static_cast<unsigned>(r.attempts) >= options_.max_attempts ? give_up : again).push_back(r.id);
            attempts = std::max(attempts, static_cast<unsigned>(r.attempts));
        }
        const auto delay =
            options_.backoff[std::min<std::size_t>(attempts == 0 ? 0 : attempts - 1, options_.backoff.size() - 1)];
        store_.retry_later(again, messages, iso8601_utc(std::chrono::ceil<std::chrono::seconds>(now_() + delay)));
        store_.fail(give_up, messages, now_iso());
        stats.retried += again.size();
        stats.failed += give_up.size();
    };
    const auto finish = [&](Call& call) {
        for (const auto& [offer, rows] : call.rows)
            busy.erase(offer);
        try {
            const ApiResult r = call.result.get();
            for (const auto& [offer, rows] : call.rows) {
                const json* entry = nullptr;
                if (r.results.is_object()) {
                    const auto it = r.results.find(std::to_string(offer));
                    if (it != r.results.end() && it->is_object())
                        entry = &*it;
                }
                if (!entry || !entry->contains("isError")) {
                    retry(rows, messages_json({}, "eMAG's answer has no result for offer " + std::to_string(offer)));
                    continue;
                }
                std::vector<std::string> msgs;
                if (const auto m = entry->find("messages"); m != entry->end() && m->is_array())
                    for (const json& s : *m)
                        msgs.push_back(s.is_string() ? s.get<std::string>() : s.dump());
                if (entry->value("isError", true) == false) {
                    store_.confirm(ids_of(rows), messages_json(msgs), now_iso());
                    stats.confirmed += rows.size();
                } else {
                    store_.fail(ids_of(rows), messages_json(msgs, "refused by eMAG"), now_iso());
                    stats.failed += rows.size();
                }
            }
        } catch (const ApiError& e) {
            const std::string msgs = messages_json(e.info().messages, describe(e.info()));
            for (const auto& [offer, rows] : call.rows) {
                if (e.kind() == ErrorKind::validation) {
                    store_.fail(ids_of(rows), msgs, now_iso());
                    stats.failed += rows.size();
                } else {
                    retry(rows, msgs);
                }
            }
        }
    };

    for (;;) {
        const bool stop = cancelled_ && cancelled_();
        stats.cancelled = stats.cancelled || stop;
        while (!stop && calls.size() < options_.in_flight) {
            std::vector<OutboundRow> rows = store_.claim(account_, now_iso(), options_.batch_size, busy);
            if (rows.empty())
                break;
            Call call;
            std::vector<std::int64_t> order; // offers in the order of their oldest change
            for (OutboundRow& r : rows) {
                auto& list = call.rows[r.offer_id];
                if (list.empty())
                    order.push_back(r.offer_id);
                list.push_back(std::move(r));
            }
            json entities = json::array();
            for (std::int64_t offer : order) {
                std::vector<std::string> values;
                for (const OutboundRow& r : call.rows[offer])
                    values.push_back(r.value_json);
                entities.push_back(offer_save_entity(offer, values));
                busy.insert(offer);
            }
            ApiCall api;
            api.route = "offer/save";
            api.data = std::move(entities);
            call.result = client_.call_async(std::move(api));
            ++stats.calls;
            calls.push_back(std::move(call));
        }
        if (calls.empty())
            break;
        finish(calls.front());
        calls.pop_front();
    }
    return stats;
}

} // namespace erp::emag
