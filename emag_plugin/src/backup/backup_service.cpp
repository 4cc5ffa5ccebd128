#include "backup/backup_service.hpp"

#include "backup/backup_export.hpp"
#include "backup/backup_files.hpp"
#include "backup/backup_import.hpp"
#include "backup/backup_manifest.hpp"
#include "backup/backup_tables.hpp"
#include "store/timestamp.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace erp::emag {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTmpPrefix = ".tmp-";
constexpr std::uintmax_t kMaxManifestBytes = 1u << 20;

std::string read_manifest_text(const fs::path& dir) {
    const fs::path p = dir / kManifestFile;
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(p, ec);
    if (ec) {
        throw std::runtime_error("cannot read " + p.string() + ": " + ec.message());
    }
    if (size > kMaxManifestBytes) {
        throw std::runtime_error(p.string() + " is larger than 1 MB");
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        throw std::runtime_error("cannot read " + p.string());
    }
    return text.str();
}

BackupInfo info_of(const std::string& name, const fs::path& path, const Manifest& m, std::uint64_t manifest_bytes) {
    BackupInfo info{name, m.created_at, path, manifest_bytes, {}, {}};
    for (const ManifestTable& t : m.tables) {
        info.tables.push_back({t.name, t.file, t.sha256, t.rows, t.bytes});
        info.bytes += t.bytes;
    }
    return info;
}

// Backup directories under `dir` (finished ones only), newest first.
std::vector<std::string> backup_names(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code type_ec;
        if (is_backup_name(name) && it->is_directory(type_ec)) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return newer_backup(a, b); });
    return names;
}

// Left by a process killed mid-backup: never a visible backup, just space.
// Only called under the service's mutex, so never one being written.
void remove_stale_temporaries(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(kTmpPrefix, 0) == 0 && is_backup_name(name.substr(kTmpPrefix.size()))) {
            std::error_code rm;
            fs::remove_all(it->path(), rm);
        }
    }
}

// The stamp of this second, or the first free "-N" after it.
std::string free_name(const fs::path& dir, const std::string& stamp) {
    for (int n = 1; n < 1000000; ++n) {
        const std::string name = n == 1 ? stamp : stamp + "-" + std::to_string(n);
        std::error_code ec;
        if (!fs::exists(dir / name, ec) && !fs::exists(dir / (std::string(kTmpPrefix) + name), ec)) {
            return name;
        }
    }
    throw std::runtime_error("no free backup name for " + stamp + " in " + dir.string());
}

} // namespace

BackupService::BackupService(std::string db_url, BackupOptions options,
                             std::function<std::chrono::system_clock::time_point()> now)
    : db_url_(std::move(db_url)), options_(std::move(options)), now_(std::move(now)) {
    if (!now_) {
        now_ = [] { return std::chrono::system_clock::now(); };
    }
}

BackupInfo BackupService::create() {
    const std::lock_guard lock(mutex_);
    try {
        BackupInfo info = create_locked();
        if (options_.on_result) {
            options_.on_result(true, info.name);
        }
        return info;
    } catch (const std::exception& e) {
        if (options_.on_result) {
            options_.on_result(false, e.what());
        }
        throw;
    }
}

BackupInfo BackupService::create_locked() {
    const fs::path& dir = options_.dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec)) {
        throw std::runtime_error("backup: cannot use directory " + dir.string() + ": " +
                                 (ec ? ec.message() : std::string("not a directory")));
    }
    remove_stale_temporaries(dir);

    const auto now = now_();
    const std::string name = free_name(dir, backup_name(now));
    const fs::path tmp = dir / (std::string(kTmpPrefix) + name);
    const fs::path final_path = dir / name;
    Manifest m;
    m.plugin_version = options_.plugin_version;
    m.created_at = iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    m.schema_version = latest_schema_version();
    std::string manifest;
    try {
        if (!fs::create_directory(tmp, ec)) {
            throw std::runtime_error("cannot create " + tmp.string() + ": " +
                                     (ec ? ec.message() : std::string("it exists")));
        }
        m.tables = export_tables(db_url_, backup_tables(), tmp);
        manifest = manifest_json(m);
        write_file_synced(tmp / kManifestFile, manifest);
        sync_directory(tmp);
        // The rename is the commit: before it only the hidden name exists.
        fs::rename(tmp, final_path);
        sync_directory(dir);
    } catch (const std::exception& e) {
        std::error_code rm;
        fs::remove_all(tmp, rm);
        throw std::runtime_error("backup " + name + " in " + dir.string() + " failed: " + e.what());
    }

    BackupInfo info = info_of(name, final_path, m, manifest.size());
    if (options_.keep > 0) {
        const std::vector<std::string> names = backup_names(dir);
        for (std::size_t i = options_.keep; i < names.size(); ++i) {
            if (names[i] == name) {
                continue; // a clock set back: never delete what was just written
            }
            std::error_code rm;
            fs::remove_all(dir / names[i], rm);
            if (!rm) {
                info.pruned.push_back(names[i]);
            }
        }
    }
    return info;
}

std::vector<BackupInfo> BackupService::list(std::vector<std::string>* problems) const {
    std::vector<BackupInfo> out;
    for (const std::string& name : backup_names(options_.dir)) {
        const fs::path path = options_.dir / name;
        try {
            const std::string text = read_manifest_text(path);
            out.push_back(info_of(name, path, parse_manifest(text), text.size()));
        } catch (const std::exception& e) {
            std::error_code ec;
            if (problems && fs::exists(path, ec)) { // not one deleted by retention meanwhile
                problems->push_back(name + ": " + e.what());
            }
        }
    }
    return out;
}

RestoreReport BackupService::restore(const std::string& name) {
    if (!is_backup_name(name)) {
        throw std::invalid_argument("\"" + name + "\" is not a backup name (emag-YYYYMMDDTHHMMSSZ[-N])");
    }
    const std::lock_guard lock(mutex_);
    const fs::path path = options_.dir / name;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        throw BackupNotFound("no backup " + name + " in " + options_.dir.string());
    }
    std::vector<RestorePlan> plan;
    try {
        plan = plan_restore(parse_manifest(read_manifest_text(path)), backup_tables(), latest_schema_version());
    } catch (const std::exception& e) { // an unreadable manifest is damage too
        throw BackupDamaged("backup " + name + ": " + e.what());
    }
    try {
        verify_files(path, plan);
    } catch (const BackupDamaged& e) {
        throw BackupDamaged("backup " + name + " was not restored: " + e.what());
    }
    RestoreReport report;
    report.name = name;
    try {
        report.rows_per_table = load_files(db_url_, path, plan);
    } catch (const std::exception& e) {
        throw std::runtime_error("restoring backup " + name + " failed, nothing was changed: " + e.what());
    }
    for (const auto& [table, rows] : report.rows_per_table) {
        report.rows += rows;
    }
    return report;
}

} // namespace erp::emag
