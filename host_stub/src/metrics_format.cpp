#include "metrics_format.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>

namespace erp::host {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
    return first ? alpha : (alpha || (c >= '0' && c <= '9'));
}

std::string escape_label_value(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string escape_help(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.17g", v);
    }
    return buf;
}

} // namespace

bool valid_metric_name(const std::string& name) {
    if (name.empty()) {
        return false;
    }
    for (size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, true)) {
            return false;
        }
    }
    return true;
}

bool valid_label_name(const std::string& name) {
    if (name.empty() || name.rfind("__", 0) == 0) {
        return false;
    }
    for (size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, false)) {
            return false;
        }
    }
    return true;
}

std::vector<MetricSample> parse_monitor_metrics(const std::string& plugin_id, const std::string& json,
                                                std::vector<std::string>& problems) {
    std::vector<MetricSample> out;
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("metrics") || !doc["metrics"].is_array()) {
        problems.push_back("monitor output is not {\"metrics\":[...]}");
        return out;
    }
    size_t i = 0;
    for (const auto& m : doc["metrics"]) {
        const std::string where = "metrics[" + std::to_string(i++) + "]";
        if (!m.is_object()) {
            problems.push_back(where + ": not an object");
            continue;
        }
        MetricSample s;
        s.name = m.value("name", "");
        s.type = m.value("type", "gauge");
        s.help = m.value("help", "");
        if (!valid_metric_name(s.name) || s.name.rfind(plugin_id + "_", 0) != 0) {
            problems.push_back(where + ": name '" + s.name + "' must match [a-zA-Z_:][a-zA-Z0-9_:]* and begin with '" +
                               plugin_id + "_'");
            continue;
        }
        if (s.type != "counter" && s.type != "gauge") {
            problems.push_back(where + ": type must be counter or gauge");
            continue;
        }
        if (!m.contains("value") || !m["value"].is_number()) {
            problems.push_back(where + ": value must be a number");
            continue;
        }
        s.value = m["value"].get<double>();
        bool ok = true;
        if (m.contains("labels")) {
            if (!m["labels"].is_object()) {
                ok = false;
            } else {
                for (const auto& [k, v] : m["labels"].items()) {
                    if (!valid_label_name(k) || !v.is_string()) {
                        ok = false;
                        break;
                    }
                    s.labels[k] = v.get<std::string>();
                }
            }
        }
        if (!ok) {
            problems.push_back(where + ": labels must be an object of valid label names to strings");
            continue;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string format_prometheus(const std::vector<MetricSample>& samples) {
    // Group by family in first-seen order; HELP/TYPE once per family.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const MetricSample*>> families;
    for (const auto& s : samples) {
        auto& fam = families[s.name];
        if (fam.empty()) {
            order.push_back(s.name);
        }
        fam.push_back(&s);
    }
    std::string out;
    for (const auto& name : order) {
        const auto& fam = families[name];
        out += "# HELP " + name + " " + escape_help(fam.front()->help.empty() ? name : fam.front()->help) + "\n";
        out += "# TYPE " + name + " " + fam.front()->type + "\n";
        for (const auto* s : fam) {
            out += name;
            if (!s->labels.empty()) {
                out += "{";
                bool first = true;
                for (const auto& [k, v] : s->labels) {
                    if (!first) {
                        out += ',';
                    }
                    out += k;
                    out += "=\"";
                    out += escape_label_value(v);
                    out += '"';
                    first = false;
                }
                out += "}";
            }
            out += ' ';
            out += format_value(s->value);
            out += '\n';
        }
    }
    return out;
}

} // namespace erp::host
