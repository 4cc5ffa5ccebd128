#include "orders/order_rows.hpp"

#include "orders/compact_json.hpp"

#include <cstdio>
#include <stdexcept>

namespace erp::emag {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::int64_t> x4(const std::optional<Decimal4>& d) {
    return d ? std::optional<std::int64_t>(d->units) : std::nullopt;
}

} // namespace

std::string quarantine_key(const json& raw) {
    if (raw.is_object()) {
        if (auto id = uint_from_json(raw.value("id", json()), 4294967295ULL); id && *id > 0) {
            return std::to_string(*id);
        }
    }
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : dump(raw)) {
        h = (h ^ c) * 1099511628211ULL;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return std::string("payload:") + hex;
}

ValidOrder to_rows(const std::string& account, const Order& o) {
    ValidOrder v;
    OrderRow& r = v.order;
    r.account = account;
    r.emag_id = o.id;
    r.type = o.type;
    r.status = o.status;
    r.is_complete = o.is_complete;
    r.payment_mode_id = o.payment_mode_id;
    r.payment_status = o.payment_status;
    r.is_storno = o.is_storno ? 1 : 0;
    r.reason_cancellation = o.reason_cancellation;
    r.detailed_payment_method = o.detailed_payment_method;
    r.delivery_mode = o.delivery_mode;
    for (const OrderLine& l : o.products) {
        if (!l.currency.empty()) {
            r.currency = l.currency;
            break;
        }
    }
    r.shipping_tax_x4 = x4(o.shipping_tax);
    r.cashed_co_x4 = x4(o.cashed_co);
    r.cashed_cod_x4 = x4(o.cashed_cod);
    r.lines_total_x4 = o.line_total().units;
    r.customer_id = o.customer.id;
    r.customer_name = o.customer.name;
    r.customer_email_hash = o.customer.email;
    r.shipping_city = o.customer.shipping_city;
    r.locker_id = o.details.locker_id;
    r.locker_name = o.details.locker_name;
    r.date_local = o.date.text;
    r.date_utc = o.date.utc_iso();
    r.modified_local = o.modified.text;
    r.modified_utc = o.modified.utc_iso();
    r.payload = compact_json(o.raw, 4096);
    for (const OrderLine& l : o.products) {
        OrderLineRow row;
        row.line_id = l.id.value_or(0);
        row.product_id = l.product_id;
        row.part_number = l.part_number;
        row.ext_part_number = l.ext_part_number;
        row.status = l.status;
        row.quantity = l.quantity;
        row.sale_price_x4 = x4(l.sale_price);
        row.vat_x4 = x4(l.vat);
        row.currency = l.currency;
        row.created_utc = l.created.utc_iso();
        row.modified_utc = l.modified.utc_iso();
        row.payload = compact_json(o.line_raw(l), 512);
        v.lines.push_back(std::move(row));
    }
    v.quarantine_key = std::to_string(o.id);
    return v;
}

std::string order_problems_json(std::string_view json_text) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::parse_error& e) {
        throw std::invalid_argument("the order is not valid JSON (error near byte " + std::to_string(e.byte) + ")");
    }
    return dump(problems_json(parse_order(j, TimeZone::utc()).problems));
}

SortedOrders sort_orders(const std::string& account, json page, const TimeZone& zone) {
    SortedOrders out;
    const auto quarantine = [&](const json& raw, std::optional<std::int64_t> id, const std::vector<FieldProblem>& p) {
        out.invalid.push_back(QuarantinedOrder{quarantine_key(raw), id, dump(problems_json(p)), dump(raw)});
    };
    if (!page.is_array()) {
        quarantine(page, std::nullopt,
                   {{"(page)", std::string("order/read results must be a list, got ") + page.type_name()}});
        return out;
    }
    for (json& element : page) {
        OrderParse parsed = parse_order(std::move(element), zone);
        if (parsed.order && parsed.problems.empty()) {
            try {
                out.valid.push_back(to_rows(account, *parsed.order));
                continue;
            } catch (const std::overflow_error& e) {
                parsed.problems.push_back({"products", std::string("line total out of range: ") + e.what()});
            }
        }
        quarantine(parsed.input(), parsed.order ? std::optional<std::int64_t>(parsed.order->id) : std::nullopt,
                   parsed.problems);
    }
    return out;
}

} // namespace erp::emag
