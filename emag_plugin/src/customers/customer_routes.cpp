#include "customers/customer_routes.hpp"

#include "customers/customer_analytics.hpp"
#include "customers/customer_rules.hpp"
#include "routes/route_helpers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace erp::emag {
namespace {

using erp::plugin::Request;
using erp::plugin::Response;
using nlohmann::json;

constexpr std::int64_t kDefaultHistory = 200;
constexpr std::int64_t kMaxHistory = 1000;

json text_or_null(const std::string& s) {
    return s.empty() ? json() : json(s);
}

const char* payment_name(int id) {
    switch (id) {
    case kPayCod:
        return "cod";
    case kPayTransfer:
        return "bank_transfer";
    case kPayCard:
        return "card";
    }
    return nullptr;
}

json payment_json(std::optional<int> id) {
    const char* name = id ? payment_name(*id) : nullptr;
    return name ? json(name) : json();
}

// part / orders, rounded to 4 decimals (a share, not money: a number).
double rate(std::int64_t part, std::int64_t orders) {
    return orders > 0 ? static_cast<double>(divide_rounded(part * 10000, orders)) / 10000.0 : 0.0;
}

json customer_json(const CustomerRow& c) {
    json spent = json::array();
    for (const auto& [currency, s] : c.spend) {
        spent.push_back({{"currency", currency},
                         {"orders", s.orders},
                         {"total", x4_json(s.total_x4)},
                         {"average", x4_json(average_x4(s))}});
    }
    const int preferred = preferred_payment(c);
    return {{"account", c.account},
            {"key", c.customer_key},
            {"name", c.name},
            {"orders", c.orders},
            {"canceled", c.canceled},
            {"returned", c.returned},
            {"storno", c.storno},
            {"cancel_rate", rate(c.canceled, c.orders)},
            {"return_rate", rate(c.returned, c.orders)},
            {"spent", std::move(spent)},
            {"first_order", text_or_null(c.first_order_utc)},
            {"last_order", text_or_null(c.last_order_utc)},
            {"preferred_payment", payment_json(preferred > 0 ? std::optional<int>(preferred) : std::nullopt)},
            {"payments", {{"cod", c.pay_cod}, {"bank_transfer", c.pay_transfer}, {"card", c.pay_card}}},
            {"cod_refused", c.cod_refused},
            {"loyalty_score", c.loyalty_score},
            {"risk_level", c.risk_level},
            {"scored_at", text_or_null(c.scored_at)},
            {"updated_at", text_or_null(c.updated_at)}};
}

CustomerSort sort_param(const Request& req) {
    static const std::pair<const char*, CustomerSort> kSorts[] = {
        {"orders", CustomerSort::orders},
        {"spent", CustomerSort::spent},
        {"last_order", CustomerSort::last_order},
        {"loyalty", CustomerSort::loyalty},
        {"risk", CustomerSort::risk},
        {"cancel_rate", CustomerSort::cancel_rate},
        {"return_rate", CustomerSort::return_rate},
    };
    const std::string s = req.query_param("sort").value_or("");
    if (s.empty()) {
        return CustomerSort::last_order;
    }
    for (const auto& [name, sort] : kSorts) {
        if (s == name) {
            return sort;
        }
    }
    throw bad_request("sort must be orders, spent, last_order, loyalty, risk, cancel_rate or return_rate");
}

class Routes {
  public:
    explicit Routes(std::function<std::shared_ptr<CustomerAnalytics>()> analytics) : analytics_(std::move(analytics)) {}

    void handle(Response& resp, const std::function<void(CustomerAnalytics&)>& f) const {
        guarded(resp, [&] { f(*require_running<CustomerAnalytics>(analytics_, "the customer analytics")); });
    }

    void list(const Request& req, Response& resp) const {
        handle(resp, [&](CustomerAnalytics& a) {
            CustomerFilter f;
            f.account = req.query_param("account").value_or("");
            f.sort = sort_param(req);
            const std::string order = req.query_param("order").value_or("desc");
            if (order != "asc" && order != "desc" && !order.empty()) {
                throw bad_request("order must be asc or desc");
            }
            f.descending = order != "asc";
            f.risk_level = req.query_param("risk").value_or("");
            if (!f.risk_level.empty() && f.risk_level != "low" && f.risk_level != "medium" && f.risk_level != "high") {
                throw bad_request("risk must be low, medium or high");
            }
            f.text = req.query_param("q").value_or("");
            const std::int64_t page = number_param(req, "page", 1, 1, 1000000);
            f.limit = number_param(req, "per_page", kDefaultPerPage, 1, kMaxPerPage);
            f.offset = (page - 1) * f.limit;
            const CustomerPage p = a.list(f);
            json customers = json::array();
            for (const CustomerRow& c : p.rows) {
                customers.push_back(customer_json(c));
            }
            send(resp, 200,
                 {{"total", p.total},
                  {"page", page},
                  {"per_page", f.limit},
                  {"sort", req.query_param("sort").value_or("last_order")},
                  {"order", f.descending ? "desc" : "asc"},
                  {"customers", std::move(customers)}});
        });
    }

    void detail(const Request& req, Response& resp) const {
        handle(resp, [&](CustomerAnalytics& a) {
            const std::string account = path_param(req, "account");
            const std::string key = path_param(req, "key");
            if (account.empty() || key.empty()) {
                throw bad_request("the path must name an account and a customer key");
            }
            const std::int64_t limit = number_param(req, "history", kDefaultHistory, 1, kMaxHistory);
            const auto c = a.find(account, key);
            if (!c) {
                // The key is not repeated: it identifies a person.
                throw HttpError{404, "not_found", "no such customer in account " + account};
            }
            json body = customer_json(*c);
            std::vector<std::pair<std::string, std::int64_t>> cities(c->cities.begin(), c->cities.end());
            std::stable_sort(cities.begin(), cities.end(),
                             [](const auto& x, const auto& y) { return x.second > y.second; });
            json cities_json = json::array();
            for (const auto& [city, n] : cities) {
                cities_json.push_back({{"city", city}, {"orders", n}});
            }
            body["cities"] = std::move(cities_json);
            json history = json::array();
            for (const CustomerOrderView& o : a.history(account, key, limit)) {
                history.push_back({{"id", o.emag_id},
                                   {"date", text_or_null(o.date_utc)},
                                   {"status", o.status ? json(*o.status) : json()},
                                   {"total", x4_json(o.total_x4)},
                                   {"currency", o.currency},
                                   {"payment", payment_json(o.payment_mode_id)},
                                   {"city", text_or_null(o.city)},
                                   {"storno", o.storno}});
            }
            body["history"] = std::move(history);
            send(resp, 200, body);
        });
    }

  private:
    std::function<std::shared_ptr<CustomerAnalytics>()> analytics_;
};

} // namespace

void register_customer_routes(erp::plugin::Registrations& reg,
                              std::function<std::shared_ptr<CustomerAnalytics>()> analytics) {
    auto routes = std::make_shared<const Routes>(std::move(analytics));
    reg.add_route("GET", "/api/customers", ERP_ROUTE_ADMIN,
                  [routes](const Request& req, Response& resp) { routes->list(req, resp); });
    reg.add_route("GET", "/api/customers/{account}/{key}", ERP_ROUTE_ADMIN,
                  [routes](const Request& req, Response& resp) { routes->detail(req, resp); });
}

} // namespace erp::emag
