#include "store/table_dump.hpp"

#include "store/session.hpp"
#include "store/write_transaction.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace erp::emag {
namespace {

// Rows per FETCH from the PostgreSQL cursor: small enough that a batch of
// orders with their payloads stays a few MB, large enough to amortize the
// round trip.
constexpr const char* kFetch = "FETCH FORWARD 256 FROM emag_backup_rows";

// Bound parameters per multi-row upsert: well under SQLite's historical 999
// limit, so any SQLite build takes it; a row of emag_orders (30 columns)
// gives 30 rows per statement.
constexpr std::size_t kMaxParams = 900;
constexpr std::size_t kMaxRowsPerStatement = 64;

// Names are put into SQL text: only what the host's declarations allow.
const std::string& checked(const std::string& name) {
    const bool ok = !name.empty() && name.size() <= 63 && (name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')) &&
                    std::all_of(name.begin(), name.end(),
                                [](char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
    if (!ok) {
        throw std::invalid_argument("\"" + name + "\" is not a plain lower-case SQL identifier");
    }
    return name;
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        out += (out.empty() ? "" : ", ") + checked(n);
    }
    return out;
}

// The database's message without SOCI's context (which quotes bound
// values) and without the server's DETAIL lines (which quote row values):
// customer data never reaches an exception message.
std::string db_message(const std::exception& e) {
    const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e);
    std::string text = soci_error ? soci_error->get_error_message() : std::string(e.what());
    if (const auto nl = text.find('\n'); nl != std::string::npos) {
        text.resize(nl);
    }
    return text;
}

std::string select_sql(const DumpTable& t) {
    std::vector<std::string> names;
    for (const DumpColumn& c : t.columns) {
        names.push_back(c.name);
    }
    return "SELECT " + join(names) + " FROM " + checked(t.name) + " ORDER BY " + join(t.primary_key);
}

// A statement whose result columns land in typed buffers, one per column:
// long long for whole columns, text for the rest. Not soci::row: it types
// columns from their declaration, and SQLite databases created before the
// host declared bigint columns as "bigint" have them as "integer", which
// SOCI reads as a 32-bit int (truncating). Typed buffers read all 64 bits.
class TypedRows {
  public:
    TypedRows(soci::session& sql, const std::string& query, const DumpTable& t)
        : st_(sql), numbers_(t.columns.size()), inds_(t.columns.size(), soci::i_null) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            if (t.columns[i].kind == ColumnKind::whole) {
                st_.exchange(soci::into(numbers_[i], inds_[i]));
            } else {
                st_.exchange(soci::into(texts_.emplace_back(), inds_[i]));
            }
        }
        st_.alloc();
        st_.prepare(query);
        st_.define_and_bind();
    }
    // Runs the query; false when it has no row. Then next() until false.
    bool execute() { return st_.execute(true); }
    bool next() { return st_.fetch(); }

    // Moves the current row into `cells`.
    void take(const DumpTable& t, std::vector<Cell>& cells) {
        std::size_t text = 0;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            Cell& c = cells[i];
            c.null = inds_[i] == soci::i_null;
            if (t.columns[i].kind == ColumnKind::whole) {
                c.number = numbers_[i];
            } else {
                c.text.swap(texts_[text++]);
            }
        }
    }

  private:
    soci::statement st_;
    std::vector<long long> numbers_;
    std::deque<std::string> texts_; // stable addresses for the bindings
    std::vector<soci::indicator> inds_;
};

} // namespace

