// Migrations: validates a plugin's portable DB mapping (the erp_db_mapping
// JSON, see erp_plugin.h) and realizes it on the configured backend with SOCI's
// portable DDL, one transaction per version, recorded in erp_schema_migrations.
//
// What the backends really declare (SOCI 4.0.3, SQLite 3.40, PostgreSQL 15;
// tests/host/test_migrations.cpp reads the catalogues to keep this honest):
//
//   declared      SOCI call                 SQLite column          PostgreSQL column
//   string(n>0)   dt_string, n              text (size dropped)    varchar(n)
//   string        dt_string, 0              text                   text
//   integer       dt_integer                integer                integer
//   bigint        dt_long_long | raw (4)    bigint                 bigint
//   double        dt_double | raw (1)       real                   double precision
//   decimal(p,s)  dt_double, p, s | raw (2) numeric(p,s)           numeric(p,s)
//   timestamp     dt_string, 0              text                   text
//   json          dt_string, 0              text                   text
//   blob          dt_blob                   blob                   oid (3)
//
// (1) SOCI's base create_column_type(), which the PostgreSQL backend does not
//     override, maps dt_double to "numeric": exact but slow decimal arithmetic
//     and not what "double" promises, so on PostgreSQL the column is written
//     as raw "double precision". The SQLite backend's own mapping ("real") is
//     right.
// (2) The SQLite backend maps every dt_double to "real", ignoring precision and
//     scale, so a decimal would be declared as a float; it is written as raw
//     "numeric(p,s)" there. That gives NUMERIC affinity, which is still not
//     exact: SQLite has no decimal storage class, and a value such as
//     12345678901234.5678 is stored as an 8-byte REAL (about 15-16 significant
//     digits). Only PostgreSQL keeps decimals exact. A plugin that needs exact
//     amounts on every backend stores them as bigint minor units (or as text),
//     which is the plugins' convention for money.
// (3) SOCI 4.0's PostgreSQL blob support works on large objects, so dt_blob is
//     "oid": the bytes live in pg_largeobject, a row holds only the reference,
//     and deleting the row does not free the object (lo_unlink, or the `lo`
//     extension's lo_manage trigger, does). Writing one also differs per
//     backend (insert lo_creat(-1) then write through soci::blob inside a
//     transaction, versus binding a soci::blob on SQLite). Plugins are better
//     off not using blob for anything large or frequently replaced.
// (4) The SQLite backend maps dt_long_long to "integer", and SOCI's SQLite
//     backend describes a result column by its declared type: "integer" (or
//     "int") is dt_integer, so soci::row reads it as an int, silently keeping
//     only the low 32 bits (4294967295 comes back as -1); "bigint" and "int8"
//     are dt_long_long. So on SQLite the column is
//     written as raw "bigint", which still has INTEGER affinity (the same
//     8-byte storage). Unlike "integer", a one-column "bigint" primary key is
//     not the rowid alias (see below). Tables created before this mapping
//     keep "integer": soci::into(long long) reads them whole, soci::row does
//     not.
//
// Other seams: SQLite does not enforce varchar sizes or 32-bit integers (its
// "integer" holds 64 bits), PostgreSQL does. Timestamps are text on purpose:
// SOCI declares dt_date as "integer" on SQLite but binds std::tm as text, so
// the contract fixes ISO-8601 UTC text everywhere. Primary-key columns are
// declared NOT NULL explicitly because SQLite, unlike PostgreSQL, otherwise
// accepts NULL in them; a one-column integer primary key on SQLite is still
// the rowid alias, though, where inserting NULL assigns the next id instead
// of failing. A one-column bigint key is an ordinary key with its own unique
// index, where NULL fails as on PostgreSQL; nothing may count on ids being
// assigned by the database (the plugins take MAX(id) + 1). DDL is
// transactional on both backends, so a failing version leaves nothing behind.

#include "migrations.hpp"

#include "database.hpp"
#include "sha256.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstddef>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string_view>

