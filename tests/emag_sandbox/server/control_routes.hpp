// /_sandbox/*: the sandbox's own control and introspection routes, for tests
// and scripts. No auth, never rate limited, not in the request log, and
// answered only to loopback peers (403 otherwise) even when the API listens
// on another address.
//
//   GET  /_sandbox/health                 {"status":"ok"}
//   GET  /_sandbox/accounts               [{name, user, platform, orders, offers}] (no passwords)
//   GET  /_sandbox/orders?account=NAME    the truth: Marketplace::orders_json()
//   GET  /_sandbox/offers?account=NAME    the truth: Marketplace::offers_json()
//   GET  /_sandbox/offer-updates?account=NAME&since=SEQ
//                                         every applied offer update with seq > SEQ (default 0):
//                                         Marketplace::offer_updates_json(), {"next":SEQ,"dropped":N,
//                                         "entries":[{seq,id,route,sale_price?,status?,stock?,vat_id?}]}
//   GET  /_sandbox/requests?since=SEQ     {"next":SEQ,"entries":[request-log lines]}
//   GET  /_sandbox/stats                  per account/group admitted and 429 counts, faults, mutation
//   POST /_sandbox/mutation/pause|resume  {"paused":bool}
//   POST /_sandbox/mutate?account=NAME&changes=N&creations=M
//                                         one immediate step: {"created":[ids],"changed":[ids]}
// `account` may be omitted when there is exactly one account.
#pragma once

#include "http_types.hpp"
#include "sandbox_state.hpp"

namespace emag::sandbox {

SandboxResponse handle_control(SandboxState& state, const SandboxRequest& request);

} // namespace emag::sandbox
