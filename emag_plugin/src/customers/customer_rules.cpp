#include "customers/customer_rules.hpp"

#include "orders/decimal.hpp"
#include "store/timestamp.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace erp::emag {
namespace {

using nlohmann::json;
__extension__ typedef __int128 Wide; // a price × quantity × rate product overflows int64

constexpr std::int64_t kScale = Decimal4::kScale;

Wide rounded(Wide n, Wide d) {
    Wide q = n / d;
    const Wide r = n % d;
    if (2 * (r < 0 ? -r : r) >= d) {
        q += n < 0 ? -1 : 1;
    }
    return q;
}

// Sums far beyond any real order saturate instead of wrapping.
std::int64_t clamp64(Wide v) {
    constexpr Wide hi = std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(std::clamp<Wide>(v, -hi, hi));
}

std::int64_t money(const json& obj, const char* field) {
    const auto it = obj.find(field);
    if (it == obj.end()) {
        return 0;
    }
    const auto d = Decimal4::from_json(*it);
    return d ? d->units : 0;
}

// A VAT rate in 1/10000: sent as a fraction ("0.2100") in orders, as an
// integer percent elsewhere; a rate of 1 or more is read as percent (no
// real VAT is 100%).
std::int64_t rate_x4(const json& line) {
    const std::int64_t v = money(line, "vat");
    return v >= kScale ? v / 100 : std::max<std::int64_t>(v, 0);
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

bool counts_as_spent(int status) {
    return status >= 1 && status <= 4;
}

std::int64_t divide_rounded(std::int64_t n, std::int64_t d) {
    return d > 0 ? static_cast<std::int64_t>(rounded(n, d)) : 0;
}

std::int64_t order_value_x4(std::string_view payload, std::optional<std::int64_t> lines_total_x4,
                            std::optional<std::int64_t> shipping_tax_x4) {
    const Wide shipping = shipping_tax_x4.value_or(0);
    const json order = json::parse(payload, nullptr, false);
    const auto products = order.is_object() ? order.find("products") : order.end();
    if (!order.is_object() || products == order.end() || !products->is_array()) {
        return clamp64(Wide(lines_total_x4.value_or(0)) + shipping);
    }
    Wide total = shipping;
    for (const json& line : *products) {
        if (!line.is_object() || int_from_json(line.value("status", json())) != 1) {
            continue;
        }
        const auto qty = int_from_json(line.value("quantity", json()));
        const auto price = Decimal4::from_json(line.value("sale_price", json()));
        if (!qty || !price) {
            continue; // as Order::line_total: such a line adds nothing
        }
        total += rounded(Wide(price->units) * *qty * (kScale + rate_x4(line)), kScale);
    }
    const auto vouchers = order.find("vouchers");
    if (vouchers != order.end() && vouchers->is_array()) {
        for (const json& v : *vouchers) {
            if (v.is_object()) {
                total += Wide(money(v, "sale_price")) + money(v, "sale_price_vat");
            }
        }
    }
    return clamp64(total);
}

std::optional<OrderContribution> contribution_of(const AnalyticsOrderRow& o) {
    if (o.customer_key.empty()) {
        return std::nullopt;
    }
    OrderContribution c;
    c.customer_key = o.customer_key;
    c.name = o.customer_name;
    c.status = o.status.value_or(-1);
    c.payment_mode_id = o.payment_mode_id.value_or(0);
    c.storno = o.is_storno.value_or(0) != 0;
    c.currency = o.currency;
    c.total_x4 = order_value_x4(o.payload, o.lines_total_x4, o.shipping_tax_x4);
    c.city = trimmed(o.city);
    c.date_utc = o.date_utc;
    return c;
}

void apply_contribution(CustomerRow& c, std::int64_t emag_id, const OrderContribution& o, int sign) {
    const bool refused = o.status == kOrderCanceled || o.status == kOrderReturned;
    c.orders += sign;
    c.canceled += o.status == kOrderCanceled ? sign : 0;
    c.returned += o.status == kOrderReturned ? sign : 0;
    c.storno += o.storno ? sign : 0;
    c.pay_cod += o.payment_mode_id == kPayCod ? sign : 0;
    c.pay_transfer += o.payment_mode_id == kPayTransfer ? sign : 0;
    c.pay_card += o.payment_mode_id == kPayCard ? sign : 0;
    c.cod_refused += o.payment_mode_id == kPayCod && refused ? sign : 0;
    if (counts_as_spent(o.status)) {
        SpendTotal& s = c.spend[o.currency];
        s.orders += sign;
        s.total_x4 += sign * o.total_x4;
        if (s.orders == 0 && s.total_x4 == 0) {
            c.spend.erase(o.currency);
        }
    }
    if (!o.city.empty()) {
        if ((c.cities[o.city] += sign) == 0) {
            c.cities.erase(o.city);
        }
    }
    if (sign > 0) {
        if (!o.date_utc.empty() && (c.first_order_utc.empty() || o.date_utc < c.first_order_utc)) {
            c.first_order_utc = o.date_utc;
        }
        if (std::pair(o.date_utc, emag_id) >= std::pair(c.last_order_utc, c.last_order_id)) {
            c.last_order_utc = o.date_utc;
            c.last_order_id = emag_id;
            c.name = o.name;
        }
    }
}

bool needs_extremes_refresh(const OrderContribution& before, const std::optional<OrderContribution>& after) {
    return !after || after->customer_key != before.customer_key || after->date_utc != before.date_utc;
}

int loyalty_score(const CustomerRow& c, std::chrono::sys_seconds now) {
    if (c.orders <= 0) {
        return 0;
    }
    const std::int64_t kept = std::max<std::int64_t>(0, c.orders - c.canceled - c.returned);
    // Kept orders: 4 points each, up to 10 orders.
    const std::int64_t orders_points = 4 * std::min<std::int64_t>(kept, 10);
    // Money: 20 points at the currency's threshold, pro rata below it.
    std::int64_t money_points = 0;
    for (const auto& [currency, s] : c.spend) {
        std::int64_t threshold = 1000; // a currency without its own threshold
        if (currency == "RON") {
            threshold = 5000;
        } else if (currency == "BGN") {
            threshold = 2000;
        } else if (currency == "HUF") {
            threshold = 400000;
        } else if (currency == "EUR") {
            threshold = 1000;
        }
        money_points +=
            static_cast<std::int64_t>(Wide(std::max<std::int64_t>(s.total_x4, 0)) * 20 / (Wide(threshold) * kScale));
    }
    money_points = std::min<std::int64_t>(money_points, 20);
    // Recency: 25 points for an order today, falling linearly to 0 at 365 days.
    std::int64_t recency_points = 0;
    if (const auto last = parse_iso8601_utc(c.last_order_utc)) {
        const std::int64_t days = std::clamp<std::int64_t>((now - *last).count() / 86400, 0, 365);
        recency_points = 25 * (365 - days) / 365;
    }
    // Reliability: 15 points × the share of orders neither canceled nor returned.
    const std::int64_t reliability_points = 15 * kept / c.orders;
    return static_cast<int>(orders_points + money_points + recency_points + reliability_points);
}

const char* risk_level(const CustomerRow& c) {
    const std::int64_t bad = c.canceled + c.returned;
    if (c.cod_refused >= 3 || (c.cod_refused >= 2 && 2 * c.cod_refused >= c.pay_cod) ||
        (c.orders >= 3 && 2 * bad >= c.orders)) {
        return "high";
    }
    if (c.cod_refused >= 1 || (bad >= 1 && 4 * bad >= c.orders)) {
        return "medium";
    }
    return "low";
}

int preferred_payment(const CustomerRow& c) {
    int best = 0;
    std::int64_t most = 0;
    const std::pair<int, std::int64_t> counts[] = {
        {kPayCod, c.pay_cod}, {kPayTransfer, c.pay_transfer}, {kPayCard, c.pay_card}};
    for (const auto& [id, n] : counts) {
        if (n > most) {
            best = id;
            most = n;
        }
    }
    return best;
}

std::int64_t average_x4(const SpendTotal& s) {
    return s.orders > 0 ? divide_rounded(s.total_x4, s.orders) : 0;
}

} // namespace erp::emag
