// The monitoring routes (relative to /plugins/emag):
//   GET /api/status   per account: health, sync streams (last/next run,
//                     cursor, lag), windowed rates, active alerts,
//                     quarantine and dead-letter sizes (monitor_service.hpp);
//                     served from the monitor's cache
//   GET /api/metrics  the 1 min / 5 min / 1 h windows per account, as JSON
//   GET /api/metrics/history?account=&since=ISO&limit=  emag_metrics snapshots (admin)
//   GET /api/alerts?state=active|cleared&account=&rule=&limit=&before=ID  alert history (admin)
#pragma once

#include <erp_plugin/erp_plugin.hpp>

#include <functional>
#include <memory>
#include <string>

namespace erp::emag {

class MonitorService;

// `monitor`: nullptr before start. `fallback_status`: the status body
// before the monitor's first sample.
void register_monitor_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<MonitorService>()> monitor,
                             std::function<std::string()> fallback_status);

} // namespace erp::emag
