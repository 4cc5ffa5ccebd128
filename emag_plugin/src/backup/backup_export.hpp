// Writing a backup's table files: every table read in one snapshot,
// streamed row by row into <dir>/<table>.jsonl.gz (never a whole table in
// memory), each file fsynced, its sha256 and size taken as it is written.
#pragma once

#include "backup/backup_manifest.hpp"
#include "store/table_dump.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace erp::emag {

// The manifest's table entries for the files written into `dir`. Throws
// std::runtime_error naming the table or file that failed; files already
// written stay for the caller to remove.
std::vector<ManifestTable> export_tables(const std::string& db_url, const std::vector<DumpTable>& tables,
                                         const std::filesystem::path& dir);

} // namespace erp::emag