namespace erp::host {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdentifier = 63; // PostgreSQL's NAMEDATALEN - 1
// A table's primary key constraint is named "<table>_pk" and must fit too;
// PostgreSQL would silently truncate it otherwise.
constexpr std::size_t kMaxTableName = kMaxIdentifier - 3;
constexpr int kMaxVarcharSize = 10485760; // PostgreSQL's varchar limit
constexpr int kMaxDecimalPrecision = 38;  // what most databases support
constexpr const char* kMigrationsTable = "erp_schema_migrations";
constexpr std::array<std::string_view, 2> kSupportedBackends{"sqlite3", "postgresql"};

// Words that cannot be used unquoted as a column name on one of the backends:
// PostgreSQL's reserved keywords (pg_get_keywords() catcode R and T, plus
// SYSTEM_USER from 16) and the SQLite keywords that fail in a CREATE TABLE,
// index, insert or select (found by trying each on SQLite 3.40). Identifiers
// are never quoted in the generated DDL, nor in the plugins' own queries, so
// such a name is refused at registration rather than failing later on one
// backend only.
constexpr std::string_view kReservedWords =
    "add all alter analyse analyze and any array as asc asymmetric authorization autoincrement between "
    "binary both case cast check collate collation column commit concurrently constraint create cross "
    "current_catalog current_date current_role current_schema current_time current_timestamp current_user "
    "default deferrable delete desc distinct do drop else end escape except exists false fetch for "
    "foreign freeze from full grant group having ilike in index initially inner insert intersect into is "
    "isnull join lateral leading left like limit localtime localtimestamp natural not nothing notnull "
    "null offset on only or order outer overlaps placing primary raise references returning right select "
    "session_user set similar some symmetric system_user table tablesample then to trailing transaction "
    "true union unique update user using values variadic verbose when where window with";

bool is_reserved_word(std::string_view word) {
    static const std::set<std::string_view> reserved = [] {
        std::set<std::string_view> out;
        std::string_view rest = kReservedWords;
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            out.insert(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        }
        return out;
    }();
    return reserved.count(word) != 0;
}

// ---------------------------------------------------------------------------
// The declaration, parsed and validated
// ---------------------------------------------------------------------------

enum class ColumnType { string, integer, bigint, double_, decimal, timestamp, json, blob };

constexpr std::array<std::pair<std::string_view, ColumnType>, 8> kColumnTypes{{
    {"string", ColumnType::string},
    {"integer", ColumnType::integer},
    {"bigint", ColumnType::bigint},
    {"double", ColumnType::double_},
    {"decimal", ColumnType::decimal},
    {"timestamp", ColumnType::timestamp},
    {"json", ColumnType::json},
    {"blob", ColumnType::blob},
}};

struct ColumnDecl {
    std::string name;
    ColumnType type = ColumnType::string;
    int size = 0; // string only; 0 = unbounded text
    int precision = 0;
    int scale = 0;
    bool nullable = true;
};

struct TableDecl {
    std::string name;
    std::vector<ColumnDecl> columns;
    std::vector<std::string> primary_key;
};

struct AddColumnDecl {
    std::string table;
    ColumnDecl column;
};

struct IndexDecl {
    std::string table;
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
};

struct Declaration {
    std::vector<TableDecl> create_tables;
    std::vector<AddColumnDecl> add_columns;
    std::vector<IndexDecl> indexes;
    std::map<std::string, std::vector<std::string>> sql; // backend -> statements
};

// Carries "<path>: <reason>"; turned into validate_declaration's result or a
// MigrationError.
class DeclarationError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
    throw DeclarationError(path + ": " + reason);
}

// JSON-quoted, so that odd characters in a rejected name stay visible and a
// name that is not valid UTF-8 cannot make the error itself throw.
std::string json_quoted(const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string member_path(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::string element_path(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) {
            out += sep;
        }
        out += item;
    }
    return out;
}

