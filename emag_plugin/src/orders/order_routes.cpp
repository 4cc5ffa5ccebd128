#include "orders/order_routes.hpp"

#include "orders/cancellation_reasons.hpp"
#include "orders/decimal.hpp"
#include "orders/order_actions.hpp"
#include "routes/route_helpers.hpp"
#include "store/order_store.hpp"
#include "store/timestamp.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <variant>

namespace erp::emag {

using erp::plugin::Request;
using erp::plugin::Response;
using nlohmann::json;

namespace {

constexpr std::int64_t kMaxOrderId = 4294967295LL; // §4.6
constexpr std::size_t kMaxQueryText = 100;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool decode_component(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= in.size()) {
                return false;
            }
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return false;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return true;
}

using Params = std::vector<std::pair<std::string, std::string>>;

// The last value of `name`, or nullopt.
std::optional<std::string> param(const Params& params, std::string_view name) {
    std::optional<std::string> out;
    for (const auto& [k, v] : params) {
        if (k == name) {
            out = v;
        }
    }
    return out;
}

// A decimal integer in [lo, hi] written as plain digits (an optional '-').
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t lo, std::int64_t hi) {
    const auto v = int_from_json(json(std::string(text)));
    if (!v || *v < lo || *v > hi) {
        return std::nullopt;
    }
    return v;
}

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

// "YYYY-MM-DD" (the start of that UTC day, or its last second when
// `end_of_day`) or "YYYY-MM-DDTHH:MM:SSZ", as stored ISO text.
std::optional<std::string> iso_bound(const std::string& text, bool end_of_day) {
    std::string full = text;
    if (text.size() == 10) {
        full += end_of_day ? "T23:59:59Z" : "T00:00:00Z";
    }
    const auto t = parse_iso8601_utc(full);
    if (!t) {
        return std::nullopt;
    }
    return full;
}

struct PathIds {
    std::string account;
    std::int64_t id = 0;
};

// {account} and, when `with_id`, {id} of the route.
std::variant<PathIds, HttpError> path_ids(const Request& req, bool with_id) {
    const json p = json::parse(req.params_json(), nullptr, false);
    PathIds out;
    if (!p.is_object() || !p.contains("account") || !p["account"].is_string() ||
        p["account"].get<std::string>().empty()) {
        return bad_request("the path names no account");
    }
    out.account = p["account"].get<std::string>();
    if (with_id) {
        const std::string id = p.contains("id") && p["id"].is_string() ? p["id"].get<std::string>() : std::string();
        const auto v = parse_int(id, 1, kMaxOrderId);
        if (!v) {
            std::string m = "the order id must be a number from 1 to 4294967295, not \"";
            m += id;
            m += '"';
            return bad_request(m);
        }
        out.id = *v;
    }
    return out;
}

class Routes {
  public:
    explicit Routes(OrderRoutesDeps deps) : deps_(std::move(deps)) {}

    void list(const Request& req, Response& resp) const {
        const auto params = parse_query(req.query());
        if (!params) {
            return send_error(resp, bad_request("the query string has a malformed %-escape"));
        }
        const std::string account = trim(param(*params, "account").value_or(""));
        if (account.empty()) {
            return send_error(resp, bad_request("account is required: /api/orders?account=NAME"));
        }
        OrderListFilter f;
        if (const auto s = param(*params, "status"); s && !s->empty()) {
            const auto v = parse_int(*s, 0, 5);
            if (!v) {
                return send_error(resp, bad_request("status must be a number from 0 to 5"));
            }
            f.status = static_cast<int>(*v);
        }
        if (const auto t = param(*params, "type"); t && !t->empty()) {
            if (*t == "2" || *t == "FBE" || *t == "fbe") {
                f.type = 2;
            } else if (*t == "3" || *t == "FBS" || *t == "fbs") {
                f.type = 3;
            } else {
                return send_error(resp, bad_request("type must be 2 or FBE, 3 or FBS"));
            }
        }
        for (const auto& [key, end_of_day] : {std::pair<const char*, bool>{"from", false}, {"to", true}}) {
            const auto v = param(*params, key);
            if (!v || v->empty()) {
                continue;
            }
            const auto bound = iso_bound(*v, end_of_day);
            if (!bound) {
                std::string m = key;
                m += " must be a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ";
                return send_error(resp, bad_request(m));
            }
            (end_of_day ? f.date_to_utc : f.date_from_utc) = *bound;
        }
        f.text = trim(param(*params, "q").value_or(""));
        if (f.text.size() > kMaxQueryText) {
            return send_error(resp, bad_request("q is longer than 100 characters"));
        }
        std::int64_t page = 1, per_page = kDefaultPerPage;
        if (const auto v = param(*params, "page"); v && !v->empty()) {
            const auto n = parse_int(*v, 1, 1000000);
            if (!n) {
                return send_error(resp, bad_request("page must be a number from 1"));
            }
            page = *n;
        }
        if (const auto v = param(*params, "per_page"); v && !v->empty()) {
            const auto n = parse_int(*v, 1, kMaxPerPage);
            if (!n) {
                return send_error(resp, bad_request("per_page must be a number from 1 to 200"));
            }
            per_page = *n;
        }
        f.limit = per_page;
        f.offset = (page - 1) * per_page;

        if (auto e = account_error(account)) {
            return send_error(resp, *e);
        }
        const auto store = deps_.store();
        if (!store) {
            return send_error(resp, unavailable_store());
        }
        const OrderListPage result = store->list_orders(account, f);
        json orders = json::array();
        for (const OrderRow& row : result.rows) {
            orders.push_back(order_summary(row));
        }
        send(resp, 200,
             json{{"account", account},
                  {"total", result.total},
                  {"page", page},
                  {"per_page", per_page},
                  {"orders", std::move(orders)}});
    }

