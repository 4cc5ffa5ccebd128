#include "backup/backup_tables.hpp"

#include "store/schema.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace erp::emag {
namespace {

using nlohmann::json;

// Monitoring snapshots are pruned history, rebuilt as the plugin runs.
constexpr std::string_view kSkipped[] = {"emag_metrics"};

DumpColumn column(const std::string& table, const json& j) {
    DumpColumn c;
    c.name = j.at("name").get<std::string>();
    c.nullable = j.value("nullable", true);
    const std::string type = j.at("type").get<std::string>();
    if (type == "integer" || type == "bigint") {
        c.kind = ColumnKind::whole;
    } else if (type == "string" || type == "timestamp" || type == "json") {
        c.kind = ColumnKind::text;
    } else {
        // double, decimal, blob: no exact JSON-lines form chosen yet.
        throw std::logic_error("backup: column " + table + "." + c.name + " has type " + type +
                               ", which backups do not support");
    }
    return c;
}

} // namespace

std::vector<DumpTable> backup_tables() {
    std::vector<DumpTable> tables;
    for (const SchemaVersion& v : schema_versions()) {
        const json doc = json::parse(v.declaration_json);
        for (const json& jt : doc.value("create_tables", json::array())) {
            DumpTable t;
            t.name = jt.at("name").get<std::string>();
            for (const json& jc : jt.at("columns")) {
                t.columns.push_back(column(t.name, jc));
            }
            t.primary_key = jt.at("primary_key").get<std::vector<std::string>>();
            tables.push_back(std::move(t));
        }
        for (const json& ja : doc.value("add_columns", json::array())) {
            const std::string name = ja.at("table").get<std::string>();
            const auto it =
                std::find_if(tables.begin(), tables.end(), [&](const DumpTable& t) { return t.name == name; });
            if (it != tables.end()) {
                it->columns.push_back(column(name, ja.at("column")));
            }
        }
    }
    std::erase_if(tables, [](const DumpTable& t) {
        return std::find(std::begin(kSkipped), std::end(kSkipped), t.name) != std::end(kSkipped);
    });
    return tables;
}

std::uint32_t latest_schema_version() {
    std::uint32_t latest = 0;
    for (const SchemaVersion& v : schema_versions()) {
        latest = std::max(latest, v.version);
    }
    return latest;
}

} // namespace erp::emag
