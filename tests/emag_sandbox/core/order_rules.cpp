#include "core/order_rules.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/api_params.hpp"
#include "core/data_generator.hpp"

namespace emag::sandbox {

namespace {

constexpr std::size_t kMaxEntities = 50;

std::string prefix(uint64_t id) {
    return "Order " + std::to_string(id) + ": ";
}

bool truthy(const nlohmann::json* v) {
    if (!v)
        return false;
    if (v->is_boolean())
        return v->get<bool>();
    if (v->is_string())
        return *v == "1" || *v == "true";
    const auto i = as_int(*v);
    return i && *i != 0;
}

struct LinePlan {
    std::size_t index;
    int32_t quantity;
    int8_t status;
};

struct Plan {
    Order* order = nullptr;
    int new_status = 0;
    int32_t reason = 0;
    bool storno = false;
    std::vector<LinePlan> lines; // only lines that change
    std::vector<OrderLine> added;
    std::optional<std::vector<Attachment>> attachments;
};

std::optional<std::vector<Attachment>> parse_attachments(const nlohmann::json& e, StringPool& pool, std::string& err) {
    const auto* a = find_param(e, "attachments");
    if (!a)
        return std::nullopt;
    const auto list = as_entity_list(*a);
    if (!list || (a->is_object() && !a->empty() && list->size() == 1 && (*list)[0] == *a)) {
        err = "attachments must be a list";
        return std::nullopt;
    }
    std::vector<Attachment> out;
    for (const auto& item : *list) {
        const auto* url = find_param(item, "url");
        if (!url || !url->is_string()) {
            err = "each attachment needs a url";
            return std::nullopt;
        }
        const auto* name = find_param(item, "name");
        const auto* type = find_param(item, "type");
        out.push_back({pool.intern(name && name->is_string() ? name->get<std::string>() : ""),
                       pool.intern(url->get<std::string>()),
                       static_cast<int32_t>(type ? as_int(*type).value_or(1) : 1)});
    }
    return out;
}

// Validates one entity and fills `plan`; returns the error messages (empty = valid).
std::vector<std::string> plan_save(OrderStore& store, const nlohmann::json& e, std::size_t position, SaveContext& ctx,
                                   Plan& plan) {
    if (!e.is_object())
        return {"Entity " + std::to_string(position) + " must be an order object"};
    const auto* id_json = find_param(e, "id");
    const auto id = id_json ? as_int(*id_json) : std::nullopt;
    if (!id || *id < 1)
        return {"Entity " + std::to_string(position) + ": id is required (orders cannot be created, only updated)"};
    Order* order = store.find(static_cast<uint64_t>(*id));
    if (!order)
        return {"Order " + std::to_string(*id) + " does not exist"};
    const std::string pre = prefix(order->id);
    plan.order = order;

    std::vector<std::string> missing;
    for (const char* key : {"status", "type", "payment_mode_id", "customer", "products"})
        if (!e.contains(key))
            missing.push_back(key);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        return {pre + "send the full order as read from order/read (missing: " + list + ")"};
    }
    const auto status = as_int(e["status"]);
    if (!status || *status < 0 || *status > 5)
        return {pre + "status must be an integer between 0 and 5"};
    plan.new_status = static_cast<int>(*status);
    const auto type = as_int(e["type"]);
    if (!type || *type != order->type)
        return {pre + "type cannot be changed"};
    std::string err;
    plan.attachments = parse_attachments(e, ctx.pool, err);
    if (!err.empty())
        return {pre + err};
    const auto products = as_entity_list(e["products"]);
    if (!products || (e["products"].is_object() && !e["products"].empty() && products->size() == 1 &&
                      (*products)[0] == e["products"]))
        return {pre + "products must be a list"};

