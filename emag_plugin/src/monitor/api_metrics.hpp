// The eMAG clients' counters as metric series for the host's /metrics (the
// erp_monitor_def format: {"name","type","help","labels","value"}), labelled
// by account and group (and kind for errors, window for usage).
#pragma once

#include "api/client_metrics.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace erp::emag {

// Appends the series of every client to `out` (a JSON array).
void append_api_metrics(const std::vector<ClientMetrics>& clients, nlohmann::json& out);

// One client's figures as a JSON object for the status route:
// {"orders": {...}, "other": {...}} with requests, errors by kind, average
// and p95 latency, rate-limit usage and waits.
nlohmann::json api_status_json(const ClientMetrics& client);

} // namespace erp::emag
