// A backup's manifest.json ("emag-backup/1", docs/backups.md) and its
// directory name "emag-YYYYMMDDTHHMMSSZ" (or "-N" after it when several
// start in the same second): the only names a backup may have, so a name
// from a request can never point outside the backup directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace erp::emag {

inline constexpr std::string_view kBackupFormat = "emag-backup/1";
inline constexpr std::string_view kManifestFile = "manifest.json";

struct ManifestTable {
    std::string name, file, sha256;
    std::uint64_t rows = 0, bytes = 0;
    std::vector<std::string> columns; // the keys of every row, in file order
};

struct Manifest {
    std::string plugin_version; // optional
    std::string created_at;     // "YYYY-MM-DDTHH:MM:SSZ"
    std::uint32_t schema_version = 0;
    std::vector<ManifestTable> tables;
};

std::string manifest_json(const Manifest& m);
// Throws std::runtime_error saying which field is wrong.
Manifest parse_manifest(std::string_view text);

// "emag-20260131T235959Z" for that second.
std::string backup_name(std::chrono::system_clock::time_point t);
// emag-YYYYMMDDTHHMMSSZ with an optional "-N" (N = 2..999999).
bool is_backup_name(std::string_view name);
// Newest first: by time, then by N (a later -N is newer).
bool newer_backup(std::string_view a, std::string_view b);

} // namespace erp::emag