    // Line diff: request lines by id against the stored lines.
    std::vector<bool> seen(order->products.size(), false);
    bool increase = false, reduction = false;
    std::vector<std::string> errors;
    for (const auto& rl : *products) {
        if (!rl.is_object()) {
            errors.push_back(pre + "each product must be an object");
            continue;
        }
        const int64_t qty = int_param(find_param(rl, "quantity"));
        if (qty == kInvalid) {
            errors.push_back(pre + "quantity must be an integer");
            continue;
        }
        if (qty != kAbsent && qty < 0) {
            errors.push_back(pre + "quantity must not be negative");
            continue;
        }
        const int64_t lstatus = int_param(find_param(rl, "status"));
        if (lstatus != kAbsent && lstatus != 0 && lstatus != 1) {
            errors.push_back(pre + "product status must be 0 or 1");
            continue;
        }
        const auto* lid = find_param(rl, "id");
        if (!lid) { // a new line
            const auto* pid = find_param(rl, "product_id");
            const auto* price = find_param(rl, "sale_price");
            const int64_t pid_v = int_param(pid);
            const auto price_v = price ? money_from_json(*price) : std::nullopt;
            if (pid_v < 1 || !price_v) {
                errors.push_back(pre + "a new product line needs product_id and sale_price");
                continue;
            }
            if (qty == 0) {
                errors.push_back(pre + "a new product line needs a quantity above 0");
                continue;
            }
            OrderLine l;
            l.product_id = l.mkt_id = static_cast<uint64_t>(pid_v);
            const auto* name = find_param(rl, "name");
            l.name = ctx.pool.intern(name && name->is_string() ? name->get<std::string>() : "");
            l.part_number = l.ext_part_number = l.part_number_key = l.details = l.serial_numbers = ctx.pool.empty();
            l.currency = ctx.pool.intern(ctx.platform.currency);
            l.quantity = l.initial_qty = static_cast<int32_t>(qty == kAbsent ? 1 : qty);
            l.sale_price = l.original_price = *price_v;
            const auto* vat = find_param(rl, "vat");
            l.vat = vat ? money_from_json(*vat).value_or(ctx.platform.vat.front().rate) : ctx.platform.vat.front().rate;
            l.status = static_cast<int8_t>(lstatus == kAbsent ? 1 : lstatus);
            plan.added.push_back(std::move(l));
            increase = true;
            continue;
        }
        const auto lid_v = as_int(*lid);
        auto it = std::find_if(order->products.begin(), order->products.end(),
                               [&](const OrderLine& l) { return lid_v && l.id == static_cast<uint64_t>(*lid_v); });
        if (it == order->products.end()) {
            errors.push_back(pre + "product line " + lid->dump() + " does not belong to this order");
            continue;
        }
        const std::size_t index = static_cast<std::size_t>(it - order->products.begin());
        if (seen[index]) {
            errors.push_back(pre + "product line " + std::to_string(it->id) + " is sent twice");
            continue;
        }
        seen[index] = true;
        const auto* pid = find_param(rl, "product_id");
        if (pid && as_int(*pid) != std::optional<int64_t>(static_cast<int64_t>(it->product_id)))
            errors.push_back(pre + "product_id of line " + std::to_string(it->id) + " cannot be changed");
        for (auto [key, value] :
             {std::pair{"part_number", it->part_number}, {"ext_part_number", it->ext_part_number}}) {
            const auto* pn = find_param(rl, key);
            if (pn && (!pn->is_string() || pn->get_ref<const std::string&>() != *value))
                errors.push_back(pre + key + " of line " + std::to_string(it->id) + " cannot be changed");
        }
        if (const auto* price = find_param(rl, "sale_price")) {
            const auto p = money_from_json(*price);
            if (!p || (it->has_sale_price && *p != it->sale_price))
                errors.push_back(pre + "price changes are no longer allowed (line " + std::to_string(it->id) + ")");
        }
        int32_t new_qty = qty == kAbsent ? it->quantity : static_cast<int32_t>(std::min<int64_t>(qty, 1000000));
        int8_t new_status = lstatus == kAbsent ? it->status : static_cast<int8_t>(lstatus);
        if (new_qty == 0) // quantity 0 cancels the line (its quantity is kept for the record)
            new_status = 0, new_qty = it->quantity;
        if (new_qty == it->quantity && new_status == it->status)
            continue;
        if (new_qty > it->quantity || (new_status == 1 && it->status == 0))
            increase = true;
        if (new_qty < it->quantity || (new_status == 0 && it->status == 1))
            reduction = true;
        plan.lines.push_back({index, new_qty, new_status});
    }
    for (std::size_t i = 0; i < seen.size(); ++i) // omitted active lines are removed
        if (!seen[i] && order->products[i].status == 1) {
            plan.lines.push_back({i, order->products[i].quantity, 0});
            reduction = true;
        }
    if (!errors.empty())
        return errors;