bool is_identifier(const std::string& s) {
    if (s.empty() || s.size() > kMaxIdentifier) {
        return false;
    }
    const auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
    if (!lower_or_underscore(s[0])) {
        return false;
    }
    return std::all_of(s.begin() + 1, s.end(),
                       [&](char c) { return lower_or_underscore(c) || (c >= '0' && c <= '9'); });
}

bool is_plugin_id(const std::string& s) {
    return !s.empty() && s[0] >= 'a' && s[0] <= 'z' && is_identifier(s);
}

// Unknown keys are refused at every level: a misspelt "nullable" or
// "primary_key" would otherwise silently produce a different schema.
void check_keys(const json& obj, std::initializer_list<std::string_view> allowed, const std::string& path) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) {
                list += list.empty() ? "" : ", ";
                list += a;
            }
            fail(member_path(path, it.key()), "unknown key (allowed: " + list + ")");
        }
    }
}

const json& expect_object(const json& j, const std::string& path) {
    if (!j.is_object()) {
        fail(path, std::string("must be an object, not ") + j.type_name());
    }
    return j;
}

const json& expect_array(const json& j, const std::string& path, bool non_empty) {
    if (!j.is_array()) {
        fail(path, std::string("must be an array, not ") + j.type_name());
    }
    if (non_empty && j.empty()) {
        fail(path, "must not be empty");
    }
    return j;
}

const json& require(const json& obj, const char* key, const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        fail(member_path(path, key), "is required");
    }
    return *it;
}

int expect_int(const json& j, const std::string& path, int lo, int hi) {
    if (!j.is_number_integer()) {
        fail(path, std::string("must be an integer, not ") + j.type_name());
    }
    // nlohmann stores non-negative literals as unsigned: read without overflow.
    bool in_range = false;
    long long value = 0;
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        in_range = u <= static_cast<std::uint64_t>(hi);
        value = in_range ? static_cast<long long>(u) : 0;
    } else {
        value = j.get<std::int64_t>();
        in_range = value <= hi;
    }
    if (!in_range || value < lo) {
        fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " + j.dump());
    }
    return static_cast<int>(value);
}

bool expect_bool(const json& j, const std::string& path) {
    if (!j.is_boolean()) {
        fail(path, std::string("must be true or false, not ") + j.type_name());
    }
    return j.get<bool>();
}

std::string expect_identifier(const json& j, const std::string& path) {
    if (!j.is_string()) {
        fail(path, std::string("must be a string, not ") + j.type_name());
    }
    const auto& s = j.get_ref<const std::string&>();
    if (!is_identifier(s)) {
        fail(path, json_quoted(s) + " is not a valid identifier ([a-z_][a-z0-9_]*, at most " +
                       std::to_string(kMaxIdentifier) + " characters)");
    }
    if (is_reserved_word(s)) {
        fail(path, json_quoted(s) + " is a reserved SQL word on SQLite or PostgreSQL");
    }
    return s;
}

// A table or index name: the plugin's own namespace, "<plugin id>_...".
std::string expect_owned_name(const json& j, const std::string& path, const std::string& plugin_id,
                              std::size_t max_len) {
    std::string s = expect_identifier(j, path);
    const std::string prefix = plugin_id + "_";
    if (s.rfind(prefix, 0) != 0 || s.size() == prefix.size()) {
        fail(path, json_quoted(s) + " must begin with \"" + prefix + "\" followed by a name");
    }
    if (s.size() > max_len) {
        fail(path, json_quoted(s) + " is longer than " + std::to_string(max_len) + " characters");
    }
    if (s == kMigrationsTable) {
        fail(path, json_quoted(s) + " is the host's own table");
    }
    return s;
}

