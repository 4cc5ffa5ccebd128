#include "orders/order_model.hpp"

#include "orders/cancellation_reasons.hpp"

#include <climits>
#include <utility>

namespace erp::emag {
namespace {

using nlohmann::json;

std::string got(const char* what, const json& v) {
    std::string m(what);
    m += ", got ";
    m += shown_value(v);
    return m;
}

// One JSON object being typed: finds its keys, reads them, and records the
// typing problems under `prefix` ("", "customer.", "products[1].").
class Obj {
  public:
    Obj(const json& j, std::string prefix, std::vector<FieldProblem>& out, const TimeZone& zone)
        : j_(j), prefix_(std::move(prefix)), out_(out), zone_(zone) {}

    // The value at key; nullptr when absent or null (both "no value").
    const json* find(const char* key) const {
        const auto it = j_.find(key);
        if (it == j_.end() || it->is_null())
            return nullptr;
        return &*it;
    }

    std::string field(const char* key) const {
        std::string f = prefix_;
        f += key;
        return f;
    }

    void problem(const char* key, std::string message) { out_.push_back({field(key), std::move(message)}); }

    std::string str(const char* key) {
        const json* v = find(key);
        if (!v)
            return {};
        if (std::optional<std::string> text = text_from_json(*v))
            return std::move(*text);
        problem(key, got("must be a text", *v));
        return {};
    }

    std::optional<std::int64_t> i64(const char* key) {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        std::optional<std::int64_t> n = int_from_json(*v);
        if (!n)
            problem(key, got("must be a whole number", *v));
        return n;
    }

    std::optional<int> i32(const char* key) {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        const std::optional<std::int64_t> n = int_from_json(*v);
        if (!n) {
            problem(key, got("must be a whole number", *v));
            return std::nullopt;
        }
        if (*n < INT_MIN || *n > INT_MAX) {
            problem(key, got("is out of range", *v));
            return std::nullopt;
        }
        return static_cast<int>(*n);
    }

    std::optional<Decimal4> money(const char* key) {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        std::optional<Decimal4> d = Decimal4::from_json(*v);
        if (!d)
            problem(key, got("must be a decimal with at most 4 places", *v));
        return d;
    }

    EmagTime time(const char* key) {
        EmagTime t;
        const json* v = find(key);
        if (!v)
            return t;
        if (!v->is_string()) {
            problem(key, got("must be a YYYY-MM-DD HH:MM:SS time", *v));
            return t;
        }
        t.text = v->get<std::string>();
        const std::optional<std::chrono::local_seconds> local = parse_emag_datetime(t.text);
        if (!local) {
            problem(key, "is not a valid YYYY-MM-DD HH:MM:SS time");
            return t;
        }
        const LocalToUtc r = zone_.to_utc(*local);
        t.utc = r.utc;
        t.ambiguous = r.ambiguous;
        return t;
    }

    // A "YYYY-MM-DD" calendar date, kept as text.
    std::string date(const char* key) {
        const json* v = find(key);
        if (!v)
            return {};
        if (!v->is_string()) {
            problem(key, got("must be a YYYY-MM-DD date", *v));
            return {};
        }
        std::string text = v->get<std::string>();
        std::string probe = text;
        probe += " 00:00:00";
        if (text.size() != 10 || !parse_emag_datetime(probe)) {
            problem(key, "is not a valid YYYY-MM-DD date");
            return {};
        }
        return text;
    }

    // Calls each(element) for every object element of the list at key.
    template <class F>
    void list(const char* key, F each) {
        const json* v = find(key);
        if (!v)
            return;
        if (!v->is_array()) {
            problem(key, std::string("must be a list, got ") + v->type_name());
            return;
        }
        for (std::size_t i = 0; i < v->size(); ++i) {
            std::string at = field(key);
            at += '[';
            at += std::to_string(i);
            at += ']';
            const json& e = (*v)[i];
            if (!e.is_object()) {
                out_.push_back({at, std::string("must be an object, got ") + e.type_name()});
                continue;
            }
            at += '.';
            Obj child(e, std::move(at), out_, zone_);
            each(child);
        }
    }

    // Calls each(object) for the object at key (absent/null: not called).
    template <class F>
    void object(const char* key, F each) {
        const json* v = find(key);
        if (!v)
            return;
        if (!v->is_object()) {
            problem(key, std::string("must be an object, got ") + v->type_name());
            return;
        }
        std::string at = field(key);
        at += '.';
        Obj child(*v, std::move(at), out_, zone_);
        each(child);
    }

