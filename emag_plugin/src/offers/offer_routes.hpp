// The plugin's offer routes (served by the host under /plugins/emag):
//
//   GET  /api/offers?account=A[&q=TEXT][&page=1..][&per_page=1..200]
//        → {"account", "q", "total", "page", "per_page", "offers": [offer_summary...]}
//        q: the offer id, or part of its name, part number or part_number_key
//   GET  /api/offers/{id}?account=A
//        → offer_summary + "payload" (as eMAG sent it) + "changes" (its
//          latest 20 outbound changes, newest first)
//   POST /api/offers/{id}/price    {"sale_price": "12.50"[, "vat_id": 1]}
//   POST /api/offers/{id}/stock    {"stock": 5} | {"stock": [{"warehouse_id", "value"}...]}
//   POST /api/offers/{id}/status   {"status": 0|1|2}
//        [?account=A, needed when several accounts are configured]
//        → 202 {"change": outbound_change} when queued; 422 {"error": {...,
//          "problems": [{field, code, message}]}, "change": the rejected
//          change as kept} when validation refuses it (nothing is dropped).
//   GET  /api/outbound?account=A[&state=queued|sending|confirmed|superseded|failed|rejected]
//                     [&offer_id=N][&page=1..][&per_page=1..200]
//        → {"account", "counts": {state: n}, "changes": [outbound_change...]}
//        newest first; state=failed is the dead letter.
//   POST /api/outbound/{id}/retry
//        → 202 {"retry_of": id, "change": the new queued change}: a failed
//          change's value checked and queued again; 409 when the change is
//          not failed, 404 unknown, 422 when validation now refuses it.
//
// Errors are {"error": {"kind", "message", "messages"}}: 400 malformed
// request, 404 unknown account or offer, 503 before start / after stop. The
// host requires the admin token on the POST routes.
#pragma once

#include <erp_plugin/erp_plugin.hpp>

#include <functional>
#include <memory>

namespace erp::emag {

class OffersService;

// `service`: the running service, nullptr before start (→ 503).
void register_offer_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<OffersService>()> service);

} // namespace erp::emag