    void detail(const Request& req, Response& resp) const {
        const auto ids = path_ids(req, true);
        if (const auto* e = std::get_if<HttpError>(&ids)) {
            return send_error(resp, *e);
        }
        const PathIds& p = std::get<PathIds>(ids);
        if (auto e = account_error(p.account)) {
            return send_error(resp, *e);
        }
        const auto store = deps_.store();
        if (!store) {
            return send_error(resp, unavailable_store());
        }
        const auto row = store->find_order(p.account, p.id);
        if (!row) {
            std::string m = "order ";
            m += std::to_string(p.id);
            m += " of account ";
            m += p.account;
            bool quarantined = false;
            for (const QuarantinedOrder& q : store->quarantine(p.account)) {
                quarantined = quarantined || q.emag_id == p.id;
            }
            m += quarantined ? " is in quarantine (it failed validation): see /api/quarantine" : " is not stored";
            return send_error(resp, HttpError{404, "not_found", m});
        }
        json body = order_summary(*row);
        json lines = json::array();
        for (const OrderLineRow& l : store->lines(p.account, p.id)) {
            lines.push_back(line_summary(l));
        }
        body["lines"] = std::move(lines);
        body["payload"] = parsed_or_text(row->payload);
        const auto ack = store->acknowledged_at(p.account, p.id);
        body["acknowledged_at"] = ack ? json(*ack) : json(nullptr);
        body["allowed_actions"] = allowed_actions(*row, deps_.now());
        send(resp, 200, body);
    }

    void quarantine(const Request& req, Response& resp) const {
        const auto params = parse_query(req.query());
        if (!params) {
            return send_error(resp, bad_request("the query string has a malformed %-escape"));
        }
        const std::string account = trim(param(*params, "account").value_or(""));
        if (account.empty()) {
            return send_error(resp, bad_request("account is required: /api/quarantine?account=NAME"));
        }
        if (auto e = account_error(account)) {
            return send_error(resp, *e);
        }
        const auto store = deps_.store();
        if (!store) {
            return send_error(resp, unavailable_store());
        }
        json orders = json::array();
        for (const QuarantinedOrder& q : store->quarantine(account)) {
            orders.push_back(json{{"order_key", q.order_key},
                                  {"emag_id", q.emag_id ? json(*q.emag_id) : json(nullptr)},
                                  {"errors", parsed_or_text(q.errors_json)},
                                  {"payload", parsed_or_text(q.payload)}});
        }
        send(resp, 200, json{{"account", account}, {"orders", std::move(orders)}});
    }

    enum class Action { acknowledge, status, cancel, storno };

    void act(const Request& req, Response& resp, Action action) const {
        const auto ids = path_ids(req, true);
        if (const auto* e = std::get_if<HttpError>(&ids)) {
            return send_error(resp, *e);
        }
        const PathIds& p = std::get<PathIds>(ids);

        // The request first: a malformed one is 400 whatever runs.
        json body = json::object();
        if (action != Action::acknowledge) {
            body = json::parse(req.body(), nullptr, false);
            if (!body.is_object()) {
                return send_error(resp, bad_request(action == Action::status ? "the body must be {\"status\": 3 or 4}"
                                                    : action == Action::cancel
                                                        ? "the body must be {\"reason\": N}"
                                                        : "the body must be {\"lines\": [{\"id\": line id, "
                                                          "\"quantity\": new quantity}, ...]}"));
            }
        }
        int status = 0, reason = 0;
        std::vector<StornoLine> lines;
        if (action == Action::status) {
            const auto v = body.contains("status") ? int_from_json_in(body["status"], 0, 5) : std::nullopt;
            if (!v) {
                return send_error(resp, bad_request("status must be 3 (prepared) or 4 (finalized)"));
            }
            status = static_cast<int>(*v);
        } else if (action == Action::cancel) {
            const auto v = body.contains("reason") ? int_from_json_in(body["reason"], 0, 1000000) : std::nullopt;
            if (!v) {
                return send_error(resp, bad_request("reason must be a cancellation reason code (a number)"));
            }
            reason = static_cast<int>(*v);
        } else if (action == Action::storno) {
            if (auto e = storno_lines(body, lines)) {
                return send_error(resp, *e);
            }
        }

        const auto acc = deps_.find_account(p.account);
        if (!acc) {
            return send_error(resp, unknown_account(p.account));
        }
        if (acc->client == nullptr) {
            std::string m = "the eMAG client of account ";
            m += p.account;
            m += " is not running (the plugin is not started)";
            return send_error(resp, HttpError{503, "unavailable", m});
        }
        const auto store = deps_.store();
        if (!store) {
            return send_error(resp, unavailable_store());
        }
        OrderActions actions(*acc->client, *store, p.account, acc->zone, deps_.now_iso, deps_.now);
        ActionOutcome out;
        switch (action) {
        case Action::acknowledge:
            out = actions.acknowledge(p.id);
            break;
        case Action::status:
            out = actions.set_status(p.id, status);
            break;
        case Action::cancel:
            out = actions.cancel(p.id, reason);
            break;
        case Action::storno:
            out = actions.storno(p.id, lines);
            break;
        }
        send(resp, out.http_status, out.body, out.retry_after_s);
    }