ColumnDecl parse_column(const json& j, const std::string& path) {
    expect_object(j, path);
    check_keys(j, {"name", "type", "size", "precision", "scale", "nullable"}, path);
    ColumnDecl c;
    c.name = expect_identifier(require(j, "name", path), member_path(path, "name"));

    const std::string type_path = member_path(path, "type");
    const json& type = require(j, "type", path);
    if (!type.is_string()) {
        fail(type_path, std::string("must be a string, not ") + type.type_name());
    }
    const auto& type_name = type.get_ref<const std::string&>();
    const auto known = std::find_if(kColumnTypes.begin(), kColumnTypes.end(),
                                    [&](const auto& entry) { return entry.first == type_name; });
    if (known == kColumnTypes.end()) {
        fail(type_path, "unknown type " + json_quoted(type_name) +
                            " (known: string, integer, bigint, double, decimal, timestamp, json, blob)");
    }
    c.type = known->second;

    if (const auto it = j.find("size"); it != j.end()) {
        if (c.type != ColumnType::string) {
            fail(member_path(path, "size"), "applies only to type \"string\"");
        }
        c.size = expect_int(*it, member_path(path, "size"), 0, kMaxVarcharSize);
    }
    const auto precision = j.find("precision");
    const auto scale = j.find("scale");
    if (c.type == ColumnType::decimal) {
        if (precision == j.end()) {
            fail(member_path(path, "precision"), "is required for type \"decimal\"");
        }
        c.precision = expect_int(*precision, member_path(path, "precision"), 1, kMaxDecimalPrecision);
        if (scale != j.end()) {
            c.scale = expect_int(*scale, member_path(path, "scale"), 0, c.precision);
        }
    } else if (precision != j.end()) {
        fail(member_path(path, "precision"), "applies only to type \"decimal\"");
    } else if (scale != j.end()) {
        fail(member_path(path, "scale"), "applies only to type \"decimal\"");
    }
    if (const auto it = j.find("nullable"); it != j.end()) {
        c.nullable = expect_bool(*it, member_path(path, "nullable"));
    }
    return c;
}

