#include "core/order_model.hpp"

#include "core/json_writer.hpp"

namespace emag::sandbox {

namespace {

std::string_view s(Str text) {
    return text ? std::string_view(*text) : std::string_view();
}

void money(JsonWriter& out, std::string_view key, Money value) {
    out.field(key, format_money(value));
}

void time_field(JsonWriter& out, std::string_view key, Zone zone, int64_t utc) {
    out.field(key, format_local(zone, utc));
}

void render_splits(JsonWriter& out, const std::vector<VoucherSplit>& splits, bool line_level) {
    out.begin_array();
    for (const auto& v : splits) {
        out.begin_object();
        out.field("voucher_id", static_cast<int64_t>(v.voucher_id));
        money(out, "value", v.value);
        money(out, "vat_value", v.vat_value);
        if (line_level) {
            money(out, "vat", v.vat);
            out.field("offered_by", s(v.offered_by));
        }
        out.field("voucher_name", s(v.voucher_name));
        out.end_object();
    }
    out.end_array();
}

void render_customer(const Customer& c, Zone zone, JsonWriter& out) {
    out.begin_object();
    out.field("id", static_cast<int64_t>(c.id));
    out.field("mkt_id", c.mkt_id);
    out.field("name", s(c.name));
    out.field("email", s(c.email));
    out.field("company", s(c.company));
    out.field("gender", s(c.gender));
    out.field("code", s(c.code));
    out.field("registration_number", s(c.registration_number));
    out.field("bank", s(c.bank));
    out.field("iban", s(c.iban));
    out.field("fax", s(c.fax));
    out.field("legal_entity", int64_t{c.legal_entity});
    out.field("is_vat_payer", int64_t{c.is_vat_payer});
    out.field("phone_1", s(c.phone_1));
    out.field("phone_2", s(c.phone_2));
    out.field("phone_3", s(c.phone_3));
    out.field("billing_name", s(c.billing_name));
    out.field("billing_phone", s(c.billing_phone));
    out.field("billing_country", s(c.billing_country));
    out.field("billing_suburb", s(c.billing_suburb));
    out.field("billing_city", s(c.billing_city));
    out.field("billing_locality_id", static_cast<int64_t>(c.billing_locality_id));
    out.field("billing_street", s(c.billing_street));
    out.field("billing_postal_code", s(c.billing_postal_code));
    out.field("shipping_country", s(c.shipping_country));
    out.field("shipping_suburb", s(c.shipping_suburb));
    out.field("shipping_city", s(c.shipping_city));
    out.field("shipping_locality_id", static_cast<int64_t>(c.shipping_locality_id));
    out.field("shipping_street", s(c.shipping_street));
    out.field("shipping_postal_code", s(c.shipping_postal_code));
    out.field("shipping_contact", s(c.shipping_contact));
    out.field("shipping_phone", s(c.shipping_phone));
    time_field(out, "created", zone, c.created);
    time_field(out, "modified", zone, c.modified);
    out.end_object();
}

void render_line(const OrderLine& l, Zone zone, JsonWriter& out) {
    out.begin_object();
    out.field("id", l.id);
    out.field("product_id", l.product_id);
    out.field("mkt_id", l.mkt_id);
    out.field("name", s(l.name));
    out.key("product_voucher_split");
    render_splits(out, l.product_voucher_split, true);
    out.field("status", int64_t{l.status});
    out.field("ext_part_number", s(l.ext_part_number));
    out.field("part_number", s(l.part_number));
    out.field("part_number_key", s(l.part_number_key));
    out.field("currency", s(l.currency));
    money(out, "vat", l.vat);
    out.field("quantity", int64_t{l.quantity});
    out.field("initial_qty", int64_t{l.initial_qty});
    out.field("storno_qty", int64_t{l.storno_qty});
    if (l.has_sale_price)
        money(out, "sale_price", l.sale_price);
    money(out, "original_price", l.original_price);
    time_field(out, "created", zone, l.created);
    time_field(out, "modified", zone, l.modified);
    out.field("details", s(l.details));
    out.key("recycle_warranties");
    out.begin_array();
    for (const auto& r : l.recycle_warranties) {
        out.begin_object();
        out.field("quantity", int64_t{r.quantity});
        money(out, "sale_price", r.sale_price);
        money(out, "vat_rate", r.vat_rate);
        out.field("product_name", s(r.product_name));
        out.key("recycle_warranty_voucher_split");
        out.begin_array();
        out.end_array();
        out.end_object();
    }
    out.end_array();
    out.field("serial_numbers", s(l.serial_numbers));
    out.end_object();
}

} // namespace

std::string_view payment_mode_label(int32_t id) {
    switch (id) {
    case 1:
        return "COD";
    case 2:
        return "Bank transfer";
    case 3:
        return "Online Card";
    default:
        return "";
    }
}

void render_order(const Order& o, Zone zone, JsonWriter& out) {
    out.begin_object();
    out.field("vendor_name", s(o.vendor_name));
    out.field("id", o.id);
    out.field("status", int64_t{o.status});
    out.field("is_complete", int64_t{o.is_complete});
    out.field("type", int64_t{o.type});
    out.field("payment_mode", payment_mode_label(o.payment_mode_id));
    out.field("payment_mode_id", int64_t{o.payment_mode_id});
    out.field("detailed_payment_method", s(o.detailed_payment_method));
    out.field("delivery_mode", s(o.delivery_mode));
    out.field("observation", s(o.observation));
    out.key("details");
    if (o.details) {
        out.begin_object();
        out.field("locker_id", s(o.details->locker_id));
        out.field("locker_name", s(o.details->locker_name));
        out.field("locker_delivery_eligible", int64_t{o.details->locker_delivery_eligible});
        out.field("courier_external_office_id", s(o.details->courier_external_office_id));
        out.end_object();
    } else {
        out.null();
    }
    time_field(out, "date", zone, o.date);
    out.field("payment_status", int64_t{o.payment_status});
    money(out, "cashed_co", o.cashed_co);
    money(out, "cashed_cod", o.cashed_cod);
    money(out, "shipping_tax", o.shipping_tax);
    out.key("shipping_tax_voucher_split");
    render_splits(out, o.shipping_tax_voucher_split, false);
    out.field("is_storno", o.is_storno);
    out.key("reason_cancellation");
    if (o.reason_cancellation)
        out.integer(o.reason_cancellation);
    else
        out.null();
    out.field("emag_club", int64_t{o.emag_club});
    out.key("enforced_vendor_courier_accounts");
    switch (o.enforced) {
    case EnforcedCouriers::Null:
        out.null();
        break;
    case EnforcedCouriers::Empty:
        out.begin_array();
        out.end_array();
        break;
    case EnforcedCouriers::One:
        out.begin_array();
        out.integer(o.enforced_account);
        out.end_array();
        break;
    }
    time_field(out, "modified", zone, o.modified);
    out.key("customer");
    render_customer(o.customer, zone, out);
    out.key("products");
    out.begin_array();
    for (const auto& l : o.products)
        render_line(l, zone, out);
    out.end_array();
    out.key("vouchers");
    out.begin_array();
    for (const auto& v : o.vouchers) {
        out.begin_object();
        out.field("voucher_id", static_cast<int64_t>(v.voucher_id));
        time_field(out, "modified", zone, v.modified);
        time_field(out, "created", zone, v.created);
        out.field("status", int64_t{v.status});
        money(out, "sale_price_vat", v.sale_price_vat);
        money(out, "sale_price", v.sale_price);
        out.field("voucher_name", s(v.voucher_name));
        money(out, "vat", v.vat);
        out.field("issue_date", format_local(zone, v.created).substr(0, 10));
        out.field("id", static_cast<int64_t>(v.voucher_id));
        out.end_object();
    }
    out.end_array();
    out.key("attachments");
    out.begin_array();
    for (const auto& a : o.attachments) {
        out.begin_object();
        out.field("name", s(a.name));
        out.field("url", s(a.url));
        out.field("type", int64_t{a.type});
        out.end_object();
    }
    out.end_array();
    out.end_object();
}

std::string render_order(const Order& order, Zone zone) {
    std::string out;
    out.reserve(4096);
    JsonWriter w(out);
    render_order(order, zone, w);
    return out;
}

} // namespace emag::sandbox