  private:
    const json& j_;
    std::string prefix_;
    std::vector<FieldProblem>& out_;
    const TimeZone& zone_;
};

// vat, offered_by and voucher_name are read only at line level: the shipping
// and recycle-warranty splits do not carry them.
VoucherSplit read_split(Obj& o, bool line_level) {
    VoucherSplit s;
    s.voucher_id = o.i64("voucher_id");
    s.value = o.money("value");
    s.vat_value = o.money("vat_value");
    if (line_level) {
        s.vat = o.money("vat");
        s.offered_by = o.str("offered_by");
    }
    s.voucher_name = o.str("voucher_name");
    return s;
}

RecycleWarranty read_recycle(Obj& o) {
    RecycleWarranty r;
    r.quantity = o.i64("quantity");
    r.sale_price = o.money("sale_price");
    r.vat_rate = o.money("vat_rate");
    r.product_name = o.str("product_name");
    o.list("recycle_warranty_voucher_split",
           [&](Obj& s) { r.recycle_warranty_voucher_split.push_back(read_split(s, false)); });
    return r;
}

OrderLine read_line(Obj& o, std::size_t raw_index) {
    OrderLine l;
    l.id = o.i64("id");
    l.product_id = o.i64("product_id");
    l.name = o.str("name");
    l.status = o.i32("status");
    l.part_number = o.str("part_number");
    l.ext_part_number = o.str("ext_part_number");
    l.created = o.time("created");
    l.modified = o.time("modified");
    l.currency = o.str("currency");
    l.quantity = o.i64("quantity");
    l.sale_price = o.money("sale_price");
    l.vat = o.money("vat");
    l.details = o.str("details");
    l.serial_numbers = o.str("serial_numbers");
    o.list("product_voucher_split", [&](Obj& s) { l.product_voucher_split.push_back(read_split(s, true)); });
    o.list("recycle_warranties", [&](Obj& r) { l.recycle_warranties.push_back(read_recycle(r)); });
    l.raw_index = raw_index;
    return l;
}

Customer read_customer(Obj& o) {
    Customer c;
    c.id = o.i64("id");
    c.mkt_id = o.i64("mkt_id");
    c.name = o.str("name");
    c.company = o.str("company");
    c.gender = o.str("gender");
    c.email = o.str("email");
    c.code = o.str("code");
    c.registration_number = o.str("registration_number");
    c.bank = o.str("bank");
    c.iban = o.str("iban");
    c.fax = o.str("fax");
    c.legal_entity = o.i32("legal_entity");
    c.is_vat_payer = o.i32("is_vat_payer");
    c.phone_1 = o.str("phone_1");
    c.phone_2 = o.str("phone_2");
    c.phone_3 = o.str("phone_3");
    c.billing_name = o.str("billing_name");
    c.billing_phone = o.str("billing_phone");
    c.billing_country = o.str("billing_country");
    c.billing_suburb = o.str("billing_suburb");
    c.billing_city = o.str("billing_city");
    c.billing_locality_id = o.i64("billing_locality_id");
    c.billing_street = o.str("billing_street");
    c.billing_postal_code = o.str("billing_postal_code");
    c.shipping_contact = o.str("shipping_contact");
    c.shipping_phone = o.str("shipping_phone");
    c.shipping_country = o.str("shipping_country");
    c.shipping_suburb = o.str("shipping_suburb");
    c.shipping_city = o.str("shipping_city");
    c.shipping_locality_id = o.i64("shipping_locality_id");
    c.shipping_street = o.str("shipping_street");
    c.shipping_postal_code = o.str("shipping_postal_code");
    c.created = o.time("created");
    c.modified = o.time("modified");
    return c;
}

Voucher read_voucher(Obj& o) {
    Voucher v;
    v.voucher_id = o.i64("voucher_id");
    v.id = o.i64("id");
    v.created = o.time("created");
    v.modified = o.time("modified");
    v.status = o.i32("status");
    v.sale_price = o.money("sale_price");
    v.sale_price_vat = o.money("sale_price_vat");
    v.vat = o.money("vat");
    v.voucher_name = o.str("voucher_name");
    v.issue_date = o.date("issue_date");
    return v;
}

Attachment read_attachment(Obj& o) {
    Attachment a;
    a.order_id = o.i64("order_id");
    a.order_type = o.i32("order_type");
    a.order_product_id = o.i64("order_product_id");
    a.name = o.str("name");
    a.url = o.str("url");
    a.type = o.i32("type");
    a.force_download = o.i32("force_download");
    return a;
}

OrderDetails read_details(Obj& o) {
    OrderDetails d;
    d.locker_id = o.str("locker_id");
    d.locker_name = o.str("locker_name");
    d.locker_delivery_eligible = o.i32("locker_delivery_eligible");
    d.courier_external_office_id = o.str("courier_external_office_id");
    return d;
}

bool read_storno(Obj& o) {
    const json* v = o.find("is_storno");
    if (!v)
        return false;
    if (v->is_boolean())
        return v->get<bool>();
    if (v->is_number_integer() && (*v == 0 || *v == 1))
        return *v == 1;
    if (v->is_string() && (*v == "0" || *v == "1"))
        return *v == "1";
    o.problem("is_storno", got("must be true/false or 1/0", *v));
    return false;
}

// A present, non-null cancellation code that reason_code_from_order would not
// read is reported (the value itself comes from reason_code_from_order).
void check_reason(Obj& o, const char* key) {
    const json* v = o.find(key);
    if (v && !int_from_json_in(*v, 0, INT_MAX))
        o.problem(key, got("must be a cancellation reason code (a whole number >= 0)", *v));
}

void read_order(Obj& o, Order& order) {
    order.status = o.i32("status");
    order.is_complete = o.i32("is_complete");
    order.type = o.i32("type");
    order.payment_mode_id = o.i32("payment_mode_id");
    order.detailed_payment_method = o.str("detailed_payment_method");
    order.delivery_mode = o.str("delivery_mode");
    o.object("details", [&](Obj& d) { order.details = read_details(d); });
    order.date = o.time("date");
    order.modified = o.time("modified");
    order.payment_status = o.i32("payment_status");
    order.cashed_co = o.money("cashed_co");
    order.cashed_cod = o.money("cashed_cod");
    order.shipping_tax = o.money("shipping_tax");
    o.list("shipping_tax_voucher_split",
           [&](Obj& s) { order.shipping_tax_voucher_split.push_back(read_split(s, false)); });
    o.object("customer", [&](Obj& c) { order.customer = read_customer(c); });
    if (const json* products = o.find("products"); products && products->is_array()) {
        std::size_t i = 0;
        o.list("products", [&](Obj& l) {
            // list() skips non-objects; find the raw element this one is.
            while (!(*products)[i].is_object())
                ++i;
            order.products.push_back(read_line(l, i));
            ++i;
        });
    } else {
        o.list("products", [](Obj&) {}); // reports the wrong shape
    }
    o.list("attachments", [&](Obj& a) { order.attachments.push_back(read_attachment(a)); });
    o.list("vouchers", [&](Obj& v) { order.vouchers.push_back(read_voucher(v)); });
    order.is_storno = read_storno(o);
    check_reason(o, "reason_cancellation");
    check_reason(o, "cancellation_reason");
    order.reason_cancellation = reason_code_from_order(order.raw);
    if (const json* e = o.find("enforced_vendor_courier_accounts")) {
        if (e->is_array())
            order.enforced_vendor_courier_accounts = *e;
        else
            o.problem("enforced_vendor_courier_accounts", got("must be a list or null", *e));
    }
    order.observation = o.str("observation");
    order.vendor_name = o.str("vendor_name");
}

} // namespace

std::string EmagTime::utc_iso() const {
    return utc ? iso8601_utc(*utc) : std::string();
}

Decimal4 Order::line_total() const {
    Decimal4 total;
    for (const OrderLine& l : products) {
        if (l.is_active() && l.quantity && l.sale_price)
            total = total + l.sale_price->times(*l.quantity);
    }
    return total;
}

OrderParse parse_order(json j, const TimeZone& zone) {
    OrderParse result;
    result.problems = validate_order(j);
    if (!j.is_object()) {
        result.raw = std::move(j);
        return result;
    }

    Order order;
    order.raw = std::move(j);
    const json& in = order.raw;
    std::vector<FieldProblem> typing;
    Obj root(order.raw, "", typing, zone);
    read_order(root, order);
    for (FieldProblem& p : typing) {
        bool known = false;
        for (const FieldProblem& q : result.problems) {
            if (q.field == p.field) {
                known = true;
                break;
            }
        }
        if (!known)
            result.problems.push_back(std::move(p));
    }

    // The same rule as validate_order's id check.
    const auto id = in.find("id");
    const std::optional<std::uint64_t> v =
        id == in.end() ? std::optional<std::uint64_t>() : uint_from_json(*id, 4294967295ULL);
    if (!v || *v == 0) {
        result.raw = std::move(order.raw);
        return result;
    }
    order.id = static_cast<std::int64_t>(*v);
    result.order = std::move(order);
    return result;
}

} // namespace erp::emag