Declaration parse_declaration(const std::string& plugin_id, const std::string& text) {
    if (!is_plugin_id(plugin_id)) {
        throw DeclarationError("plugin id " + json_quoted(plugin_id) + " is not valid ([a-z][a-z0-9_]*)");
    }
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        fail("declaration", std::string("malformed JSON: ") + e.what());
    }
    if (!doc.is_object()) {
        fail("declaration", std::string("must be a JSON object, not ") + doc.type_name());
    }
    check_keys(doc, {"create_tables", "add_columns", "indexes", "sql"}, "");

    Declaration d;
    // Columns of the tables this document creates or extends, for checking
    // primary keys, added columns and indexes. Tables created by an earlier
    // version are not known here; the database checks those when applying.
    std::map<std::string, std::set<std::string>> known_columns;
    std::set<std::string> relation_names; // tables, indexes and "<table>_pk" share one namespace

    if (const auto it = doc.find("create_tables"); it != doc.end()) {
        expect_array(*it, "create_tables", false);
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string path = element_path("create_tables", i);
            const json& jt = expect_object((*it)[i], path);
            check_keys(jt, {"name", "columns", "primary_key"}, path);
            TableDecl t;
            t.name = expect_owned_name(require(jt, "name", path), member_path(path, "name"), plugin_id, kMaxTableName);
            if (!relation_names.insert(t.name).second || !relation_names.insert(t.name + "_pk").second) {
                fail(member_path(path, "name"), json_quoted(t.name) + " is declared twice");
            }
            const std::string cols_path = member_path(path, "columns");
            const json& jc = expect_array(require(jt, "columns", path), cols_path, true);
            auto& names = known_columns[t.name];
            for (std::size_t k = 0; k < jc.size(); ++k) {
                const std::string col_path = element_path(cols_path, k);
                t.columns.push_back(parse_column(jc[k], col_path));
                if (!names.insert(t.columns.back().name).second) {
                    fail(member_path(col_path, "name"), "duplicate column " + json_quoted(t.columns.back().name));
                }
            }
            if (const auto pk = jt.find("primary_key"); pk != jt.end()) {
                const std::string pk_path = member_path(path, "primary_key");
                expect_array(*pk, pk_path, true);
                for (std::size_t k = 0; k < pk->size(); ++k) {
                    const std::string col_path = element_path(pk_path, k);
                    std::string col = expect_identifier((*pk)[k], col_path);
                    if (names.count(col) == 0) {
                        fail(col_path, "no column " + json_quoted(col) + " in table " + json_quoted(t.name));
                    }
                    if (std::find(t.primary_key.begin(), t.primary_key.end(), col) != t.primary_key.end()) {
                        fail(col_path, json_quoted(col) + " is listed twice");
                    }
                    t.primary_key.push_back(std::move(col));
                }
            }
            d.create_tables.push_back(std::move(t));
        }
    }

    if (const auto it = doc.find("add_columns"); it != doc.end()) {
        expect_array(*it, "add_columns", false);
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string path = element_path("add_columns", i);
            const json& ja = expect_object((*it)[i], path);
            check_keys(ja, {"table", "column"}, path);
            AddColumnDecl a;
            a.table =
                expect_owned_name(require(ja, "table", path), member_path(path, "table"), plugin_id, kMaxTableName);
            const std::string col_path = member_path(path, "column");
            a.column = parse_column(require(ja, "column", path), col_path);
            // The declaration has no default value, and SQLite refuses to add a
            // NOT NULL column without one (PostgreSQL refuses once the table
            // has rows): a portable added column is nullable.
            if (!a.column.nullable) {
                fail(member_path(col_path, "nullable"),
                     "an added column must be nullable (existing rows have no value for it)");
            }
            if (const auto known = known_columns.find(a.table); known != known_columns.end()) {
                if (!known->second.insert(a.column.name).second) {
                    fail(member_path(col_path, "name"),
                         "table " + json_quoted(a.table) + " already has a column " + json_quoted(a.column.name));
                }
            }
            d.add_columns.push_back(std::move(a));
        }
    }

    if (const auto it = doc.find("indexes"); it != doc.end()) {
        expect_array(*it, "indexes", false);
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string path = element_path("indexes", i);
            const json& ji = expect_object((*it)[i], path);
            check_keys(ji, {"table", "name", "columns", "unique"}, path);
            IndexDecl x;
            x.table =
                expect_owned_name(require(ji, "table", path), member_path(path, "table"), plugin_id, kMaxTableName);
            x.name = expect_owned_name(require(ji, "name", path), member_path(path, "name"), plugin_id, kMaxIdentifier);
            if (!relation_names.insert(x.name).second) {
                fail(member_path(path, "name"), json_quoted(x.name) + " is already used by a table, key or index here");
            }
            const std::string cols_path = member_path(path, "columns");
            const json& jc = expect_array(require(ji, "columns", path), cols_path, true);
            const auto known = known_columns.find(x.table);
            for (std::size_t k = 0; k < jc.size(); ++k) {
                const std::string col_path = element_path(cols_path, k);
                std::string col = expect_identifier(jc[k], col_path);
                if (known != known_columns.end() && known->second.count(col) == 0) {
                    fail(col_path, "no column " + json_quoted(col) + " in table " + json_quoted(x.table));
                }
                if (std::find(x.columns.begin(), x.columns.end(), col) != x.columns.end()) {
                    fail(col_path, json_quoted(col) + " is listed twice");
                }
                x.columns.push_back(std::move(col));
            }
            if (const auto u = ji.find("unique"); u != ji.end()) {
                x.unique = expect_bool(*u, member_path(path, "unique"));
            }
            d.indexes.push_back(std::move(x));
        }
    }

    if (const auto it = doc.find("sql"); it != doc.end()) {
        expect_object(*it, "sql");
        // Keys naming a backend this host does not support are accepted (and
        // ignored when applying): a plugin may already carry statements for a
        // backend a newer host adds.
        for (auto b = it->begin(); b != it->end(); ++b) {
            const std::string path = member_path("sql", b.key());
            expect_array(b.value(), path, false);
            auto& statements = d.sql[b.key()];
            for (std::size_t k = 0; k < b.value().size(); ++k) {
                const json& s = b.value()[k];
                if (!s.is_string() ||
                    s.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
                    fail(element_path(path, k), "must be a non-empty string of SQL");
                }
                statements.push_back(s.get<std::string>());
            }
        }
        for (const auto backend : kSupportedBackends) {
            if (it->find(backend) == it->end()) {
                fail(member_path("sql", std::string(backend)),
                     "missing: \"sql\" needs an entry for every supported backend (sqlite3, postgresql); "
                     "use [] where none is needed");
            }
        }
    }
    return d;
}

