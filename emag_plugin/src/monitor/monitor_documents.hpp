// What the monitor serves, built from one sample's figures: the /health
// document, the /metrics series, the status route's body, the windows JSON
// (GET /api/metrics) and the emag_metrics snapshot rows. A pure function of
// its inputs (MonitorService::tick gathers them), so the documents' shape is
// decided in one place (docs/monitoring.md describes it).
#pragma once

#include "monitor/alert_rules.hpp"
#include "monitor/metric_windows.hpp"
#include "monitor/status.hpp"
#include "monitor/webhook.hpp"
#include "store/monitor_store.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

// Sync schedules, for each stream's next run in the status.
struct MonitorSchedule {
    unsigned orders_interval_s = 60;
    unsigned offers_interval_s = 3600;
    unsigned backup_interval_s = 86400;
};

// One sync stream's passes in this process.
struct StreamRunInfo {
    SyncCounters counters;
    std::string last_run_at, last_ok_at;
    bool last_ok = true;
};

struct DocumentInputs {
    std::string version;
    std::string now_iso;
    const std::vector<AccountStatus>& accounts;
    const std::vector<ClientMetrics>& clients;
    std::function<const std::vector<AccountWindow>&(unsigned window_s)> window;
    const std::map<std::string, AccountGauges>& gauges;
    const std::vector<SyncStateInfo>& states;
    const std::map<std::string, std::map<std::string, StreamRunInfo>>& runs; // account -> stream
    const std::vector<AlertRow>& active;
    const std::optional<BackupOutcome>& backup;
    std::string last_backup_at;
    MonitorSchedule schedule;
    unsigned min_requests = 10;
    std::optional<WebhookStats> webhook;
};

struct MonitorDocuments {
    std::string health, status, windows;
    nlohmann::json series; // the erp_monitor_def metric objects
    std::vector<MetricSnapshot> snapshots;
};

MonitorDocuments build_documents(const DocumentInputs& in);

} // namespace erp::emag
