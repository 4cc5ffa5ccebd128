#include "backup/backup_import.hpp"

#include "backup/backup_files.hpp"
#include "backup/backup_rows.hpp"
#include "backup/backup_service.hpp"

#include <algorithm>

namespace erp::emag {
namespace {

// Reads a file's rows one line at a time, checked against the columns; the
// messages name the file and line, never a value.
class RowReader {
  public:
    RowReader(const std::filesystem::path& dir, const RestorePlan& p)
        : plan_(p), reader_(dir / p.entry.file), cells_(p.columns.size()) {}

    bool next() {
        if (!reader_.next(line_)) {
            return false;
        }
        ++line_no_;
        try {
            line_to_row(plan_.columns, line_, cells_);
        } catch (const std::exception& e) {
            throw BackupDamaged(plan_.entry.file + " line " + std::to_string(line_no_) + ": " + e.what());
        }
        return true;
    }
    std::vector<Cell>& cells() { return cells_; }
    std::uint64_t lines() const { return line_no_; }

  private:
    const RestorePlan& plan_;
    GzipLineReader reader_;
    std::string line_;
    std::vector<Cell> cells_;
    std::uint64_t line_no_ = 0;
};

} // namespace

std::vector<RestorePlan> plan_restore(const Manifest& manifest, const std::vector<DumpTable>& current,
                                      std::uint32_t current_version) {
    if (manifest.schema_version > current_version) {
        throw BackupDamaged("the backup is of schema version " + std::to_string(manifest.schema_version) +
                            ", newer than this plugin's " + std::to_string(current_version));
    }
    std::vector<RestorePlan> plan;
    for (const ManifestTable& e : manifest.tables) {
        const auto t =
            std::find_if(current.begin(), current.end(), [&](const DumpTable& d) { return d.name == e.name; });
        if (t == current.end()) {
            throw BackupDamaged("the backup's table " + e.name + " is not a table this plugin backs up");
        }
        RestorePlan p{e, *t, {}};
        for (const std::string& name : e.columns) {
            const auto c =
                std::find_if(t->columns.begin(), t->columns.end(), [&](const DumpColumn& d) { return d.name == name; });
            if (c == t->columns.end()) {
                throw BackupDamaged("the backup's column " + e.name + "." + name + " is not in the current schema");
            }
            if (std::any_of(p.columns.begin(), p.columns.end(), [&](const DumpColumn& d) { return d.name == name; })) {
                throw BackupDamaged("column " + e.name + "." + name + " is listed twice");
            }
            p.columns.push_back(*c);
        }
        for (const std::string& key : t->primary_key) {
            if (std::find(e.columns.begin(), e.columns.end(), key) == e.columns.end()) {
                throw BackupDamaged("the backup of " + e.name + " lacks its key column " + key);
            }
        }
        plan.push_back(std::move(p));
    }
    return plan;
}

void verify_files(const std::filesystem::path& dir, const std::vector<RestorePlan>& plan) {
    // Checksums first: a damaged file is reported as such, before anything
    // tries to decompress it.
    for (const RestorePlan& p : plan) {
        FileDigest d;
        try {
            d = digest_file(dir / p.entry.file);
        } catch (const std::exception& e) {
            throw BackupDamaged(e.what());
        }
        if (d.bytes != p.entry.bytes) {
            throw BackupDamaged(p.entry.file + " has " + std::to_string(d.bytes) + " bytes, the manifest says " +
                                std::to_string(p.entry.bytes));
        }
        if (d.sha256 != p.entry.sha256) {
            throw BackupDamaged(p.entry.file + ": sha256 does not match the manifest (the file is damaged or changed)");
        }
    }
    for (const RestorePlan& p : plan) {
        std::uint64_t rows = 0;
        try {
            RowReader reader(dir, p);
            while (reader.next()) {
                ++rows;
            }
        } catch (const BackupDamaged&) {
            throw;
        } catch (const std::exception& e) {
            throw BackupDamaged(e.what());
        }
        if (rows != p.entry.rows) {
            throw BackupDamaged(p.entry.file + " holds " + std::to_string(rows) + " rows, the manifest says " +
                                std::to_string(p.entry.rows));
        }
    }
}

std::vector<std::pair<std::string, std::uint64_t>>
load_files(const std::string& db_url, const std::filesystem::path& dir, const std::vector<RestorePlan>& plan) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    TableImporter importer(db_url);
    for (const RestorePlan& p : plan) {
        RowReader reader(dir, p);
        std::vector<std::string> names;
        for (const DumpColumn& c : p.columns) {
            names.push_back(c.name);
        }
        const std::uint64_t rows = importer.import_rows(p.table, names, [&](std::vector<Cell>& cells) {
            if (!reader.next()) {
                return false;
            }
            cells.swap(reader.cells());
            return true;
        });
        out.emplace_back(p.entry.name, rows);
    }
    importer.commit();
    return out;
}

} // namespace erp::emag
