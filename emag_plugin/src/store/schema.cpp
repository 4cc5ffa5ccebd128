#include "store/schema.hpp"

#include <array>

namespace erp::emag {
namespace {

// v1: the configured accounts, refreshed from the config at every start so
// other tables can reference them and the admin can see what is configured.
// No password column, ever: credentials live in env variables or files only.
// Timestamps are "YYYY-MM-DDTHH:MM:SSZ" text on every backend (erp_plugin.h).
constexpr std::string_view kV1 = R"({"create_tables":[{"name":"emag_accounts","columns":[
{"name":"name","type":"string","size":64,"nullable":false},
{"name":"platform","type":"string","size":8},
{"name":"base_url","type":"string","size":255},
{"name":"username","type":"string","size":255},
{"name":"currency","type":"string","size":3},
{"name":"locale","type":"string","size":8},
{"name":"timezone","type":"string","size":64},
{"name":"created_at","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["name"]}]})";

// v2: orders (issue 6). Money is bigint in units of 1/10000 (the API's 4
// decimals, exact on every backend: SQLite has no exact decimal); columns
// holding such amounts end in _x4. Times: *_utc are UTC timestamps, *_local
// the API's original zone-less text. payload is the raw JSON as eMAG sent it.
constexpr std::string_view kV2 = R"({"create_tables":[
{"name":"emag_orders","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"emag_id","type":"bigint","nullable":false},
{"name":"type","type":"integer"},
{"name":"status","type":"integer"},
{"name":"is_complete","type":"integer"},
{"name":"payment_mode_id","type":"integer"},
{"name":"detailed_payment_method","type":"string","size":64},
{"name":"payment_status","type":"integer"},
{"name":"delivery_mode","type":"string","size":16},
{"name":"currency","type":"string","size":3},
{"name":"shipping_tax_x4","type":"bigint"},
{"name":"cashed_co_x4","type":"bigint"},
{"name":"cashed_cod_x4","type":"bigint"},
{"name":"lines_total_x4","type":"bigint"},
{"name":"is_storno","type":"integer"},
{"name":"reason_cancellation","type":"integer"},
{"name":"customer_id","type":"bigint"},
{"name":"customer_name","type":"string","size":255},
{"name":"customer_email_hash","type":"string","size":255},
{"name":"shipping_city","type":"string","size":255},
{"name":"locker_id","type":"string","size":255},
{"name":"locker_name","type":"string","size":255},
{"name":"date_local","type":"string","size":32},
{"name":"date_utc","type":"timestamp"},
{"name":"modified_local","type":"string","size":32},
{"name":"modified_utc","type":"timestamp"},
{"name":"acknowledged_at","type":"timestamp"},
{"name":"payload","type":"json"},
{"name":"first_seen_at","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["account","emag_id"]},
{"name":"emag_order_lines","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"emag_id","type":"bigint","nullable":false},
{"name":"line_id","type":"bigint","nullable":false},
{"name":"product_id","type":"bigint"},
{"name":"part_number","type":"string","size":64},
{"name":"ext_part_number","type":"string","size":64},
{"name":"status","type":"integer"},
{"name":"quantity","type":"bigint"},
{"name":"sale_price_x4","type":"bigint"},
{"name":"vat_x4","type":"bigint"},
{"name":"currency","type":"string","size":3},
{"name":"created_utc","type":"timestamp"},
{"name":"modified_utc","type":"timestamp"},
{"name":"payload","type":"json"}],
"primary_key":["account","emag_id","line_id"]},
{"name":"emag_order_quarantine","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"order_key","type":"string","size":64,"nullable":false},
{"name":"emag_id","type":"bigint"},
{"name":"errors","type":"json"},
{"name":"payload","type":"json"},
{"name":"first_seen_at","type":"timestamp"},
{"name":"last_seen_at","type":"timestamp"}],
"primary_key":["account","order_key"]},
{"name":"emag_sync_state","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"order_type","type":"integer","nullable":false},
{"name":"stream","type":"string","size":32,"nullable":false},
{"name":"cursor_utc","type":"timestamp"},
{"name":"last_run_at","type":"timestamp"},
{"name":"last_outcome","type":"string","size":16},
{"name":"last_error","type":"string","size":1000},
{"name":"processed","type":"bigint"}],
"primary_key":["account","order_type","stream"]}],
"indexes":[
{"table":"emag_orders","name":"emag_orders_by_modified","columns":["account","modified_utc"],"unique":false},
{"table":"emag_orders","name":"emag_orders_by_status","columns":["account","status"],"unique":false},
{"table":"emag_orders","name":"emag_orders_by_customer","columns":["account","customer_email_hash"],"unique":false},
{"table":"emag_order_lines","name":"emag_order_lines_by_part_number","columns":["account","part_number"],"unique":false}]})";

