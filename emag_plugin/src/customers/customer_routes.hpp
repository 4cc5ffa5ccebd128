// The customer analytics routes (served by the host under /plugins/emag),
// both behind the admin token (ERP_ROUTE_ADMIN: they expose customer data):
//
//   GET /api/customers[?account=A][&sort=orders|spent|last_order|loyalty|risk|cancel_rate|return_rate]
//                     [&order=asc|desc][&risk=low|medium|high][&q=TEXT][&page=1..][&per_page=1..200]
//       → {"total", "page", "per_page", "sort", "order", "customers": [customer...]}
//       Default: every account, sort=last_order, order=desc. q: contained in
//       the name or the key (case-insensitive).
//   GET /api/customers/{account}/{key}[?history=1..1000]
//       → customer + "cities": [{"city", "orders"}] (most orders first) +
//         "history": [{"id", "date", "status", "total", "currency",
//         "payment", "city", "storno"}] (newest first, 200 by default).
//
// customer = {"account", "key", "name", "orders", "canceled", "returned",
//   "storno", "cancel_rate", "return_rate" (0..1, 4 decimals), "spent":
//   [{"currency", "orders", "total", "average"}] (money as "123.4500"),
//   "first_order", "last_order", "preferred_payment" ("cod" |
//   "bank_transfer" | "card" | null), "payments": {"cod", "bank_transfer",
//   "card"}, "cod_refused", "loyalty_score", "risk_level", "scored_at",
//   "updated_at"}. Rules: docs/customers.md.
//
// Errors are {"error": {"kind", "message", "messages"}}: 400 malformed
// request, 404 unknown customer, 503 before start.
#pragma once

#include <erp_plugin/erp_plugin.hpp>

#include <functional>
#include <memory>

namespace erp::emag {

class CustomerAnalytics;

// `analytics`: the running analytics, nullptr before start (→ 503).
void register_customer_routes(erp::plugin::Registrations& reg,
                              std::function<std::shared_ptr<CustomerAnalytics>()> analytics);

} // namespace erp::emag