// ---------------------------------------------------------------------------
// Realizing a declaration
// ---------------------------------------------------------------------------

DbBackend backend_of(soci::session& sql) {
    const std::string name = sql.get_backend_name();
    if (name == "sqlite3") {
        return DbBackend::sqlite3;
    }
    if (name == "postgresql") {
        return DbBackend::postgresql;
    }
    throw std::runtime_error("database backend '" + name + "' is not supported for migrations");
}

// How one column is written: through SOCI's column() (raw_type empty), or as
// raw SQL where SOCI's mapping is wrong for the backend (see the top).
struct ColumnSql {
    std::string name;
    soci::data_type dt = soci::dt_string;
    int precision = 0;
    int scale = 0;
    std::string raw_type;
    bool not_null = false;
};

ColumnSql column_sql(DbBackend backend, const ColumnDecl& c) {
    ColumnSql out;
    out.name = c.name;
    out.not_null = !c.nullable;
    switch (c.type) {
    case ColumnType::string:
        out.dt = soci::dt_string;
        out.precision = c.size;
        break;
    case ColumnType::integer:
        out.dt = soci::dt_integer;
        break;
    case ColumnType::bigint:
        out.dt = soci::dt_long_long;
        if (backend == DbBackend::sqlite3) {
            out.raw_type = "bigint"; // SOCI: "integer", read back as a 32-bit int
        }
        break;
    case ColumnType::double_:
        out.dt = soci::dt_double;
        if (backend == DbBackend::postgresql) {
            out.raw_type = "double precision"; // SOCI: "numeric"
        }
        break;
    case ColumnType::decimal:
        out.dt = soci::dt_double;
        out.precision = c.precision;
        out.scale = c.scale;
        if (backend == DbBackend::sqlite3) {
            // SOCI: "real"
            out.raw_type = "numeric(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
        }
        break;
    case ColumnType::timestamp:
    case ColumnType::json:
        out.dt = soci::dt_string; // text: ISO-8601 UTC / JSON, identical on every backend
        break;
    case ColumnType::blob:
        out.dt = soci::dt_blob;
        break;
    }
    return out;
}

void create_table(soci::session& sql, DbBackend backend, const TableDecl& t) {
    // Everything that can throw is computed before the ddl_type exists: it runs
    // its statement from its destructor, and a destructor that throws while
    // another exception unwinds the stack terminates the process.
    std::vector<ColumnSql> columns;
    for (const auto& c : t.columns) {
        columns.push_back(column_sql(backend, c));
        const bool in_key = std::find(t.primary_key.begin(), t.primary_key.end(), c.name) != t.primary_key.end();
        columns.back().not_null = columns.back().not_null || in_key;
    }
    const std::string pk_name = t.name + "_pk";
    const std::string pk_columns = join(t.primary_key, ", ");

    {
        soci::ddl_type ddl = sql.create_table(t.name);
        // SOCI writes the comma before a column() or primary_key() only when
        // one of those came before; a raw column, appended with operator(),
        // does not count. So commas are added here where SOCI would not.
        bool soci_adds_comma = false;
        bool first = true;
        for (const auto& c : columns) {
            if (c.raw_type.empty()) {
                if (!first && !soci_adds_comma) {
                    ddl(",");
                }
                // Only data types every supported backend maps are used, so
                // column() does not throw here.
                ddl.column(c.name, c.dt, c.precision, c.scale);
                soci_adds_comma = true;
            } else {
                ddl((first ? "" : ", ") + c.name + " " + c.raw_type);
            }
            if (c.not_null) {
                ddl("not null");
            }
            first = false;
        }
        if (!t.primary_key.empty()) {
            if (!soci_adds_comma) {
                ddl(",");
            }
            ddl.primary_key(pk_name, pk_columns);
        }
    } // the CREATE TABLE runs here
}

