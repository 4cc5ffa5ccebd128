#include "offers/offer_routes.hpp"

#include "offers/offers_service.hpp"
#include "routes/route_helpers.hpp"
#include "store/offer_store.hpp"
#include "store/outbound_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace erp::emag {
namespace {

using erp::plugin::Request;
using erp::plugin::Response;
using nlohmann::json;

json opt(const std::optional<int>& v) {
    return v ? json(*v) : json();
}

json opt64(const std::optional<std::int64_t>& v) {
    return v ? json(*v) : json();
}

json parsed(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(text) : j;
}

json offer_summary(const OfferRow& o) {
    return {{"account", o.account},
            {"offer_id", o.offer_id},
            {"part_number", o.part_number},
            {"part_number_key", o.part_number_key},
            {"ean", parsed(o.ean_json)},
            {"name", o.name},
            {"brand", o.brand},
            {"status", opt(o.status)},
            {"sale_price", x4_json(o.sale_price_x4)},
            {"recommended_price", x4_json(o.recommended_price_x4)},
            {"min_sale_price", x4_json(o.min_sale_price_x4)},
            {"max_sale_price", x4_json(o.max_sale_price_x4)},
            {"best_offer_sale_price", x4_json(o.best_offer_sale_price_x4)},
            {"currency", o.currency},
            {"vat_id", opt(o.vat_id)},
            {"stock", parsed(o.stock_json)},
            {"general_stock", opt64(o.general_stock)},
            {"estimated_stock", opt64(o.estimated_stock)},
            {"handling_time", parsed(o.handling_time_json)},
            {"validation_status", opt(o.validation_status)},
            {"translation_validation_status", opt(o.translation_validation_status)},
            {"offer_validation_status", opt(o.offer_validation_status)},
            {"buy_button_rank", opt(o.buy_button_rank)},
            {"number_of_offers", opt(o.number_of_offers)},
            {"last_seen_at", o.last_seen_at}};
}

json change_json(const OutboundRow& r) {
    auto text_or_null = [](const std::string& s) { return s.empty() ? json() : json(s); };
    return {{"id", r.id},
            {"account", r.account},
            {"offer_id", r.offer_id},
            {"kind", r.kind},
            {"value", parsed(r.value_json)},
            {"state", r.state},
            {"source", r.source},
            {"attempts", r.attempts},
            {"next_attempt_at", r.state == "queued" ? text_or_null(r.next_attempt_at) : json()},
            {"superseded_by", opt64(r.superseded_by)},
            {"messages", parsed(r.messages_json.empty() ? "[]" : r.messages_json)},
            {"enqueued_at", text_or_null(r.enqueued_at)},
            {"sent_at", text_or_null(r.sent_at)},
            {"finished_at", text_or_null(r.finished_at)}};
}

std::int64_t offer_id(const Request& req) {
    const auto id = uint_from_json(json(path_param(req, "id")), 4294967295ULL);
    if (!id || *id == 0) {
        throw HttpError{400, "bad_request", "the offer id in the path must be a whole number 1..4294967295"};
    }
    return static_cast<std::int64_t>(*id);
}

class Routes {
  public:
    explicit Routes(std::function<std::shared_ptr<OffersService>()> service) : service_(std::move(service)) {}

    void handle(Response& resp, const std::function<void(OffersService&)>& f) const {
        guarded(resp,
                [&] { f(*require_running<OffersService>(service_, "the eMAG plugin (with at least one account)")); });
    }

    // ?account=, or the only account.
    static std::string account(const Request& req, const OffersService& s, bool required_if_several = true) {
        const auto a = req.query_param("account");
        if (a && !a->empty()) {
            if (!s.has_account(*a)) {
                throw HttpError{404, "not_found", "no account \"" + *a + "\" is configured"};
            }
            return *a;
        }
        const auto names = s.account_names();
        if (names.size() == 1 || (!required_if_several && !names.empty())) {
            return names.front();
        }
        throw HttpError{400, "bad_request", "account=NAME is required: several accounts are configured"};
    }

    void list(const Request& req, Response& resp) const {
        handle(resp, [&](OffersService& s) {
            const std::string acc = account(req, s);
            const std::int64_t page = number_param(req, "page", 1, 1, 1000000);
            const std::int64_t per_page = number_param(req, "per_page", kDefaultPerPage, 1, kMaxPerPage);
            const std::string q = req.query_param("q").value_or("");
            if (q.size() > 100) {
                throw HttpError{400, "bad_request", "q is longer than 100 characters"};
            }
            json offers = json::array();
            for (const OfferRow& o : s.offers().list(acc, per_page, (page - 1) * per_page, q)) {
                offers.push_back(offer_summary(o));
            }
            send(resp, 200,
                 {{"account", acc},
                  {"q", q},
                  {"total", s.offers().count(acc, q)},
                  {"page", page},
                  {"per_page", per_page},
                  {"offers", std::move(offers)}});
        });
    }

    void detail(const Request& req, Response& resp) const {
        handle(resp, [&](OffersService& s) {
            const std::string acc = account(req, s);
            const std::int64_t id = offer_id(req);
            const auto o = s.offers().find(acc, id);
            if (!o) {
                throw HttpError{404, "not_found", "offer " + std::to_string(id) + " is not in emag_offers of " + acc};
            }
            json body = offer_summary(*o);
            body["payload"] = parsed(o->payload);
            OutboundFilter f;
            f.account = acc;
            f.offer_id = id;
            f.limit = 20;
            json changes = json::array();
            for (const OutboundRow& r : s.outbound().list(f)) {
                changes.push_back(change_json(r));
            }
            body["changes"] = std::move(changes);
            send(resp, 200, body);
        });
    }