// v3: offers and the outbound queue (issue 7). emag_offers mirrors
// product_offer/read per account (prices _x4 as in v2; stock and handling
// time lists as JSON, with the sums in columns). emag_outbound holds every
// ERP-side change ever asked for, never deleted: its state walks queued ->
// sending -> confirmed | failed, or queued -> superseded (a later change to
// the same offer and field replaced it), or rejected (refused by validation
// before sending). Ids are given by the plugin (no autoincrement on every
// backend): the queue's order is the order of changes.
constexpr std::string_view kV3 = R"({"create_tables":[
{"name":"emag_offers","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"offer_id","type":"bigint","nullable":false},
{"name":"part_number","type":"string","size":255},
{"name":"part_number_key","type":"string","size":64},
{"name":"ean","type":"json"},
{"name":"name","type":"string","size":1024},
{"name":"brand","type":"string","size":255},
{"name":"status","type":"integer"},
{"name":"sale_price_x4","type":"bigint"},
{"name":"recommended_price_x4","type":"bigint"},
{"name":"min_sale_price_x4","type":"bigint"},
{"name":"max_sale_price_x4","type":"bigint"},
{"name":"best_offer_sale_price_x4","type":"bigint"},
{"name":"currency","type":"string","size":3},
{"name":"vat_id","type":"integer"},
{"name":"stock","type":"json"},
{"name":"general_stock","type":"bigint"},
{"name":"estimated_stock","type":"bigint"},
{"name":"handling_time","type":"json"},
{"name":"validation_status","type":"integer"},
{"name":"translation_validation_status","type":"integer"},
{"name":"offer_validation_status","type":"integer"},
{"name":"buy_button_rank","type":"integer"},
{"name":"number_of_offers","type":"integer"},
{"name":"payload","type":"json"},
{"name":"first_seen_at","type":"timestamp"},
{"name":"last_seen_at","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["account","offer_id"]},
{"name":"emag_offer_quarantine","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"offer_key","type":"string","size":64,"nullable":false},
{"name":"offer_id","type":"bigint"},
{"name":"errors","type":"json"},
{"name":"payload","type":"json"},
{"name":"first_seen_at","type":"timestamp"},
{"name":"last_seen_at","type":"timestamp"}],
"primary_key":["account","offer_key"]},
{"name":"emag_outbound","columns":[
{"name":"id","type":"bigint","nullable":false},
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"offer_id","type":"bigint","nullable":false},
{"name":"kind","type":"string","size":16,"nullable":false},
{"name":"value","type":"json"},
{"name":"state","type":"string","size":16,"nullable":false},
{"name":"source","type":"string","size":64},
{"name":"attempts","type":"integer"},
{"name":"next_attempt_at","type":"timestamp"},
{"name":"superseded_by","type":"bigint"},
{"name":"messages","type":"json"},
{"name":"enqueued_at","type":"timestamp"},
{"name":"sent_at","type":"timestamp"},
{"name":"finished_at","type":"timestamp"}],
"primary_key":["id"]}],
"indexes":[
{"table":"emag_offers","name":"emag_offers_by_part_number","columns":["account","part_number"],"unique":false},
{"table":"emag_outbound","name":"emag_outbound_by_state","columns":["account","state","next_attempt_at"],"unique":false},
{"table":"emag_outbound","name":"emag_outbound_by_offer","columns":["account","offer_id","kind","state"],"unique":false}]})";