    const bool line_changes = increase || reduction;
    plan.storno = truthy(find_param(e, "is_storno"));
    if (order->type == 2) {
        if (line_changes || plan.new_status != order->status || plan.storno)
            return {pre + "orders fulfilled by eMAG (type 2) are read-only; only attachments may be uploaded"};
        return {};
    }
    if (order->status < 0 || order->status > 5)
        return {pre + "the order is in an unknown status and cannot be saved"};
    if (auto why = check_transition(*order, plan.new_status, ctx.now))
        return {pre + *why};
    if (plan.new_status == 0 && order->status != 0) {
        const auto* r = find_param(e, "reason_cancellation");
        if (!r)
            r = find_param(e, "cancellation_reason"); // the pre-4.4.7 key, still in the doc's example
        const auto code = r ? as_int(*r) : std::nullopt;
        if (!code || !is_cancellation_reason(*code))
            return {pre + "reason_cancellation is required to cancel an order (codes 1-3, 15-43)"};
        plan.reason = static_cast<int32_t>(*code);
    }
    if (plan.storno) {
        if (order->status != 4 || plan.new_status != 4)
            return {pre + "is_storno is only accepted on finalized orders (status 4)"};
        if (!reduction)
            return {pre + "is_storno requires a quantity reduction or a cancelled product line"};
        if (increase)
            return {pre + "a storno can only reduce quantities"};
        return {};
    }
    if (line_changes) {
        if (order->status == 4)
            return {pre + "changing products of a finalized order requires is_storno: true (partial storno)"};
        if (order->status != 2 && order->status != 3)
            return {pre + "products can only be edited in status 2 (in progress) or 3 (prepared)"};
        if (reduction && order->payment_mode_id == 3)
            return {pre + "quantity reduction and product removal are not allowed on orders paid by card"};
    }
    return {};
}

void apply_plan(Plan& plan, SaveContext& ctx) {
    Order& o = *plan.order;
    if (plan.attachments)
        o.attachments = std::move(*plan.attachments);
    if (o.type == 2) {
        o.modified = ctx.now;
        return;
    }
    if (plan.new_status != o.status)
        apply_status(o, plan.new_status, ctx.now);
    if (plan.reason)
        o.reason_cancellation = plan.reason;
    for (const auto& lp : plan.lines) {
        OrderLine& l = o.products[lp.index];
        if (plan.storno)
            l.storno_qty += lp.status == 0 ? l.quantity : l.quantity - lp.quantity;
        l.quantity = lp.quantity;
        l.status = lp.status;
        l.modified = ctx.now;
    }
    for (auto& l : plan.added) {
        l.id = ctx.next_line_id += 1;
        l.created = l.modified = ctx.now;
        o.products.push_back(std::move(l));
    }
    if (plan.storno)
        o.is_storno = true;
    o.modified = ctx.now;
}

} // namespace

Cell transition_cell(int from, int to) {
    using C = Cell;
    // Rows/columns in status order 0..5 (the doc prints them 1,2,3,4,0,5).
    static constexpr Cell kMatrix[6][6] = {
        /* 0 */ {C::Yes, C::No, C::Within48h, C::Within48h, C::Within48h, C::No},
        /* 1 */ {C::No, C::No, C::AckOnly, C::No, C::No, C::No},
        /* 2 */ {C::Yes, C::No, C::Yes, C::Yes, C::Yes, C::No},
        /* 3 */ {C::Yes, C::No, C::No, C::Yes, C::Yes, C::No},
        /* 4 */ {C::Within48h, C::No, C::No, C::Within48h, C::Yes, C::WithinReturn},
        /* 5 */ {C::No, C::No, C::No, C::No, C::No, C::No},
    };
    if (from < 0 || from > 5 || to < 0 || to > 5)
        return Cell::No;
    return kMatrix[from][to];
}