  private:
    static std::optional<HttpError> storno_lines(const json& body, std::vector<StornoLine>& out) {
        if (!body.contains("lines") || !body["lines"].is_array() || body["lines"].empty()) {
            return bad_request("lines must be a non-empty list of {\"id\": line id, \"quantity\": new quantity}");
        }
        const json& lines = body["lines"];
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::string where = "lines[";
            where += std::to_string(i);
            where += ']';
            const json& l = lines[i];
            if (!l.is_object()) {
                return bad_request(where + " must be an object {\"id\", \"quantity\"}");
            }
            const auto id = l.contains("id") ? int_from_json(l["id"]) : std::nullopt;
            if (!id || *id < 1) {
                return bad_request(where + ".id must be the line's id (a positive number)");
            }
            const auto qty = l.contains("quantity") ? int_from_json(l["quantity"]) : std::nullopt;
            if (!qty) {
                return bad_request(where + ".quantity must be a whole number");
            }
            out.push_back(StornoLine{*id, *qty});
        }
        return std::nullopt;
    }

    static json parsed_or_text(const std::string& text) {
        json j = json::parse(text, nullptr, false);
        return j.is_discarded() ? json(text) : j;
    }

    static HttpError unknown_account(const std::string& account) {
        std::string m = "no eMAG account named \"";
        m += account;
        m += "\" is configured";
        return HttpError{404, "not_found", m};
    }

    static HttpError unavailable_store() {
        return HttpError{503, "unavailable", "the order store is not open (the plugin is not started)"};
    }

    std::optional<HttpError> account_error(const std::string& account) const {
        if (!deps_.find_account(account)) {
            return unknown_account(account);
        }
        return std::nullopt;
    }

    OrderRoutesDeps deps_;
};

} // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
    Params out;
    std::size_t start = 0;
    while (start <= query.size()) {
        const std::size_t amp = std::min(query.find('&', start), query.size());
        const std::string_view pair = query.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        std::string key, value;
        if (!decode_component(pair.substr(0, eq), key) ||
            (eq != std::string_view::npos && !decode_component(pair.substr(eq + 1), value))) {
            return std::nullopt;
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

void register_order_routes(erp::plugin::Registrations& reg, OrderRoutesDeps deps) {
    if (!deps.find_account || !deps.store || !deps.now_iso || !deps.now) {
        throw std::invalid_argument("register_order_routes: every dependency must be set");
    }
    auto routes = std::make_shared<const Routes>(std::move(deps));
    reg.add_route("GET", "/api/orders", 0,
                  [routes](const Request& req, Response& resp) { guarded(resp, [&] { routes->list(req, resp); }); });
    reg.add_route("GET", "/api/orders/{account}/{id}", 0,
                  [routes](const Request& req, Response& resp) { guarded(resp, [&] { routes->detail(req, resp); }); });
    reg.add_route("GET", "/api/quarantine", 0, [routes](const Request& req, Response& resp) {
        guarded(resp, [&] { routes->quarantine(req, resp); });
    });
    // The reason picker's list: every documented code with both labels.
    reg.add_route("GET", "/api/cancellation-reasons", 0, [](const Request&, Response& resp) {
        guarded(resp, [&] {
            json reasons = json::array();
            for (const CancellationReason& r : cancellation_reasons()) {
                reasons.push_back(json{{"code", r.code}, {"en", std::string(r.en)}, {"ro", std::string(r.ro)}});
            }
            send(resp, 200, json{{"reasons", std::move(reasons)}});
        });
    });
    const std::pair<const char*, Routes::Action> actions[] = {
        {"/api/orders/{account}/{id}/acknowledge", Routes::Action::acknowledge},
        {"/api/orders/{account}/{id}/status", Routes::Action::status},
        {"/api/orders/{account}/{id}/cancel", Routes::Action::cancel},
        {"/api/orders/{account}/{id}/storno", Routes::Action::storno},
    };
    for (const auto& [pattern, action] : actions) {
        reg.add_route("POST", pattern, 0, [routes, action = action](const Request& req, Response& resp) {
            guarded(resp, [&] { routes->act(req, resp, action); });
        });
    }
}

} // namespace erp::emag