// v4: monitoring, alerts and customer analytics (issue 8).
// emag_metrics: one row per account and snapshot (the windowed figures as
// JSON), pruned past the configured retention. emag_alerts: every alert ever
// raised; state "active" until its condition recovers, then "cleared" (never
// deleted). Customers are keyed per account by the e-mail hash eMAG gives
// (orders' customer_email_hash): emag_customers holds the counters,
// emag_customer_spend the money per currency (_x4 as in v2),
// emag_customer_cities the shipping cities, and emag_customer_orders what
// each order last contributed, so a changed order is subtracted and added
// again (analytics are maintained incrementally, never recomputed).
// emag_analytics_state is the analytics' cursor over emag_orders.updated_at,
// read in keyset order (updated_at, account, emag_id): hence that index.
// emag_customers.scored_at: when the loyalty score (which ages with the
// last order) was computed; stale ones are re-scored from the counters.
// The rules: docs/customers.md.
constexpr std::string_view kV4 = R"({"create_tables":[
{"name":"emag_metrics","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"taken_at","type":"timestamp","nullable":false},
{"name":"health","type":"integer"},
{"name":"figures","type":"json"}],
"primary_key":["account","taken_at"]},
{"name":"emag_alerts","columns":[
{"name":"id","type":"bigint","nullable":false},
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"rule","type":"string","size":64,"nullable":false},
{"name":"subject","type":"string","size":64},
{"name":"severity","type":"string","size":16},
{"name":"state","type":"string","size":16,"nullable":false},
{"name":"message","type":"string","size":1000},
{"name":"value","type":"string","size":64},
{"name":"threshold","type":"string","size":64},
{"name":"raised_at","type":"timestamp"},
{"name":"cleared_at","type":"timestamp"},
{"name":"last_value","type":"string","size":64},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["id"]},
{"name":"emag_customers","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"customer_key","type":"string","size":255,"nullable":false},
{"name":"name","type":"string","size":255},
{"name":"orders","type":"bigint"},
{"name":"canceled","type":"bigint"},
{"name":"returned","type":"bigint"},
{"name":"cod_orders","type":"bigint"},
{"name":"storno","type":"bigint"},
{"name":"cod_refused","type":"bigint"},
{"name":"pay_cod","type":"bigint"},
{"name":"pay_transfer","type":"bigint"},
{"name":"pay_card","type":"bigint"},
{"name":"first_order_utc","type":"timestamp"},
{"name":"last_order_utc","type":"timestamp"},
{"name":"last_order_id","type":"bigint"},
{"name":"loyalty_score","type":"integer"},
{"name":"risk_level","type":"string","size":16},
{"name":"scored_at","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["account","customer_key"]},
{"name":"emag_customer_spend","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"customer_key","type":"string","size":255,"nullable":false},
{"name":"currency","type":"string","size":3,"nullable":false},
{"name":"orders","type":"bigint"},
{"name":"total_x4","type":"bigint"}],
"primary_key":["account","customer_key","currency"]},
{"name":"emag_customer_cities","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"customer_key","type":"string","size":255,"nullable":false},
{"name":"city","type":"string","size":255,"nullable":false},
{"name":"orders","type":"bigint"}],
"primary_key":["account","customer_key","city"]},
{"name":"emag_customer_orders","columns":[
{"name":"account","type":"string","size":64,"nullable":false},
{"name":"emag_id","type":"bigint","nullable":false},
{"name":"customer_key","type":"string","size":255},
{"name":"customer_name","type":"string","size":255},
{"name":"status","type":"integer"},
{"name":"payment_mode_id","type":"integer"},
{"name":"is_storno","type":"integer"},
{"name":"currency","type":"string","size":3},
{"name":"total_x4","type":"bigint"},
{"name":"city","type":"string","size":255},
{"name":"date_utc","type":"timestamp"},
{"name":"modified_utc","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["account","emag_id"]},
{"name":"emag_analytics_state","columns":[
{"name":"name","type":"string","size":64,"nullable":false},
{"name":"cursor_utc","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["name"]}],
"indexes":[
{"table":"emag_alerts","name":"emag_alerts_by_state","columns":["state","account","rule"],"unique":false},
{"table":"emag_orders","name":"emag_orders_by_updated","columns":["updated_at","account","emag_id"],"unique":false},
{"table":"emag_customer_orders","name":"emag_customer_orders_by_customer","columns":["account","customer_key"],"unique":false},
{"table":"emag_customers","name":"emag_customers_by_scored","columns":["scored_at"],"unique":false}]})";

constexpr std::array<SchemaVersion, 4> kVersions{{
    {1, "emag_accounts: configured eMAG accounts", kV1},
    {2, "emag_orders, emag_order_lines, emag_order_quarantine, emag_sync_state", kV2},
    {3, "emag_offers, emag_offer_quarantine, emag_outbound", kV3},
    {4,
     "emag_metrics, emag_alerts, emag_customers, emag_customer_spend, emag_customer_cities, emag_customer_orders, "
     "emag_analytics_state",
     kV4},
}};

} // namespace

std::span<const SchemaVersion> schema_versions() noexcept {
    return kVersions;
}

} // namespace erp::emag
