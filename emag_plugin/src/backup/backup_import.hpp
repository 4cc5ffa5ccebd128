// Reading a backup back: first verified in full without touching the
// database (every file's size and sha256 against the manifest, then every
// line decompressed, checked against the schema and counted), then loaded
// with idempotent upserts in one transaction.
#pragma once

#include "backup/backup_manifest.hpp"
#include "store/table_dump.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace erp::emag {

// A manifest table matched with the table of the current schema and the
// backup's columns of it, in file order.
struct RestorePlan {
    ManifestTable entry;
    DumpTable table;                 // the current schema's table
    std::vector<DumpColumn> columns; // the backup's columns, described by the schema
};

// Matches the manifest against the current schema: every table and column
// in the backup must exist now, and every key column must be in the backup.
// Throws BackupDamaged saying what does not match.
std::vector<RestorePlan> plan_restore(const Manifest& manifest, const std::vector<DumpTable>& current,
                                      std::uint32_t current_version);

// Throws BackupDamaged naming the file and what is wrong with it.
void verify_files(const std::filesystem::path& dir, const std::vector<RestorePlan>& plan);

// Upserts every row; returns the rows per table. Throws std::runtime_error
// (rolled back) when the database refuses.
std::vector<std::pair<std::string, std::uint64_t>>
load_files(const std::string& db_url, const std::filesystem::path& dir, const std::vector<RestorePlan>& plan);

} // namespace erp::emag