TableExporter::TableExporter(const std::string& db_url) {
    try {
        session_ = open_store_session(db_url);
        postgres_ = session_->get_backend_name() == "postgresql";
        *session_ << (postgres_ ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot open the database for reading: " + db_message(e));
    }
}

TableExporter::~TableExporter() {
    try {
        *session_ << "COMMIT"; // read only: ends the snapshot, writes nothing
    } catch (...) {
        // The connection is closed next anyway.
    }
}

std::uint64_t TableExporter::export_rows(const DumpTable& table,
                                         const std::function<void(const std::vector<Cell>&)>& sink) {
    soci::session& sql = *session_;
    std::vector<Cell> cells(table.columns.size());
    std::uint64_t count = 0;
    // Only the database's failures are wrapped: the sink's (a full disk)
    // already say what failed.
    bool in_sink = false;
    auto drain = [&](TypedRows& rows) {
        std::uint64_t n = 0;
        if (rows.execute()) {
            do {
                rows.take(table, cells);
                in_sink = true;
                sink(cells);
                in_sink = false;
                ++n;
            } while (rows.next());
        }
        count += n;
        return n;
    };
    try {
        if (!postgres_) {
            TypedRows rows(sql, select_sql(table), table);
            drain(rows);
            return count;
        }
        // libpq holds a whole result in memory: read through a cursor instead.
        sql << "DECLARE emag_backup_rows NO SCROLL CURSOR FOR " + select_sql(table);
        {
            TypedRows fetch(sql, kFetch, table);
            while (drain(fetch) > 0) {
            }
        }
        sql << "CLOSE emag_backup_rows";
        return count;
    } catch (const std::exception& e) {
        if (in_sink) {
            throw;
        }
        throw std::runtime_error("reading table " + table.name + " failed: " + db_message(e));
    }
}

struct TableImporter::Tx {
    explicit Tx(soci::session& sql) : tx(sql) {}
    WriteTransaction tx;
};

TableImporter::TableImporter(const std::string& db_url) {
    try {
        session_ = open_store_session(db_url);
        tx_ = std::make_unique<Tx>(*session_);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot open the database for writing: " + db_message(e));
    }
}

TableImporter::~TableImporter() {
    tx_.reset(); // rolls back unless committed, before the session closes
}

void TableImporter::commit() {
    try {
        tx_->tx.commit();
    } catch (const std::exception& e) {
        throw std::runtime_error("committing the restore failed: " + db_message(e));
    }
}

namespace {

// A prepared multi-row upsert for `rows` rows, bound to parameter buffers
// that the caller fills (one slot per row and column).
class Upsert {
  public:
    Upsert(soci::session& sql, const std::string& head, const std::string& tail, const std::vector<ColumnKind>& kinds,
           std::size_t rows, std::vector<long long>& numbers, std::vector<std::string>& texts,
           std::vector<soci::indicator>& inds)
        : st_(sql) {
        std::string values;
        std::size_t k = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            values += r == 0 ? "(" : ", (";
            for (std::size_t c = 0; c < kinds.size(); ++c, ++k) {
                values += (c == 0 ? ":p" : ", :p") + std::to_string(k);
                if (kinds[c] == ColumnKind::whole) {
                    st_.exchange(soci::use(numbers[k], inds[k]));
                } else {
                    st_.exchange(soci::use(texts[k], inds[k]));
                }
            }
            values += ")";
        }
        st_.alloc();
        st_.prepare(head + values + tail);
        st_.define_and_bind();
    }
    void execute() { st_.execute(true); }

  private:
    soci::statement st_;
};

} // namespace

std::uint64_t TableImporter::import_rows(const DumpTable& table, const std::vector<std::string>& columns,
                                         const std::function<bool(std::vector<Cell>&)>& next) {
    std::vector<ColumnKind> kinds;
    for (const std::string& name : columns) {
        const auto it = std::find_if(table.columns.begin(), table.columns.end(),
                                     [&](const DumpColumn& c) { return c.name == name; });
        if (it == table.columns.end()) {
            throw std::invalid_argument("table " + table.name + " has no column " + name);
        }
        kinds.push_back(it->kind);
    }
    std::vector<std::string> updates;
    for (const std::string& name : columns) {
        if (std::find(table.primary_key.begin(), table.primary_key.end(), name) == table.primary_key.end()) {
            updates.push_back(checked(name) + " = excluded." + name);
        }
    }
    for (const std::string& key : table.primary_key) {
        if (std::find(columns.begin(), columns.end(), key) == columns.end()) {
            throw std::invalid_argument("the rows of " + table.name + " lack key column " + key);
        }
    }
    const std::string head = "INSERT INTO " + checked(table.name) + " (" + join(columns) + ") VALUES ";
    std::string tail = " ON CONFLICT (" + join(table.primary_key) + ") DO ";
    if (updates.empty()) {
        tail += "NOTHING";
    } else {
        tail += "UPDATE SET ";
        for (std::size_t i = 0; i < updates.size(); ++i) {
            tail += (i == 0 ? "" : ", ") + updates[i];
        }
    }

    const std::size_t width = std::max<std::size_t>(columns.size(), 1);
    const std::size_t per_statement = std::clamp<std::size_t>(kMaxParams / width, 1, kMaxRowsPerStatement);
    std::vector<long long> numbers(per_statement * width);
    std::vector<std::string> texts(per_statement * width);
    std::vector<soci::indicator> inds(per_statement * width, soci::i_null);
    std::vector<Cell> cells(columns.size());
    std::uint64_t count = 0;
    try {
        soci::session& sql = *session_;
        std::unique_ptr<Upsert> full;
        std::size_t pending = 0;
        auto run = [&](std::size_t rows) {
            if (rows == per_statement) {
                if (!full) {
                    full = std::make_unique<Upsert>(sql, head, tail, kinds, rows, numbers, texts, inds);
                }
                full->execute();
            } else {
                Upsert(sql, head, tail, kinds, rows, numbers, texts, inds).execute();
            }
        };
        while (next(cells)) {
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const std::size_t k = pending * width + c;
                inds[k] = cells[c].null ? soci::i_null : soci::i_ok;
                if (kinds[c] == ColumnKind::whole) {
                    numbers[k] = cells[c].number;
                } else {
                    texts[k].swap(cells[c].text);
                }
            }
            ++count;
            if (++pending == per_statement) {
                run(pending);
                pending = 0;
            }
        }
        if (pending > 0) {
            run(pending);
        }
    } catch (const soci::soci_error& e) {
        throw std::runtime_error("writing table " + table.name + " failed: " + db_message(e));
    }
    return count;
}

} // namespace erp::emag
