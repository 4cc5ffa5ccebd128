// Metrics: turns monitoring hooks' JSON into Prometheus text exposition format
// (HELP/TYPE once per family, escaped label values).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace erp::host {

struct MetricSample {
    std::string name;
    std::string type; // "counter" or "gauge"
    std::string help;
    std::map<std::string, std::string> labels;
    double value = 0; // Prometheus values are floats by definition
};

// Parses {"metrics":[{name,type,help,labels,value},...]} from plugin `plugin_id`.
// Invalid entries are skipped and described in `problems`; names must begin
// with the plugin id.
std::vector<MetricSample> parse_monitor_metrics(const std::string& plugin_id, const std::string& json,
                                                std::vector<std::string>& problems);

std::string format_prometheus(const std::vector<MetricSample>& samples);

bool valid_metric_name(const std::string& name);
bool valid_label_name(const std::string& name);

} // namespace erp::host
