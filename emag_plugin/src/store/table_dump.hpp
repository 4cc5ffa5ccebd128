// Generic export and import of the plugin's tables, for backups: any table
// described by a DumpTable (derived from the schema declarations, never a
// hand-written column list), on SQLite and PostgreSQL alike. Rows travel as
// cells (NULL, whole number or text) in the table's column order; the file
// format is the caller's business (src/backup/). All SQL stays here.
//
// SOCI stays out of this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

// integer/bigint columns are whole numbers; string, timestamp and json
// columns are text (the plugin declares no other types).
enum class ColumnKind { whole, text };

struct DumpColumn {
    std::string name;
    ColumnKind kind = ColumnKind::text;
    bool nullable = true;
};

struct DumpTable {
    std::string name;
    std::vector<DumpColumn> columns;
    std::vector<std::string> primary_key;
};

// One value. `null` wins over the rest; `number` is meaningful for whole
// columns, `text` for text columns.
struct Cell {
    bool null = true;
    long long number = 0;
    std::string text;
};

// Reads tables within ONE read snapshot, so a backup of several tables is
// consistent even while the sync writes: a deferred transaction on SQLite
// (the snapshot is taken at the first read), REPEATABLE READ READ ONLY on
// PostgreSQL. Rows are streamed (a server-side cursor fetched in small
// batches on PostgreSQL, sqlite3_step on SQLite), never a whole table in
// memory.
class TableExporter {
  public:
    // Throws std::runtime_error when the database cannot be opened.
    explicit TableExporter(const std::string& db_url);
    ~TableExporter(); // ends the snapshot
    TableExporter(const TableExporter&) = delete;
    TableExporter& operator=(const TableExporter&) = delete;

    // Calls `sink` for every row of `table` in primary-key order, with one
    // cell per column of table.columns (the vector is reused between rows).
    // Returns the number of rows. Throws std::runtime_error naming the
    // table (the sink's own exceptions pass through unchanged).
    std::uint64_t export_rows(const DumpTable& table, const std::function<void(const std::vector<Cell>&)>& sink);

  private:
    std::unique_ptr<soci::session> session_;
    bool postgres_ = false;
};

// Writes rows back with idempotent upserts keyed by the primary key
// (INSERT ... ON CONFLICT (pk) DO UPDATE SET every other given column), a
// few dozen rows per statement, all inside ONE write transaction (BEGIN
// IMMEDIATE on SQLite) that commit() ends: nothing is visible, and nothing
// changed, unless every table made it.
class TableImporter {
  public:
    explicit TableImporter(const std::string& db_url);
    ~TableImporter(); // rolls back unless committed
    TableImporter(const TableImporter&) = delete;
    TableImporter& operator=(const TableImporter&) = delete;

    // Upserts the rows `next` fills (one cell per entry of `columns`, in that
    // order) until it returns false. `columns` must be columns of `table`
    // and include its whole primary key; other columns of the table are left
    // as they are on update (NULL on insert). Returns the number of rows.
    // Throws std::runtime_error naming the table; the database's message is
    // cut to its first line (its DETAIL can quote row values).
    std::uint64_t import_rows(const DumpTable& table, const std::vector<std::string>& columns,
                              const std::function<bool(std::vector<Cell>&)>& next);

    void commit();

  private:
    struct Tx;
    std::unique_ptr<soci::session> session_;
    std::unique_ptr<Tx> tx_;
};

} // namespace erp::emag
