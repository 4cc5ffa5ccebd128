// Migrations: realizes plugins' portable DB mappings (erp_db_mapping JSON) on
// the configured backend with SOCI's DDL, one transaction per version,
// recorded in erp_schema_migrations with a checksum.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace erp::host {

struct MigrationStep {
    uint32_t version = 0;
    std::string description;
    std::string declaration_json;
};

struct MigrationReport {
    std::vector<uint32_t> applied; // versions applied by this call
    std::vector<uint32_t> skipped; // already present with the same checksum
};

// Thrown with a message naming the plugin, the version and the reason; the
// failing version's transaction has been rolled back.
class MigrationError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Validates a declaration without touching a database (used at registration):
// returns an empty string when valid, else the reason.
std::string validate_declaration(const std::string& plugin_id, const std::string& declaration_json);

// sha256 (hex) of the declaration text as registered.
std::string migration_checksum(const MigrationStep& step);

// Applies `steps` (any order; sorted by version) for `plugin_id` on the
// database at `db_url` (SOCI connection string, see database.hpp). Creates
// erp_schema_migrations if needed. Idempotent.
MigrationReport apply_migrations(const std::string& db_url, const std::string& plugin_id,
                                 const std::vector<MigrationStep>& steps);

} // namespace erp::host