void add_column(soci::session& sql, DbBackend backend, const AddColumnDecl& a) {
    const ColumnSql c = column_sql(backend, a.column);
    if (c.raw_type.empty()) {
        // One full expression: the ddl_type temporary runs at the ';'.
        sql.add_column(a.table, c.name, c.dt, c.precision, c.scale);
    } else {
        // The same statement SOCI's add_column() writes, with the right type.
        sql << "alter table " + a.table + " add column " + c.name + " " + c.raw_type;
    }
}

void create_index(soci::session& sql, const IndexDecl& x) {
    sql << std::string("create ") + (x.unique ? "unique " : "") + "index " + x.name + " on " + x.table + " (" +
               join(x.columns, ", ") + ")";
}

std::string utc_now_iso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void ensure_migrations_table(soci::session& sql, DbBackend backend) {
    long long found = 0;
    if (backend == DbBackend::sqlite3) {
        sql << "select count(*) from sqlite_master where type = 'table' and name = 'erp_schema_migrations'",
            soci::into(found);
    } else {
        sql << "select count(*) from information_schema.tables "
               "where table_schema = current_schema() and table_name = 'erp_schema_migrations'",
            soci::into(found);
    }
    if (found > 0) {
        return;
    }
    // One full expression, for the same reason as in create_table().
    sql.create_table(kMigrationsTable)
        .column("plugin", soci::dt_string, 100)("not null")
        .column("version", soci::dt_integer)("not null")
        .column("description", soci::dt_string)
        .column("applied_at", soci::dt_string)("not null")
        .column("checksum", soci::dt_string, 64)("not null")
        .primary_key("erp_schema_migrations_pk", "plugin, version");
}

std::map<uint32_t, std::string> load_recorded(soci::session& sql, const std::string& plugin_id) {
    std::map<uint32_t, std::string> recorded;
    int version = 0;
    std::string checksum;
    soci::statement st = (sql.prepare << "select version, checksum from erp_schema_migrations where plugin = :plugin",
                          soci::into(version), soci::into(checksum), soci::use(plugin_id));
    st.execute();
    while (st.fetch()) {
        recorded[static_cast<uint32_t>(version)] = checksum;
    }
    return recorded;
}

std::string abbreviated(const std::string& checksum) {
    return checksum.substr(0, 12) + "\u2026";
}

std::string version_label(const std::string& plugin_id, uint32_t version) {
    return "plugin '" + plugin_id + "' migration version " + std::to_string(version);
}

struct Pending {
    const MigrationStep* step;
    std::string checksum;
    Declaration declaration;
};

