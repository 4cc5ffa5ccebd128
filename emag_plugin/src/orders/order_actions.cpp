#include "orders/order_actions.hpp"

#include "api/api_error.hpp"
#include "api/emag_client.hpp"
#include "orders/cancellation_reasons.hpp"
#include "orders/decimal.hpp"
#include "orders/order_fetch.hpp"
#include "routes/route_helpers.hpp"
#include "store/timestamp.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace erp::emag {

using nlohmann::json;

namespace {

constexpr std::chrono::hours kWindow48h{48};

// "1 (new)"
std::string status_label(int status) {
    std::string s = std::to_string(status);
    s += " (";
    s += order_status_name(status);
    s += ')';
    return s;
}

json money(const std::optional<std::int64_t>& x4) {
    return x4 ? json(Decimal4{*x4}.to_string()) : json(nullptr);
}

template <class T>
json opt(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json text_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

const char* payment_mode_name(std::optional<int> mode) {
    switch (mode.value_or(0)) {
    case 1:
        return "COD";
    case 2:
        return "bank transfer";
    case 3:
        return "online card";
    default:
        return nullptr;
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

ActionOutcome refusal(int http_status, const std::string& kind, const std::string& message) {
    return ActionOutcome{http_status, error_body(kind, message), std::nullopt};
}

std::string order_ref(std::int64_t id) {
    std::string s = "order ";
    s += std::to_string(id);
    return s;
}

} // namespace

bool says_already_acknowledged(const std::vector<std::string>& messages) {
    for (const std::string& m : messages) {
        const std::string l = lower(m);
        if (l.find("already") != std::string::npos && l.find("acknowledg") != std::string::npos) {
            return true;
        }
    }
    return false;
}

const char* order_status_name(int status) noexcept {
    switch (status) {
    case 0:
        return "canceled";
    case 1:
        return "new";
    case 2:
        return "in progress";
    case 3:
        return "prepared";
    case 4:
        return "finalized";
    case 5:
        return "returned";
    default:
        return "unknown";
    }
}

std::optional<std::string> transition_refusal(int from, int to, std::optional<std::chrono::sys_seconds> status_since,
                                              std::chrono::sys_seconds now) {
    std::string move = "eMAG does not allow ";
    move += status_label(from);
    move += " → ";
    move += status_label(to);
    if (from < 0 || from > 5 || to < 0 || to > 5) {
        move += ": unknown status";
        return move;
    }
    if (from == to && from != 1 && from != 5) {
        return std::nullopt; // 2→2, 3→3, 4→4, 0→0: "Yes" in the matrix
    }
    if (from == 1) {
        move += to == 2 ? ": a new order moves to in progress only by acknowledging it (order/acknowledge)"
                        : ": acknowledge the order first";
        return move;
    }
    if (from == 5) {
        move += ": a returned order cannot be changed";
        return move;
    }
    if (to == 1) {
        move += ": an order never goes back to new";
        return move;
    }
    if (to == 5) {
        move += from == 4 ? ": returns are created by eMAG (the customer's return), not by the seller"
                          : ": only a finalized order can be returned, and returns are created by eMAG";
        return move;
    }
    // Now from in {0, 2, 3, 4}, to in {0, 2, 3, 4}, from != to.
    const bool within_48h_cell = (from == 4 && (to == 3 || to == 0)) || (from == 0);
    if (within_48h_cell) {
        const char* since_what = from == 4 ? "finalization" : "cancellation";
        if (!status_since) {
            move += " without knowing when the order's ";
            move += since_what;
            move += " happened: it is allowed only within 48 hours of it";
            return move;
        }
        if (now - *status_since <= kWindow48h) {
            return std::nullopt;
        }
        move += " more than 48 hours after ";
        move += since_what;
        move += " (the order has been ";
        move += order_status_name(from);
        move += " since ";
        move += iso8601_utc(*status_since);
        move += ')';
        return move;
    }
    if (from == 2 || (from == 3 && to != 2)) {
        return std::nullopt; // 2 → 0/3/4, 3 → 0/4
    }
    // 3 → 2, 4 → 2
    move += ": an order cannot go back to in progress";
    return move;
}

std::vector<std::string> allowed_actions(const OrderRow& order, std::chrono::sys_seconds now) {
    std::vector<std::string> out;
    if (order.type != 3 || !order.status) {
        return out;
    }
    const int from = *order.status;
    if (from == 1) {
        out.emplace_back("acknowledge");
        return out;
    }
    const auto since = parse_iso8601_utc(order.modified_utc);
    for (const auto& [action, target] : {std::pair<const char*, int>{"prepared", 3}, {"finalized", 4}, {"cancel", 0}}) {
        if (from != target && !transition_refusal(from, target, since, now)) {
            out.emplace_back(action);
        }
    }
    if (from == 4) {
        out.emplace_back("storno");
    }
    return out;
}

json order_summary(const OrderRow& o) {
    json s = json::object();
    s["account"] = o.account;
    s["id"] = o.emag_id;
    s["type"] = o.type == 3 ? json("FBS") : o.type == 2 ? json("FBE") : json(nullptr);
    s["type_code"] = opt(o.type);
    s["status"] = opt(o.status);
    s["status_name"] = o.status ? json(order_status_name(*o.status)) : json(nullptr);
    s["is_complete"] = opt(o.is_complete);
    s["payment_mode_id"] = opt(o.payment_mode_id);
    const char* pm = payment_mode_name(o.payment_mode_id);
    s["payment_mode"] = pm != nullptr ? json(pm) : json(nullptr);
    s["detailed_payment_method"] = text_or_null(o.detailed_payment_method);
    s["payment_status"] = opt(o.payment_status);
    s["delivery_mode"] = text_or_null(o.delivery_mode);
    s["currency"] = text_or_null(o.currency);
    s["shipping_tax"] = money(o.shipping_tax_x4);
    s["cashed_co"] = money(o.cashed_co_x4);
    s["cashed_cod"] = money(o.cashed_cod_x4);
    s["lines_total"] = money(o.lines_total_x4);
    s["is_storno"] = o.is_storno.value_or(0) != 0;
    if (o.status == 0) {
        s["cancellation"] = {{"code", opt(o.reason_cancellation)},
                             {"en", cancellation_label(o.reason_cancellation, "en")},
                             {"ro", cancellation_label(o.reason_cancellation, "ro")}};
    } else {
        s["cancellation"] = nullptr;
    }
    s["customer_id"] = opt(o.customer_id);
    s["customer_name"] = o.customer_name;
    s["customer_email_hash"] = o.customer_email_hash;
    s["shipping_city"] = o.shipping_city;
    s["locker_id"] = text_or_null(o.locker_id);
    s["locker_name"] = text_or_null(o.locker_name);
    s["date_local"] = o.date_local;
    s["date_utc"] = text_or_null(o.date_utc);
    s["modified_local"] = o.modified_local;
    s["modified_utc"] = text_or_null(o.modified_utc);
    return s;
}

json line_summary(const OrderLineRow& l) {
    std::string name;
    const json raw = json::parse(l.payload, nullptr, false);
    if (raw.is_object() && raw.contains("name") && raw["name"].is_string()) {
        name = raw["name"].get<std::string>();
    }
    return json{{"id", l.line_id},
                {"product_id", opt(l.product_id)},
                {"name", name},
                {"part_number", l.part_number},
                {"ext_part_number", l.ext_part_number},
                {"status", opt(l.status)},
                {"quantity", opt(l.quantity)},
                {"sale_price", money(l.sale_price_x4)},
                {"vat", money(l.vat_x4)},
                {"currency", text_or_null(l.currency)},
                {"created_utc", text_or_null(l.created_utc)},
                {"modified_utc", text_or_null(l.modified_utc)}};
}

ActionOutcome outcome_from_api_error(const ErrorInfo& info) {
    ActionOutcome out;
    std::string message;
    switch (info.kind) {
    case ErrorKind::validation:
        out.http_status = 422;
        message = "eMAG refused the request";
        if (info.messages.empty() && !info.detail.empty()) {
            message += ": ";
            message += info.detail;
        }
        break;
    case ErrorKind::auth:
        out.http_status = 502;
        message = "eMAG refused the credentials or this IP is not whitelisted";
        break;
    case ErrorKind::rate_limited: {
        out.http_status = 503;
        int seconds = 60;
        if (info.retry_after) {
            seconds = static_cast<int>(std::max<long long>(1, (info.retry_after->count() + 999) / 1000));
        }
        out.retry_after_s = seconds;
        message = "eMAG's rate limit was reached: retry after ";
        message += std::to_string(seconds);
        message += " s";
        break;
    }
    case ErrorKind::transient:
        out.http_status = 503;
        if (info.retry_after) {
            out.retry_after_s = static_cast<int>(std::max<long long>(1, (info.retry_after->count() + 999) / 1000));
        }
        message = "eMAG is unavailable or did not answer in time";
        if (!info.detail.empty()) {
            message += ": ";
            message += info.detail;
        }
        break;
    case ErrorKind::protocol:
        out.http_status = 502;
        message = "eMAG answered in an unexpected way";
        if (!info.detail.empty()) {
            message += ": ";
            message += info.detail;
        }
        break;
    }
    out.body = error_body(error_kind_name(info.kind), message, info.messages);
    out.body["error"]["route"] = info.route;
    if (out.retry_after_s) {
        out.body["error"]["retry_after_s"] = *out.retry_after_s;
    }
    return out;
}

struct OrderActions::Loaded {
    OrderRow row;
    json order; // the stored payload, parsed
};

OrderActions::OrderActions(EmagClient& client, OrderStore& store, std::string account, TimeZone zone,
                           std::function<std::string()> now_iso, std::function<std::chrono::sys_seconds()> now)
    : client_(client), store_(store), account_(std::move(account)), zone_(zone), now_iso_(std::move(now_iso)),
      now_(std::move(now)) {}

ActionOutcome OrderActions::guarded(const std::function<ActionOutcome()>& body) {
    try {
        return body();
    } catch (const ApiError& e) {
        return outcome_from_api_error(e.info());
    } catch (const std::exception& e) {
        std::string m = "the action failed on our side: ";
        m += e.what();
        return refusal(500, "internal", m);
    } catch (...) {
        return refusal(500, "internal", "the action failed on our side");
    }
}

std::optional<ActionOutcome> OrderActions::load_editable(std::int64_t id, Loaded& out) {
    auto row = store_.find_order(account_, id);
    if (!row) {
        std::string m = order_ref(id);
        m += " of account ";
        m += account_;
        m += " is not stored: sync or fetch it first";
        return refusal(404, "not_found", m);
    }
    if (row->type != 3) {
        std::string m = order_ref(id);
        m += row->type == 2 ? " is fulfilled by eMAG (FBE, type 2): eMAG does not let the seller change it"
                            : " has no known type: only orders fulfilled by the seller (type 3) can be changed";
        return refusal(409, "not_allowed", m);
    }
    if (!row->status) {
        std::string m = order_ref(id);
        m += " has no stored status: re-read it first";
        return refusal(409, "not_allowed", m);
    }
    out.order = json::parse(row->payload, nullptr, false);
    if (!out.order.is_object()) {
        std::string m = "the stored copy of ";
        m += order_ref(id);
        m += " is not a JSON object";
        return refusal(500, "internal", m);
    }
    out.row = std::move(*row);
    return std::nullopt;
}

ActionOutcome OrderActions::acknowledge(std::int64_t id) {
    return guarded([&]() -> ActionOutcome {
        const auto row = store_.find_order(account_, id);
        if (!row) {
            std::string m = order_ref(id);
            m += " of account ";
            m += account_;
            m += " is not stored: eMAG asks that an order be stored before it is acknowledged (sync or fetch it)";
            return refusal(404, "not_found", m);
        }
        if (row->type != 3) {
            std::string m = order_ref(id);
            m += row->type == 2 ? " is fulfilled by eMAG (FBE, type 2): only FBS orders (type 3) are acknowledged"
                                : " has no known type: only FBS orders (type 3) are acknowledged";
            return refusal(409, "not_allowed", m);
        }
        if (row->status == 0) {
            std::string m = order_ref(id);
            m += " is canceled: a canceled order cannot be acknowledged";
            return refusal(409, "not_allowed", m);
        }
        const int before = row->status.value_or(-1);
        bool already = before >= 2 && before <= 5;
        json emag_results = nullptr;
        std::vector<std::string> messages;
        try {
            ApiCall call;
            call.route = "order/acknowledge/" + std::to_string(id);
            const ApiResult r = client_.call(std::move(call));
            emag_results = r.results;
            messages = r.messages;
        } catch (const ApiError& e) {
            if (e.kind() != ErrorKind::validation) {
                throw;
            }
            if (!says_already_acknowledged(e.info().messages)) {
                // Refused: maybe because it moved on (acknowledged elsewhere).
                const FetchedOrder f = fetch_and_store_order(client_, store_, account_, zone_, id, now_iso_());
                const auto status = f.found && f.order.is_object() && f.order.contains("status")
                                        ? int_from_json(f.order["status"])
                                        : std::nullopt;
                if (!status || *status < 2 || *status > 5) {
                    return outcome_from_api_error(e.info());
                }
            }
            already = true;
            messages = e.info().messages;
        }
        if (!store_.acknowledged_at(account_, id)) {
            store_.mark_acknowledged(account_, id, now_iso_());
        }
        json result = {{"action", "acknowledge"},
                       {"already_acknowledged", already},
                       {"emag", emag_results},
                       {"messages", messages}};
        return refreshed(id, std::move(result));
    });
}

ActionOutcome OrderActions::set_status(std::int64_t id, int target) {
    if (target != 3 && target != 4) {
        std::string m = "the status can be set to 3 (prepared) or 4 (finalized), not ";
        m += std::to_string(target);
        m += "; use acknowledge for 2 and cancel for 0";
        return refusal(400, "bad_request", m);
    }
    return guarded([&] { return change_status(id, target, std::nullopt); });
}

ActionOutcome OrderActions::cancel(std::int64_t id, int reason_code) {
    if (find_cancellation_reason(reason_code) == nullptr) {
        std::string m = "unknown cancellation reason ";
        m += std::to_string(reason_code);
        m += ": eMAG's codes are 1-3 and 15-43";
        return refusal(400, "bad_request", m);
    }
    return guarded([&] { return change_status(id, 0, reason_code); });
}

ActionOutcome OrderActions::change_status(std::int64_t id, int target, std::optional<int> reason) {
    Loaded loaded;
    if (auto refused = load_editable(id, loaded)) {
        return std::move(*refused);
    }
    const int from = *loaded.row.status;
    if (auto why = transition_refusal(from, target, parse_iso8601_utc(loaded.row.modified_utc), now_())) {
        return refusal(409, "not_allowed", *why);
    }
    json order = std::move(loaded.order);
    order["status"] = target;
    if (reason) {
        order["reason_cancellation"] = *reason;
        if (order.contains("cancellation_reason")) { // the pre-4.4.7 key: keep both in agreement
            order["cancellation_reason"] = *reason;
        }
    }
    std::string action = target == 0 ? "cancel" : target == 3 ? "prepared" : "finalized";
    return save_and_refresh(id, action, std::move(order));
}

ActionOutcome OrderActions::storno(std::int64_t id, const std::vector<StornoLine>& lines) {
    if (lines.empty()) {
        return refusal(400, "bad_request", "a storno needs at least one line with its new quantity");
    }
    return guarded([&]() -> ActionOutcome {
        Loaded loaded;
        if (auto refused = load_editable(id, loaded)) {
            return std::move(*refused);
        }
        const int status = *loaded.row.status;
        if (status != 4) {
            std::string m = "a partial storno is only possible on a finalized order (status 4); ";
            m += order_ref(id);
            m += " is ";
            m += status_label(status);
            return refusal(409, "not_allowed", m);
        }
        json order = std::move(loaded.order);
        if (!order.contains("products") || !order["products"].is_array()) {
            std::string m = "the stored copy of ";
            m += order_ref(id);
            m += " has no product list";
            return refusal(500, "internal", m);
        }
        json& products = order["products"];
        std::set<std::int64_t> seen;
        for (const StornoLine& sl : lines) {
            std::string line_ref = "line ";
            line_ref += std::to_string(sl.line_id);
            if (!seen.insert(sl.line_id).second) {
                return refusal(400, "bad_request", line_ref + " is named twice");
            }
            json* line = nullptr;
            for (json& p : products) {
                if (p.is_object() && p.contains("id") && int_from_json(p["id"]) == sl.line_id) {
                    line = &p;
                    break;
                }
            }
            if (line == nullptr) {
                std::string m = line_ref;
                m += " is not part of ";
                m += order_ref(id);
                return refusal(400, "bad_request", m);
            }
            std::int64_t current = -1; // -1: no readable quantity
            if (line->contains("quantity")) {
                current = int_from_json((*line)["quantity"]).value_or(-1);
            }
            const auto line_status = line->contains("status") ? int_from_json((*line)["status"]) : std::nullopt;
            if (line_status == 0) {
                return refusal(400, "bad_request", line_ref + " is already canceled: nothing to reverse");
            }
            if (current < 0) {
                return refusal(500, "internal", line_ref + " has no readable quantity in the stored order");
            }
            if (sl.quantity < 0 || sl.quantity >= current) {
                std::string m = line_ref;
                m += ": the new quantity must be at least 0 and lower than the current ";
                m += std::to_string(current);
                m += " (got ";
                m += std::to_string(sl.quantity);
                m += ')';
                return refusal(400, "bad_request", m);
            }
            (*line)["quantity"] = sl.quantity;
            if (sl.quantity == 0) {
                (*line)["status"] = 0; // §4.13: quantity 0 cancels the line
            }
        }
        order["is_storno"] = true;
        return save_and_refresh(id, "storno", std::move(order));
    });
}

ActionOutcome OrderActions::save_and_refresh(std::int64_t id, const std::string& action, json order) {
    ApiCall call;
    call.route = "order/save";
    call.data = json::array({std::move(order)});
    const ApiResult r = client_.call(std::move(call));
    json result = {{"action", action}, {"emag", r.results}, {"messages", r.messages}};
    return refreshed(id, std::move(result));
}

ActionOutcome OrderActions::refreshed(std::int64_t id, json result) {
    std::string warning;
    try {
        const FetchedOrder f = fetch_and_store_order(client_, store_, account_, zone_, id, now_iso_());
        if (!f.found) {
            warning = "eMAG accepted the change, but the order could not be read back: the stored copy is the "
                      "previous one until the next sync";
        } else if (!f.valid) {
            warning = "eMAG accepted the change, but the order as eMAG now sends it failed validation and is in "
                      "quarantine: the stored copy is the last valid one";
        }
    } catch (const ApiError& e) {
        warning = "eMAG accepted the change, but re-reading the order failed (";
        warning += error_kind_name(e.kind());
        warning += "): the stored copy is the previous one until the next sync";
    }
    ActionOutcome out;
    const auto row = store_.find_order(account_, id);
    out.body = {{"order", row ? order_summary(*row) : json(nullptr)}, {"result", std::move(result)}};
    if (!warning.empty()) {
        out.body["warning"] = warning;
    }
    return out;
}

} // namespace erp::emag
