// Backups of the plugin's data (issue 8, docs/backups.md): create one now,
// list them, restore one. A backup is the directory <dir>/emag-<UTC stamp>/
// with one gzip JSON-lines file per table and manifest.json (row counts,
// sha256 of every file), written under a hidden temporary name and renamed
// into place only when complete, then the oldest beyond `keep` are deleted.
//
// Thread-safe: create() and restore() run one at a time (a mutex); list()
// reads finished directories only, so it never sees a backup being written.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace erp::emag {

struct BackupOptions {
    std::filesystem::path dir;
    unsigned keep = 7;          // newest backups kept after each create(); 0 = keep all
    std::string plugin_version; // written to the manifest when not empty
    // Told how every create() ended (the job's and the route's alike): the
    // backup's name, or what failed. The monitor's backup_failed alert.
    std::function<void(bool ok, const std::string& name_or_error)> on_result;
};

struct BackupTable {
    std::string name, file, sha256;
    std::uint64_t rows = 0, bytes = 0;
};

struct BackupInfo {
    std::string name;
    std::string created_at; // "YYYY-MM-DDTHH:MM:SSZ"
    std::filesystem::path path;
    std::uint64_t bytes = 0; // every file of the backup, manifest included
    std::vector<BackupTable> tables;
    std::vector<std::string> pruned; // create() only: older backups it deleted (retention)
};

struct RestoreReport {
    std::string name;
    std::vector<std::pair<std::string, std::uint64_t>> rows_per_table;
    std::uint64_t rows = 0;
};

// restore(): no backup of that name in the directory.
class BackupNotFound : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// restore(): the backup failed verification (manifest, checksum, row count,
// a row that does not fit the schema); nothing was changed.
class BackupDamaged : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

class BackupService {
  public:
    BackupService(std::string db_url, BackupOptions options,
                  std::function<std::chrono::system_clock::time_point()> now);

    // Writes a backup of every table now. Throws std::runtime_error saying
    // what failed and where; then no backup directory appears (the
    // temporary one is removed) and no older backup is deleted.
    BackupInfo create();

    // The finished backups, newest first, read from their manifests. A
    // backup whose manifest cannot be read is left out and, when `problems`
    // is given, described there ("<name>: <why>").
    std::vector<BackupInfo> list(std::vector<std::string>* problems = nullptr) const;

    // Verifies the whole backup first (manifest, every file's sha256, size
    // and row count, every row against the schema), then upserts every row
    // by primary key in one transaction: afterwards each key in the backup
    // has exactly the backup's row; rows whose keys are not in the backup
    // stay as they are. Throws std::invalid_argument for a name that is not
    // a backup name, BackupNotFound, BackupDamaged (database untouched), or
    // std::runtime_error when writing failed (rolled back).
    RestoreReport restore(const std::string& name);

    const BackupOptions& options() const { return options_; }

  private:
    BackupInfo create_locked();

    std::string db_url_;
    BackupOptions options_;
    std::function<std::chrono::system_clock::time_point()> now_;
    std::mutex mutex_;
};

} // namespace erp::emag