void apply_one(soci::session& sql, DbBackend backend, const std::string& plugin_id, const Pending& p) {
    const std::string backend_name = backend == DbBackend::sqlite3 ? "sqlite3" : "postgresql";
    try {
        // On any exception the transaction's destructor rolls back. Should the
        // rollback itself fail, the session is closed before the error leaves
        // apply_migrations, and closing discards the open transaction too.
        soci::transaction tr(sql);
        for (const auto& t : p.declaration.create_tables) {
            create_table(sql, backend, t);
        }
        for (const auto& a : p.declaration.add_columns) {
            add_column(sql, backend, a);
        }
        for (const auto& x : p.declaration.indexes) {
            create_index(sql, x);
        }
        if (const auto it = p.declaration.sql.find(backend_name); it != p.declaration.sql.end()) {
            for (const auto& statement : it->second) {
                sql << statement;
            }
        }
        const int version = static_cast<int>(p.step->version);
        const std::string applied_at = utc_now_iso8601();
        sql << "insert into erp_schema_migrations (plugin, version, description, applied_at, checksum) "
               "values (:plugin, :version, :description, :applied_at, :checksum)",
            soci::use(plugin_id), soci::use(version), soci::use(p.step->description), soci::use(applied_at),
            soci::use(p.checksum);
        tr.commit();
    } catch (const std::exception& e) {
        throw MigrationError(version_label(plugin_id, p.step->version) + " failed and was rolled back: " + e.what());
    }
}

} // namespace

std::string validate_declaration(const std::string& plugin_id, const std::string& declaration_json) {
    try {
        parse_declaration(plugin_id, declaration_json);
        return {};
    } catch (const DeclarationError& e) {
        return e.what();
    }
}

std::string migration_checksum(const MigrationStep& step) {
    return sha256_hex(step.declaration_json);
}

MigrationReport apply_migrations(const std::string& db_url, const std::string& plugin_id,
                                 const std::vector<MigrationStep>& steps) {
    std::vector<const MigrationStep*> ordered;
    for (const auto& s : steps) {
        ordered.push_back(&s);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const MigrationStep* a, const MigrationStep* b) { return a->version < b->version; });
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        const uint32_t v = ordered[i]->version;
        if (v == 0 || v > static_cast<uint32_t>(INT_MAX)) {
            throw MigrationError(version_label(plugin_id, v) + " is out of range (1.." + std::to_string(INT_MAX) + ")");
        }
        if (i > 0 && ordered[i - 1]->version == v) {
            throw MigrationError("plugin '" + plugin_id + "' declares migration version " + std::to_string(v) +
                                 " more than once");
        }
    }

    std::unique_ptr<soci::session> session;
    DbBackend backend = DbBackend::sqlite3;
    std::map<uint32_t, std::string> recorded;
    try {
        session = open_session(db_url);
        backend = backend_of(*session);
        ensure_migrations_table(*session, backend);
        recorded = load_recorded(*session, plugin_id);
    } catch (const std::exception& e) {
        throw MigrationError("plugin '" + plugin_id + "': cannot read the applied migrations: " + e.what());
    }
    soci::session& sql = *session;

    // Everything is checked before anything is applied, so a plugin with a
    // changed or invalid version changes nothing.
    MigrationReport report;
    std::vector<Pending> pending;
    const uint32_t last_applied = recorded.empty() ? 0 : recorded.rbegin()->first;
    for (const MigrationStep* step : ordered) {
        const std::string checksum = migration_checksum(*step);
        if (const auto it = recorded.find(step->version); it != recorded.end()) {
            if (it->second != checksum) {
                throw MigrationError(version_label(plugin_id, step->version) +
                                     " was changed after it was applied (recorded checksum " + abbreviated(it->second) +
                                     ", now " + abbreviated(checksum) + "): add a new version instead");
            }
            report.skipped.push_back(step->version);
            continue;
        }
        // A version slipped in below one already applied would run after it,
        // out of the order the plugin declares.
        if (step->version < last_applied) {
            throw MigrationError(version_label(plugin_id, step->version) + " is new but version " +
                                 std::to_string(last_applied) +
                                 " was already applied: a new version must be higher than every applied one");
        }
        try {
            pending.push_back({step, checksum, parse_declaration(plugin_id, step->declaration_json)});
        } catch (const DeclarationError& e) {
            throw MigrationError(version_label(plugin_id, step->version) + " is invalid: " + e.what());
        }
    }

    for (const auto& p : pending) {
        apply_one(sql, backend, plugin_id, p);
        report.applied.push_back(p.step->version);
    }
    return report;
}

} // namespace erp::host