    void change(const Request& req, Response& resp, ChangeKind kind) const {
        handle(resp, [&](OffersService& s) {
            const std::string acc = account(req, s);
            const std::int64_t id = offer_id(req);
            const json body = json::parse(req.body().empty() ? "{}" : req.body(), nullptr, false);
            if (body.is_discarded()) {
                throw HttpError{400, "bad_request", "the body is not valid JSON"};
            }
            ChangeParse p = parse_change(body, kind);
            if (!p.change) {
                json err = error_body("bad_request", "the change is malformed");
                err["error"]["problems"] = problems_json(p.problems);
                send(resp, 400, err);
                return;
            }
            p.change->account = acc;
            p.change->offer_id = id;
            const EnqueueResult r = s.enqueue(*p.change, "route");
            const auto row = s.outbound().find(r.id);
            if (r.queued) {
                send(resp, 202, {{"change", row ? change_json(*row) : json()}});
                return;
            }
            json err = error_body("validation", "the change was refused before sending: " +
                                                    (r.problems.empty() ? std::string("?") : r.problems[0].message));
            err["error"]["problems"] = problems_json(r.problems);
            err["change"] = row ? change_json(*row) : json();
            send(resp, 422, err);
        });
    }

    // A failed change (the dead letter) sent again: the same value, checked
    // again, queued as a new change (source "retry of N"); the failed row
    // stays as it was, for the record.
    void retry(const Request& req, Response& resp) const {
        handle(resp, [&](OffersService& s) {
            const auto id = uint_from_json(json(path_param(req, "id")), 9223372036854775807ULL);
            if (!id || *id == 0) {
                throw HttpError{400, "bad_request", "the change id in the path must be a whole number from 1"};
            }
            const auto row = s.outbound().find(static_cast<std::int64_t>(*id));
            if (!row) {
                throw HttpError{404, "not_found", "there is no outbound change " + std::to_string(*id)};
            }
            if (row->state != "failed") {
                throw HttpError{409, "conflict",
                                "change " + std::to_string(*id) + " is " + row->state +
                                    ": only failed changes (the dead letter) can be retried"};
            }
            ChangeParse p = parse_change(parsed(row->value_json), parse_kind(row->kind));
            if (!p.change) {
                json err = error_body("validation", "the failed change's stored value no longer parses");
                err["error"]["problems"] = problems_json(p.problems);
                send(resp, 422, err);
                return;
            }
            p.change->account = row->account;
            p.change->offer_id = row->offer_id;
            const EnqueueResult r = s.enqueue(*p.change, "retry of " + std::to_string(*id));
            const auto added = s.outbound().find(r.id);
            if (r.queued) {
                send(resp, 202, {{"retry_of", *id}, {"change", added ? change_json(*added) : json()}});
                return;
            }
            json err = error_body("validation", "the retry was refused before sending: " +
                                                    (r.problems.empty() ? std::string("?") : r.problems[0].message));
            err["error"]["problems"] = problems_json(r.problems);
            err["change"] = added ? change_json(*added) : json();
            send(resp, 422, err);
        });
    }

    void outbound(const Request& req, Response& resp) const {
        handle(resp, [&](OffersService& s) {
            OutboundFilter f;
            f.account = account(req, s);
            f.state = req.query_param("state").value_or("");
            static const char* kStates[] = {"", "queued", "sending", "confirmed", "superseded", "failed", "rejected"};
            if (std::find(std::begin(kStates), std::end(kStates), f.state) == std::end(kStates)) {
                throw HttpError{400, "bad_request",
                                "state must be queued, sending, confirmed, superseded, failed or rejected"};
            }
            f.offer_id = number_param(req, "offer_id", 0, 0, 4294967295LL);
            const std::int64_t page = number_param(req, "page", 1, 1, 1000000);
            f.limit = number_param(req, "per_page", kDefaultPerPage, 1, kMaxPerPage);
            f.offset = (page - 1) * f.limit;
            json changes = json::array();
            for (const OutboundRow& r : s.outbound().list(f)) {
                changes.push_back(change_json(r));
            }
            send(resp, 200,
                 {{"account", f.account},
                  {"counts", s.outbound().count_by_state(f.account)},
                  {"page", page},
                  {"per_page", f.limit},
                  {"changes", std::move(changes)}});
        });
    }

  private:
    std::function<std::shared_ptr<OffersService>()> service_;
};

} // namespace

void register_offer_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<OffersService>()> service) {
    auto routes = std::make_shared<const Routes>(std::move(service));
    reg.add_route("GET", "/api/offers", 0, [routes](const Request& req, Response& resp) { routes->list(req, resp); });
    reg.add_route("GET", "/api/offers/{id}", 0,
                  [routes](const Request& req, Response& resp) { routes->detail(req, resp); });
    reg.add_route("GET", "/api/outbound", 0,
                  [routes](const Request& req, Response& resp) { routes->outbound(req, resp); });
    reg.add_route("POST", "/api/outbound/{id}/retry", 0,
                  [routes](const Request& req, Response& resp) { routes->retry(req, resp); });
    const std::pair<const char*, ChangeKind> changes[] = {
        {"/api/offers/{id}/price", ChangeKind::price},
        {"/api/offers/{id}/stock", ChangeKind::stock},
        {"/api/offers/{id}/status", ChangeKind::status},
    };
    for (const auto& [pattern, kind] : changes) {
        reg.add_route("POST", pattern, 0,
                      [routes, kind = kind](const Request& req, Response& resp) { routes->change(req, resp, kind); });
    }
}

} // namespace erp::emag
