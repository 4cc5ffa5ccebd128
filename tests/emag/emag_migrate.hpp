// Creates the eMAG plugin's tables in a database the way erp-host does at
// start: every DB mapping version through the host's own migration code.
// For tests and benchmarks that use the plugin's stores without a host.
#pragma once

#include "migrations.hpp"
#include "store/schema.hpp"

#include <string>
#include <vector>

namespace erp::test {

inline void migrate_emag_tables(const std::string& db_url) {
    std::vector<erp::host::MigrationStep> steps;
    for (const auto& v : erp::emag::schema_versions()) {
        steps.push_back({v.version, std::string(v.description), std::string(v.declaration_json)});
    }
    erp::host::apply_migrations(db_url, "emag", steps);
}

} // namespace erp::test