std::optional<std::string> check_transition(const Order& o, int to, int64_t now) {
    const int from = o.status;
    const std::string move = "status " + std::to_string(from) + " -> " + std::to_string(to);
    switch (transition_cell(from, to)) {
    case Cell::Yes:
        return std::nullopt;
    case Cell::AckOnly:
        return move + " is only possible through order/acknowledge";
    case Cell::No:
        if (from == 1)
            return "new orders (status 1) must be acknowledged (order/acknowledge) before they can be saved";
        if (from == 5)
            return "returned orders (status 5) cannot be changed";
        return move + " is not allowed";
    case Cell::Within48h: {
        const int64_t since = from == 4 ? o.finalized_at : o.cancelled_at;
        if (now - since <= kWindow48h)
            return std::nullopt;
        return move + " is only allowed within 48 hours of " + (from == 4 ? "finalization" : "cancellation");
    }
    case Cell::WithinReturn:
        if (now - o.finalized_at <= (kReturnPeriodDays + 5) * 86400)
            return std::nullopt;
        return move + " is only allowed within the return period + 5 days";
    }
    return move + " is not allowed";
}

void apply_status(Order& o, int to, int64_t now) {
    o.status = to;
    o.modified = now;
    if (to == 4)
        o.finalized_at = now;
    if (to == 0)
        o.cancelled_at = now;
    if (to != 0) // a reactivated order no longer carries a cancellation reason
        o.reason_cancellation = 0;
}

ApiResult acknowledge_order(OrderStore& store, const std::optional<std::string>& path_id, const nlohmann::json& data,
                            int64_t now) {
    std::optional<int64_t> id;
    if (path_id)
        id = as_int(nlohmann::json(*path_id));
    else if (const auto* p = find_param(data, "id"))
        id = as_int(*p);
    if (!id || *id < 1 || *id > 4294967295LL)
        return error({"Invalid order id"});
    Order* o = store.find(static_cast<uint64_t>(*id));
    if (!o)
        return error({"Order " + std::to_string(*id) + " does not exist"});
    if (o->type != 3)
        return error({prefix(o->id) + "only orders fulfilled by the seller (type 3) can be acknowledged"});
    if (o->status == 1) {
        apply_status(*o, 2, now);
        return ok("[]");
    }
    if (o->status >= 2 && o->status <= 5) // already acknowledged: success, nothing to do
        return ok("[]");
    return error({prefix(o->id) + "canceled orders cannot be acknowledged"});
}

ApiResult save_orders(OrderStore& store, const nlohmann::json& data, SaveContext& ctx) {
    const auto entities = as_entity_list(data);
    if (!entities || entities->empty())
        return error({"data must be a list of orders"});
    if (entities->size() > kMaxEntities)
        return error({"Maximum " + std::to_string(kMaxEntities) + " entities per request exceeded (" +
                      std::to_string(entities->size()) + " sent)"});
    std::vector<Plan> plans(entities->size());
    std::vector<std::string> errors;
    for (std::size_t i = 0; i < entities->size(); ++i) {
        auto errs = plan_save(store, (*entities)[i], i, ctx, plans[i]);
        errors.insert(errors.end(), errs.begin(), errs.end());
        for (std::size_t j = 0; errs.empty() && j < i; ++j)
            if (plans[j].order == plans[i].order)
                errors.push_back(prefix(plans[i].order->id) + "sent twice in one request");
    }
    if (!errors.empty())
        return error(errors);
    for (auto& plan : plans)
        apply_plan(plan, ctx);
    return ok("[]");
}

} // namespace emag::sandbox
