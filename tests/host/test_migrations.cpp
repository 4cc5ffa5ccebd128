#define BOOST_TEST_MODULE migrations
#include <boost/test/unit_test.hpp>

#include "database.hpp"
#include "migrations.hpp"
#include "sha256.hpp"
#include "test_support.hpp"

#include <soci/soci.h>

#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using erp::host::apply_migrations;
using erp::host::DbBackend;
using erp::host::migration_checksum;
using erp::host::MigrationError;
using erp::host::MigrationReport;
using erp::host::MigrationStep;
using erp::host::open_session;
using erp::host::parse_db_url;
using erp::host::validate_declaration;
using erp::test::TempDir;
using erp::test::TempPgDatabase;

namespace {

// ---------------------------------------------------------------------------
// A database per test, on either backend
// ---------------------------------------------------------------------------

class TestDb {
  public:
    explicit TestDb(DbBackend backend) : backend_(backend) {
        if (backend == DbBackend::sqlite3) {
            dir_.emplace();
            url_ = parse_db_url("sqlite3:test.db", dir_->path().string()).soci_url;
        } else {
            pg_.emplace();
            url_ = pg_->url();
        }
    }
    const std::string& url() const { return url_; }
    DbBackend backend() const { return backend_; }
    std::unique_ptr<soci::session> open() const { return open_session(url_); }

  private:
    DbBackend backend_;
    std::optional<TempDir> dir_;
    std::optional<TempPgDatabase> pg_;
    std::string url_;
};

// Runs one scenario on SQLite and on PostgreSQL, as two test cases.
#define BOTH_BACKENDS(name)                                                                                            \
    void name(DbBackend backend);                                                                                      \
    BOOST_AUTO_TEST_CASE(name##_sqlite) {                                                                              \
        name(DbBackend::sqlite3);                                                                                      \
    }                                                                                                                  \
    BOOST_AUTO_TEST_CASE(name##_postgresql) {                                                                          \
        name(DbBackend::postgresql);                                                                                   \
    }                                                                                                                  \
    void name(DbBackend backend)

// ---------------------------------------------------------------------------
// Catalogue queries
// ---------------------------------------------------------------------------

struct ColumnInfo {
    std::string type;
    bool not_null = false;
};

std::map<std::string, ColumnInfo> columns_of(soci::session& sql, DbBackend backend, const std::string& table) {
    const char* query =
        backend == DbBackend::sqlite3
            ? "select name, lower(type), \"notnull\" from pragma_table_info(:t)"
            : "select a.attname::text, format_type(a.atttypid, a.atttypmod), case when a.attnotnull then 1 else 0 end "
              "from pg_attribute a where a.attrelid = to_regclass(:t) and a.attnum > 0 and not a.attisdropped";
    std::map<std::string, ColumnInfo> out;
    std::string name;
    std::string type;
    int not_null = 0;
    soci::statement st =
        (sql.prepare << query, soci::into(name), soci::into(type), soci::into(not_null), soci::use(table));
    st.execute();
    while (st.fetch()) {
        out[name] = {type, not_null != 0};
    }
    return out;
}

// Primary key columns in key order, comma-separated; "" when there is none.
std::string primary_key_of(soci::session& sql, DbBackend backend, const std::string& table) {
    const char* query =
        backend == DbBackend::sqlite3
            ? "select group_concat(name, ',') from (select name from pragma_table_info(:t) where pk > 0 order by pk)"
            : "select string_agg(a.attname::text, ',' order by k.ord) from pg_index i "
              "cross join unnest(i.indkey::int2[]) with ordinality as k(attnum, ord) "
              "join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum "
              "where i.indrelid = to_regclass(:t) and i.indisprimary";
    std::string columns;
    soci::indicator ind = soci::i_null;
    sql << query, soci::into(columns, ind), soci::use(table);
    return ind == soci::i_ok ? columns : "";
}

struct IndexInfo {
    std::string table;
    bool unique = false;
    std::string columns; // comma-separated, in index order
};

std::optional<IndexInfo> index_of(soci::session& sql, DbBackend backend, const std::string& name) {
    IndexInfo info;
    soci::indicator ind = soci::i_null;
    if (backend == DbBackend::sqlite3) {
        sql << "select tbl_name from sqlite_master where type = 'index' and name = :n", soci::into(info.table, ind),
            soci::use(name);
        if (!sql.got_data() || ind != soci::i_ok) {
            return std::nullopt;
        }
        int unique = 0;
        sql << "select \"unique\" from pragma_index_list(:t) where name = :n", soci::into(unique),
            soci::use(info.table), soci::use(name);
        info.unique = unique != 0;
        sql << "select group_concat(name, ',') from (select name from pragma_index_info(:n) order by seqno)",
            soci::into(info.columns), soci::use(name);
        return info;
    }
    std::string indexdef;
    sql << "select tablename::text, indexdef from pg_indexes where schemaname = current_schema() and indexname = :n",
        soci::into(info.table, ind), soci::into(indexdef), soci::use(name);
    if (!sql.got_data() || ind != soci::i_ok) {
        return std::nullopt;
    }
    // e.g. "CREATE UNIQUE INDEX hello_x ON public.hello_items USING btree (at, qty)"
    info.unique = indexdef.rfind("CREATE UNIQUE INDEX", 0) == 0;
    const auto open = indexdef.rfind('(');
    const auto close = indexdef.rfind(')');
    BOOST_REQUIRE(open != std::string::npos && close != std::string::npos && open < close);
    for (char c : indexdef.substr(open + 1, close - open - 1)) {
        if (c != ' ') {
            info.columns += c;
        }
    }
    return info;
}

bool table_exists(soci::session& sql, DbBackend backend, const std::string& name) {
    long long n = 0;
    if (backend == DbBackend::sqlite3) {
        sql << "select count(*) from sqlite_master where type = 'table' and name = :n", soci::into(n), soci::use(name);
    } else {
        sql << "select count(*) from pg_tables where schemaname = current_schema() and tablename = :n", soci::into(n),
            soci::use(name);
    }
    return n > 0;
}

struct MigrationRow {
    int version = 0;
    std::string description;
    std::string applied_at;
    std::string checksum;
};

std::vector<MigrationRow> migration_rows(soci::session& sql, const std::string& plugin) {
    std::vector<MigrationRow> rows;
    MigrationRow row;
    soci::statement st = (sql.prepare << "select version, description, applied_at, checksum from erp_schema_migrations "
                                         "where plugin = :p order by version",
                          soci::into(row.version), soci::into(row.description), soci::into(row.applied_at),
                          soci::into(row.checksum), soci::use(plugin));
    st.execute();
    while (st.fetch()) {
        rows.push_back(row);
    }
    return rows;
}

std::vector<uint32_t> versions(std::initializer_list<uint32_t> v) {
    return v;
}

// Expects apply_migrations to throw MigrationError and returns its message.
std::string migration_error(const std::string& url, const std::string& plugin,
                            const std::vector<MigrationStep>& steps) {
    try {
        apply_migrations(url, plugin, steps);
    } catch (const MigrationError& e) {
        return e.what();
    }
    BOOST_ERROR("apply_migrations did not throw MigrationError");
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------
// Declarations used below
// ---------------------------------------------------------------------------

// Every type, composite keys, and tables whose first or every column is one
// the host writes as raw SQL on one backend (double on PostgreSQL, decimal on
// SQLite), to exercise the comma handling around SOCI's ddl_type.
const std::string kVersion1 = R"json({
  "create_tables": [
    {"name": "hello_items",
     "columns": [
       {"name": "id", "type": "bigint", "nullable": false},
       {"name": "title", "type": "string", "size": 200},
       {"name": "note", "type": "string"},
       {"name": "qty", "type": "integer"},
       {"name": "ratio", "type": "double"},
       {"name": "amount", "type": "decimal", "precision": 18, "scale": 4},
       {"name": "minor_units", "type": "bigint"},
       {"name": "at", "type": "timestamp"},
       {"name": "meta", "type": "json"},
       {"name": "data", "type": "blob"}],
     "primary_key": ["id"]},
    {"name": "hello_pairs",
     "columns": [
       {"name": "ratio", "type": "double"},
       {"name": "amount", "type": "decimal", "precision": 10, "scale": 2},
       {"name": "account", "type": "string", "size": 20},
       {"name": "seq", "type": "integer"}],
     "primary_key": ["account", "seq"]},
    {"name": "hello_ratios",
     "columns": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}],
     "primary_key": ["x"]},
    {"name": "hello_money",
     "columns": [{"name": "amount", "type": "decimal", "precision": 38, "scale": 0, "nullable": false},
                 {"name": "cents", "type": "decimal", "precision": 10}],
     "primary_key": ["amount"]}],
  "indexes": [
    {"table": "hello_items", "name": "hello_items_by_title", "columns": ["title"], "unique": true},
    {"table": "hello_items", "name": "hello_items_by_at_qty", "columns": ["at", "qty"]}],
  "sql": {
    "sqlite3": ["create view hello_item_titles as select id, title from hello_items"],
    "postgresql": ["create view hello_item_titles as select id, title from hello_items"]}
})json";

const std::string kVersion2 = R"json({
  "add_columns": [
    {"table": "hello_items", "column": {"name": "extra", "type": "double"}},
    {"table": "hello_items", "column": {"name": "extra_amount", "type": "decimal", "precision": 10, "scale": 2}},
    {"table": "hello_items", "column": {"name": "extra_note", "type": "string", "size": 50}}],
  "indexes": [{"table": "hello_items", "name": "hello_items_by_extra_note", "columns": ["extra_note"]}]
})json";

// Valid portable DDL, then a statement that fails on every backend.
const std::string kFailingVersion2 = R"json({
  "create_tables": [{"name": "hello_v2", "columns": [{"name": "id", "type": "integer"}]}],
  "add_columns": [
    {"table": "hello_items", "column": {"name": "extra", "type": "double"}},
    {"table": "hello_items", "column": {"name": "extra_amount", "type": "decimal", "precision": 10, "scale": 2}}],
  "indexes": [{"table": "hello_v2", "name": "hello_v2_by_id", "columns": ["id"]}],
  "sql": {"sqlite3": ["insert into hello_no_such_table values (1)"],
          "postgresql": ["insert into hello_no_such_table values (1)"]
}
})json";

MigrationStep step(uint32_t version, const std::string& json, const std::string& description = "") {
    return MigrationStep{version, description.empty() ? "version " + std::to_string(version) : description, json};
}

} // namespace

// ---------------------------------------------------------------------------
// Applying on both backends
// ---------------------------------------------------------------------------

BOTH_BACKENDS(creates_every_type_with_keys_and_indexes) {
    TestDb db(backend);
    const MigrationReport report = apply_migrations(db.url(), "hello", {step(1, kVersion1)});
    BOOST_TEST(report.applied == versions({1}), boost::test_tools::per_element());
    BOOST_TEST(report.skipped.empty());

    auto session = db.open();
    soci::session& sql = *session;
    const bool lite = backend == DbBackend::sqlite3;

    // The column types each backend really declared (see migrations.cpp).
    const std::map<std::string, ColumnInfo> expected_items = {
        {"id", {"bigint", true}},
        {"title", {lite ? "text" : "character varying(200)", false}},
        {"note", {"text", false}},
        {"qty", {"integer", false}},
        {"ratio", {lite ? "real" : "double precision", false}},
        {"amount", {"numeric(18,4)", false}},
        {"minor_units", {"bigint", false}},
        {"at", {"text", false}},
        {"meta", {"text", false}},
        {"data", {lite ? "blob" : "oid", false}},
    };
    const auto items = columns_of(sql, backend, "hello_items");
    BOOST_TEST(items.size() == expected_items.size());
    for (const auto& [name, want] : expected_items) {
        BOOST_TEST_CONTEXT("hello_items." << name) {
            BOOST_REQUIRE(items.count(name) == 1);
            BOOST_TEST(items.at(name).type == want.type);
            BOOST_TEST(items.at(name).not_null == want.not_null);
        }
    }
    const auto pairs = columns_of(sql, backend, "hello_pairs");
    BOOST_REQUIRE(pairs.size() == 4u);
    BOOST_TEST(pairs.at("ratio").type == (lite ? "real" : "double precision"));
    BOOST_TEST(pairs.at("amount").type == "numeric(10,2)");
    BOOST_TEST(pairs.at("account").type == (lite ? "text" : "character varying(20)"));
    // Key columns are NOT NULL on both backends even though not declared so.
    BOOST_TEST(pairs.at("account").not_null);
    BOOST_TEST(pairs.at("seq").not_null);
    BOOST_TEST(!pairs.at("ratio").not_null);
    const auto ratios = columns_of(sql, backend, "hello_ratios");
    BOOST_TEST(ratios.at("y").type == (lite ? "real" : "double precision"));
    const auto money = columns_of(sql, backend, "hello_money");
    BOOST_TEST(money.at("amount").type == "numeric(38,0)");
    BOOST_TEST(money.at("cents").type == "numeric(10,0)");

    BOOST_TEST(primary_key_of(sql, backend, "hello_items") == "id");
    BOOST_TEST(primary_key_of(sql, backend, "hello_pairs") == "account,seq");
    BOOST_TEST(primary_key_of(sql, backend, "hello_ratios") == "x");
    BOOST_TEST(primary_key_of(sql, backend, "hello_money") == "amount");
    BOOST_TEST(primary_key_of(sql, backend, "erp_schema_migrations") == "plugin,version");

    const auto by_title = index_of(sql, backend, "hello_items_by_title");
    BOOST_REQUIRE(by_title.has_value());
    BOOST_TEST(by_title->table == "hello_items");
    BOOST_TEST(by_title->unique);
    BOOST_TEST(by_title->columns == "title");
    const auto by_at_qty = index_of(sql, backend, "hello_items_by_at_qty");
    BOOST_REQUIRE(by_at_qty.has_value());
    BOOST_TEST(!by_at_qty->unique);
    BOOST_TEST(by_at_qty->columns == "at,qty");
    BOOST_TEST(!index_of(sql, backend, "hello_items_by_nothing").has_value());

    // The "sql" escape hatch ran: the view exists and reads the table.
    long long in_view = -1;
    sql << "select count(*) from hello_item_titles", soci::into(in_view);
    BOOST_TEST(in_view == 0);
}

BOTH_BACKENDS(round_trips_values_of_every_type) {
    TestDb db(backend);
    apply_migrations(db.url(), "hello", {step(1, kVersion1)});
    auto session = db.open();
    soci::session& sql = *session;
    const bool lite = backend == DbBackend::sqlite3;

    const long long id = LLONG_MAX;
    const std::string title = "Țară, șir, ăîâ — naïve café 🚀🇷🇴";
    const std::string note = "Ștefan cel Mare și Sfânt: 日本語 ✓";
    const int qty = INT_MIN;
    const double ratio = 0.1;
    const std::string amount = "12345678901234.5678";
    const long long minor_units = 123456789012345678LL; // the same amount in 1/10000 units
    const std::string at = "2024-02-29T23:59:59Z";
    const std::string meta = R"({"tags":["ș","🚀"],"n":1})";
    sql << "insert into hello_items (id, title, note, qty, ratio, amount, minor_units, at, meta) "
           "values (:id, :title, :note, :qty, :ratio, :amount, :minor_units, :at, :meta)",
        soci::use(id), soci::use(title), soci::use(note), soci::use(qty), soci::use(ratio), soci::use(amount),
        soci::use(minor_units), soci::use(at), soci::use(meta);

    long long id_back = 0;
    std::string title_back, note_back, at_back, meta_back;
    int qty_back = 0;
    double ratio_back = 0;
    long long minor_back = 0;
    sql << "select id, title, note, qty, ratio, minor_units, at, meta from hello_items where id = :id",
        soci::into(id_back), soci::into(title_back), soci::into(note_back), soci::into(qty_back),
        soci::into(ratio_back), soci::into(minor_back), soci::into(at_back), soci::into(meta_back), soci::use(id);
    BOOST_REQUIRE(sql.got_data());
    BOOST_TEST(id_back == LLONG_MAX);
    BOOST_TEST(title_back == title);
    BOOST_TEST(note_back == note);
    BOOST_TEST(qty_back == INT_MIN);
    BOOST_TEST(ratio_back == 0.1); // exactly: a binary floating column
    BOOST_TEST(minor_back == minor_units);
    BOOST_TEST(at_back == at);
    BOOST_TEST(meta_back == meta);

    // UTF-8 length in characters, not bytes: the text is stored as text.
    long long title_chars = 0;
    sql << "select length(title) from hello_items where id = :id", soci::into(title_chars), soci::use(id);
    BOOST_TEST(title_chars == 31); // code points; the flag is two

    if (lite) {
        // SQLite has no exact decimal: NUMERIC affinity stores this as a REAL,
        // which is why the plugins keep money in bigint minor units (above).
        std::string storage, as_text;
        sql << "select typeof(amount), cast(amount as text) from hello_items where id = :id", soci::into(storage),
            soci::into(as_text), soci::use(id);
        BOOST_TEST(storage == "real");
        BOOST_TEST(as_text != amount);
    } else {
        std::string back, scaled;
        sql << "select amount, amount * 10000 from hello_items where id = :id", soci::into(back), soci::into(scaled),
            soci::use(id);
        BOOST_TEST(back == amount);
        BOOST_TEST(scaled == "123456789012345678.0000");
    }

    // blob: bytes including NULs. SOCI 4.0 writes blobs differently per backend
    // (see migrations.cpp): bound directly on SQLite, a large object on PG.
    const std::string bytes("\0\xff"
                            "a\0\x7f",
                            5);
    if (lite) {
        soci::blob blob(sql);
        blob.write(0, bytes.data(), bytes.size());
        sql << "update hello_items set data = :data where id = :id", soci::use(blob), soci::use(id);
    } else {
        soci::transaction tr(sql); // large-object calls need a transaction
        sql << "update hello_items set data = lo_creat(-1) where id = :id", soci::use(id);
        {
            soci::blob blob(sql);
            sql << "select data from hello_items where id = :id", soci::into(blob), soci::use(id);
            blob.write(0, bytes.data(), bytes.size());
        }
        tr.commit();
    }
    std::string bytes_back;
    {
        std::optional<soci::transaction> tr;
        if (!lite) {
            tr.emplace(sql);
        }
        soci::blob blob(sql);
        sql << "select data from hello_items where id = :id", soci::into(blob), soci::use(id);
        bytes_back.resize(blob.get_len());
        blob.read(0, bytes_back.data(), bytes_back.size());
    }
    BOOST_TEST(bytes_back.size() == bytes.size());
    BOOST_TEST(bytes_back == bytes);

    // Keys and indexes are enforced.
    const long long other_id = 7;
    // unique index on title
    BOOST_CHECK_THROW(
        (sql << "insert into hello_items (id, title) values (:id, :title)", soci::use(other_id), soci::use(title)),
        soci::soci_error);
    // primary key
    BOOST_CHECK_THROW((sql << "insert into hello_items (id, title) values (:id, 'other')", soci::use(id)),
                      soci::soci_error);
    BOOST_CHECK_THROW(sql << "insert into hello_pairs (account, seq) values (null, 1)",
                      soci::soci_error); // key column implicitly NOT NULL, on SQLite too
    sql << "insert into hello_pairs (account, seq) values ('ro1', 1)";
    BOOST_CHECK_THROW(sql << "insert into hello_pairs (account, seq) values ('ro1', 1)", soci::soci_error);
    sql << "insert into hello_pairs (account, seq) values ('ro1', 2)";
}

// soci::row types a result column from its declared type: SQLite's
// "integer" would be dt_integer, read as an int that keeps only the low 32
// bits. bigint columns (created or added) must come back whole as
// dt_long_long, integer ones stay dt_integer; and a one-column bigint key is
// not SQLite's rowid alias, so a NULL id fails instead of being assigned.
BOTH_BACKENDS(bigint_columns_read_back_whole_through_soci_row) {
    TestDb db(backend);
    const std::string add_bigint =
        R"({"add_columns":[{"table":"hello_items","column":{"name":"big","type":"bigint"}}]})";
    apply_migrations(db.url(), "hello", {step(1, kVersion1), step(2, add_bigint)});
    auto session = db.open();
    soci::session& sql = *session;
    BOOST_TEST(columns_of(sql, backend, "hello_items").at("big").type == "bigint");

    const long long id = 4294967295LL;                 // eMAG's largest order id
    const long long minor_units = 29999999997000000LL; // 2,999,999,999,700.0000 in 1/10000 units
    const long long big = LLONG_MIN;
    const int qty = INT_MAX;
    sql << "insert into hello_items (id, title, qty, minor_units, big) values (:id, 'a', :qty, :minor, :big)",
        soci::use(id), soci::use(qty), soci::use(minor_units), soci::use(big);
    const long long small_id = 2147483648LL; // 2^31: the first value an int cannot hold
    sql << "insert into hello_items (id, title, minor_units) values (:id, 'b', :minor)", soci::use(small_id),
        soci::use(small_id);

    soci::rowset<soci::row> rows = (sql.prepare << "select id, qty, minor_units, big from hello_items order by id");
    std::vector<std::vector<long long>> back;
    for (const soci::row& r : rows) {
        BOOST_TEST(r.get_properties(0).get_data_type() == soci::dt_long_long);
        BOOST_TEST(r.get_properties(2).get_data_type() == soci::dt_long_long);
        BOOST_TEST(r.get_properties(3).get_data_type() == soci::dt_long_long);
        std::vector<long long> values{r.get<long long>(0), r.get<long long>(2)};
        if (r.get_indicator(1) == soci::i_ok) {
            BOOST_TEST(r.get_properties(1).get_data_type() == soci::dt_integer); // integer stays 32-bit
            values.push_back(r.get<int>(1));
        }
        if (r.get_indicator(3) == soci::i_ok) {
            values.push_back(r.get<long long>(3));
        }
        back.push_back(values);
    }
    BOOST_REQUIRE(back.size() == 2u);
    BOOST_TEST(back[0] == (std::vector<long long>{small_id, small_id}), boost::test_tools::per_element());
    BOOST_TEST(back[1] == (std::vector<long long>{id, minor_units, qty, big}), boost::test_tools::per_element());

    // The key column is NOT NULL on both backends, and no id is assigned.
    BOOST_CHECK_THROW(sql << "insert into hello_items (id, title) values (null, 'c')", soci::soci_error);
    long long count = 0;
    sql << "select count(*) from hello_items", soci::into(count);
    BOOST_TEST(count == 2);
}

BOTH_BACKENDS(applying_again_skips_and_records_one_row_per_version) {
    TestDb db(backend);
    const std::time_t before = std::time(nullptr);
    const auto first = apply_migrations(db.url(), "hello", {step(1, kVersion1, "items and pairs")});
    BOOST_TEST(first.applied == versions({1}), boost::test_tools::per_element());

    const auto second = apply_migrations(db.url(), "hello", {step(1, kVersion1, "items and pairs")});
    BOOST_TEST(second.applied.empty());
    BOOST_TEST(second.skipped == versions({1}), boost::test_tools::per_element());

    {
        auto session = db.open();
        const auto rows = migration_rows(*session, "hello");
        BOOST_REQUIRE(rows.size() == 1u);
        BOOST_TEST(rows[0].version == 1);
        BOOST_TEST(rows[0].description == "items and pairs");
        BOOST_TEST(rows[0].checksum == migration_checksum(step(1, kVersion1)));
        BOOST_TEST(rows[0].checksum.size() == 64u);
        // ISO-8601 UTC, and actually now.
        BOOST_TEST(std::regex_match(rows[0].applied_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
        std::tm tm{};
        std::istringstream in(rows[0].applied_at);
        in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
        BOOST_REQUIRE(!in.fail());
        const std::time_t applied = timegm(&tm);
        BOOST_TEST(applied >= before);
        BOOST_TEST(applied <= std::time(nullptr));
    }

    // Version 2 (add_columns): applied alone; the steps may come in any order.
    const auto third = apply_migrations(db.url(), "hello", {step(2, kVersion2), step(1, kVersion1, "items and pairs")});
    BOOST_TEST(third.applied == versions({2}), boost::test_tools::per_element());
    BOOST_TEST(third.skipped == versions({1}), boost::test_tools::per_element());

    auto session = db.open();
    soci::session& sql = *session;
    const bool lite = backend == DbBackend::sqlite3;
    const auto items = columns_of(sql, backend, "hello_items");
    BOOST_REQUIRE(items.count("extra") == 1 && items.count("extra_amount") == 1 && items.count("extra_note") == 1);
    BOOST_TEST(items.at("extra").type == (lite ? "real" : "double precision"));
    BOOST_TEST(items.at("extra_amount").type == "numeric(10,2)");
    BOOST_TEST(items.at("extra_note").type == (lite ? "text" : "character varying(50)"));
    BOOST_TEST(!items.at("extra_note").not_null);
    const auto by_note = index_of(sql, backend, "hello_items_by_extra_note");
    BOOST_REQUIRE(by_note.has_value());
    BOOST_TEST(by_note->columns == "extra_note");

    const auto rows = migration_rows(sql, "hello");
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].version == 1);
    BOOST_TEST(rows[1].version == 2);

    // A recorded version the plugin no longer declares is fine.
    const auto fourth = apply_migrations(db.url(), "hello", {step(2, kVersion2)});
    BOOST_TEST(fourth.applied.empty());
    BOOST_TEST(fourth.skipped == versions({2}), boost::test_tools::per_element());

    // Another plugin shares the bookkeeping table, with its own versions.
    const auto other = apply_migrations(db.url(), "other", {step(1, R"({"create_tables":[{"name":"other_things",
            "columns":[{"name":"id","type":"integer"}]}]})")});
    BOOST_TEST(other.applied == versions({1}), boost::test_tools::per_element());
    BOOST_TEST(migration_rows(sql, "other").size() == 1u);
    BOOST_TEST(migration_rows(sql, "hello").size() == 2u);
}

BOTH_BACKENDS(a_changed_version_is_refused) {
    TestDb db(backend);
    apply_migrations(db.url(), "hello", {step(1, kVersion1)});

    std::string changed = kVersion1;
    changed.replace(changed.find("\"size\": 200"), 11, "\"size\": 300");
    const std::string message = migration_error(db.url(), "hello", {step(1, changed), step(2, kVersion2)});
    BOOST_TEST(contains(message, "plugin 'hello' migration version 1 was changed after it was applied"));
    BOOST_TEST(contains(message, migration_checksum(step(1, kVersion1)).substr(0, 12)));
    BOOST_TEST(contains(message, migration_checksum(step(1, changed)).substr(0, 12)));
    BOOST_TEST(contains(message, "add a new version instead"));

    // Nothing else was applied: version 2 was checked first, not run.
    auto session = db.open();
    BOOST_TEST(migration_rows(*session, "hello").size() == 1u);
    BOOST_TEST(columns_of(*session, backend, "hello_items").count("extra") == 0);
    BOOST_TEST(columns_of(*session, backend, "hello_items").at("title").type ==
               (backend == DbBackend::sqlite3 ? "text" : "character varying(200)"));
}

BOTH_BACKENDS(a_failing_version_leaves_nothing_behind) {
    TestDb db(backend);

    // On a fresh database: version 1 fails at its last statement.
    std::string failing_v1 = kVersion1;
    for (std::size_t at = 0; (at = failing_v1.find("create view", at)) != std::string::npos; at += 12) {
        failing_v1.replace(at, 11, "create viewz");
    }
    const std::string first_message = migration_error(db.url(), "hello", {step(1, failing_v1)});
    BOOST_TEST(contains(first_message, "plugin 'hello' migration version 1 failed and was rolled back"));
    {
        auto session = db.open();
        BOOST_TEST(table_exists(*session, backend, "erp_schema_migrations"));
        BOOST_TEST(!table_exists(*session, backend, "hello_items"));
        BOOST_TEST(!table_exists(*session, backend, "hello_pairs"));
        BOOST_TEST(!index_of(*session, backend, "hello_items_by_title").has_value());
        BOOST_TEST(migration_rows(*session, "hello").empty());
    }

    // After a good version 1: version 2 creates a table, adds columns, an
    // index, then fails in its "sql" statements.
    apply_migrations(db.url(), "hello", {step(1, kVersion1)});
    const std::string message = migration_error(db.url(), "hello", {step(1, kVersion1), step(2, kFailingVersion2)});
    BOOST_TEST(contains(message, "plugin 'hello' migration version 2 failed and was rolled back"));
    BOOST_TEST(contains(message, "hello_no_such_table")); // the database's own message
    {
        auto session = db.open();
        soci::session& sql = *session;
        BOOST_TEST(!table_exists(sql, backend, "hello_v2"));
        BOOST_TEST(!index_of(sql, backend, "hello_v2_by_id").has_value());
        const auto items = columns_of(sql, backend, "hello_items");
        BOOST_TEST(items.count("extra") == 0);
        BOOST_TEST(items.count("extra_amount") == 0);
        BOOST_TEST(items.size() == 10u);
        const auto rows = migration_rows(sql, "hello");
        BOOST_REQUIRE(rows.size() == 1u);
        BOOST_TEST(rows[0].version == 1);
    }

    // Never applied, so it may still be fixed in place.
    std::string fixed = kFailingVersion2;
    for (std::size_t at; (at = fixed.find("hello_no_such_table")) != std::string::npos;) {
        fixed.replace(at, 19, "hello_v2");
    }
    const auto report = apply_migrations(db.url(), "hello", {step(1, kVersion1), step(2, fixed)});
    BOOST_TEST(report.applied == versions({2}), boost::test_tools::per_element());
    auto session = db.open();
    BOOST_TEST(table_exists(*session, backend, "hello_v2"));
    long long inserted = 0;
    *session << "select count(*) from hello_v2", soci::into(inserted);
    BOOST_TEST(inserted == 1);
}

BOTH_BACKENDS(an_invalid_version_applies_nothing) {
    TestDb db(backend);
    const std::string bad = R"({"create_tables":[{"name":"hello_bad","columns":[{"name":"c","type":"money"}]}]})";
    const std::string message = migration_error(db.url(), "hello", {step(1, kVersion1), step(2, bad)});
    BOOST_TEST(contains(message, "plugin 'hello' migration version 2 is invalid"));
    BOOST_TEST(contains(message, "create_tables[0].columns[0].type: unknown type \"money\""));
    auto session = db.open();
    BOOST_TEST(!table_exists(*session, backend, "hello_items"));
    BOOST_TEST(migration_rows(*session, "hello").empty());
}

// ---------------------------------------------------------------------------
// Version bookkeeping (backend-independent logic, run on SQLite)
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(duplicate_and_out_of_range_versions_are_refused) {
    TestDb db(DbBackend::sqlite3);
    const std::string t = R"({"create_tables":[{"name":"hello_t","columns":[{"name":"c","type":"integer"}]}]})";
    BOOST_TEST(contains(migration_error(db.url(), "hello", {step(1, t), step(1, kVersion1)}),
                        "plugin 'hello' declares migration version 1 more than once"));
    BOOST_TEST(contains(migration_error(db.url(), "hello", {step(0, t)}), "version 0 is out of range"));
    BOOST_TEST(contains(migration_error(db.url(), "hello", {step(3000000000u, t)}), "is out of range"));
    auto session = db.open();
    BOOST_TEST(!table_exists(*session, DbBackend::sqlite3, "hello_t"));
}

BOOST_AUTO_TEST_CASE(a_new_version_below_an_applied_one_is_refused) {
    TestDb db(DbBackend::sqlite3);
    const std::string t1 = R"({"create_tables":[{"name":"hello_a","columns":[{"name":"c","type":"integer"}]}]})";
    const std::string t2 = R"({"create_tables":[{"name":"hello_b","columns":[{"name":"c","type":"integer"}]}]})";
    const std::string t3 = R"({"create_tables":[{"name":"hello_c","columns":[{"name":"c","type":"integer"}]}]})";
    const auto report = apply_migrations(db.url(), "hello", {step(1, t1), step(3, t3)});
    BOOST_TEST(report.applied == versions({1, 3}), boost::test_tools::per_element());
    const std::string message = migration_error(db.url(), "hello", {step(1, t1), step(2, t2), step(3, t3)});
    BOOST_TEST(contains(message, "plugin 'hello' migration version 2 is new but version 3 was already applied"));
    auto session = db.open();
    BOOST_TEST(!table_exists(*session, DbBackend::sqlite3, "hello_b"));
    // A version above every applied one is fine.
    const auto next = apply_migrations(db.url(), "hello", {step(1, t1), step(3, t3), step(4, t2)});
    BOOST_TEST(next.applied == versions({4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_a_migration_error) {
    TempDir dir;
    // A directory where the database file should be: SQLite cannot open it.
    const std::string message = migration_error("sqlite3://db=" + dir.path().string(), "hello", {step(1, kVersion1)});
    BOOST_TEST(contains(message, "plugin 'hello': cannot read the applied migrations"));
}

BOOST_AUTO_TEST_CASE(checksum_is_sha256_of_the_declaration_text) {
    BOOST_TEST(migration_checksum(step(1, "abc")) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(migration_checksum(step(1, "abc")) == migration_checksum(step(7, "abc", "other description")));
    BOOST_TEST(migration_checksum(step(1, "{}")) != migration_checksum(step(1, "{ }")));
}

// ---------------------------------------------------------------------------
// validate_declaration
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(valid_declarations_pass) {
    BOOST_TEST(validate_declaration("hello", kVersion1) == "");
    BOOST_TEST(validate_declaration("hello", kVersion2) == "");
    BOOST_TEST(validate_declaration("hello", kFailingVersion2) == "");
    BOOST_TEST(validate_declaration("hello", "{}") == "");
    // The example of erp_plugin.h, with the plugin's prefix on every name.
    BOOST_TEST(validate_declaration("hello", R"({"create_tables":[{"name":"hello_greetings",
        "columns":[{"name":"id","type":"bigint","nullable":false},
                   {"name":"text","type":"string","size":200},
                   {"name":"amount","type":"decimal","precision":18,"scale":4},
                   {"name":"at","type":"timestamp"}],
        "primary_key":["id"]}],
      "add_columns":[{"table":"hello_t","column":{"name":"c","type":"integer"}}],
      "indexes":[{"table":"hello_t","name":"hello_t_by_c","columns":["c"],"unique":false}],
      "sql":{"sqlite3":["select 1"],"postgresql":["select 1"]}})") == "");
    // An index on a table of an earlier version: its columns are unknown here.
    BOOST_TEST(validate_declaration("hello", R"({"indexes":[{"table":"hello_old","name":"hello_old_by_x",
        "columns":["x","y"]}]})") == "");
    // Statements for a backend this host does not know are carried, not refused.
    BOOST_TEST(validate_declaration("hello", R"({"sql":{"sqlite3":[],"postgresql":[],"mysql":["select 1"]}})") == "");
}

struct BadCase {
    const char* json;
    const char* expected; // the message starts with this
};

BOOST_AUTO_TEST_CASE(invalid_declarations_say_where) {
    const std::string long_name(64, 'a');
    const std::string long_table = "hello_" + std::string(55, 't'); // 61 characters
    const std::vector<BadCase> cases = {
        // malformed and misshapen documents
        {R"({"create_tables": [)", "declaration: malformed JSON: "},
        {R"([])", "declaration: must be a JSON object, not array"},
        {R"({"drop_tables": []})", "drop_tables: unknown key (allowed: create_tables, add_columns, indexes, sql)"},
        {R"({"create_tables": {}})", "create_tables: must be an array, not object"},
        // types
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"},
            {"name":"b","type":"string"},{"name":"c","type":"money"}]}]})",
         "create_tables[0].columns[2].type: unknown type \"money\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a"}]}]})",
         "create_tables[0].columns[0].type: is required"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"decimal"}]}]})",
         "create_tables[0].columns[0].precision: is required for type \"decimal\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"decimal","precision":0}]}]})",
         "create_tables[0].columns[0].precision: must be between 1 and 38, not 0"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"decimal","precision":39}]}]})",
         "create_tables[0].columns[0].precision: must be between 1 and 38, not 39"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"decimal","precision":4,"scale":5}]}]})",
         "create_tables[0].columns[0].scale: must be between 0 and 4, not 5"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"decimal","precision":4,"scale":-1}]}]})",
         "create_tables[0].columns[0].scale: must be between 0 and 4, not -1"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer","size":4}]}]})",
         "create_tables[0].columns[0].size: applies only to type \"string\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"string","size":1.5}]}]})",
         "create_tables[0].columns[0].size: must be an integer, not number"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"double","scale":2}]}]})",
         "create_tables[0].columns[0].scale: applies only to type \"decimal\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer","nullabel":false}]}]})",
         "create_tables[0].columns[0].nullabel: unknown key"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer","nullable":"no"}]}]})",
         "create_tables[0].columns[0].nullable: must be true or false, not string"},
        // names
        {R"({"create_tables":[{"name":"greetings","columns":[{"name":"a","type":"integer"}]}]})",
         "create_tables[0].name: \"greetings\" must begin with \"hello_\""},
        {R"({"create_tables":[{"name":"hello_","columns":[{"name":"a","type":"integer"}]}]})",
         "create_tables[0].name: \"hello_\" must begin with \"hello_\" followed by a name"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"Title","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"Title\" is not a valid identifier"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a-b","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"a-b\" is not a valid identifier"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"1a","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"1a\" is not a valid identifier"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"\" is not a valid identifier"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a b; drop table x","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"a b; drop table x\" is not a valid identifier"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"order","type":"integer"}]}]})",
         "create_tables[0].columns[0].name: \"order\" is a reserved SQL word"},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"},{"name":"a","type":"bigint"}]}]})",
         "create_tables[0].columns[1].name: duplicate column \"a\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"}]},
            {"name":"hello_t","columns":[{"name":"a","type":"integer"}]}]})",
         "create_tables[1].name: \"hello_t\" is declared twice"},
        {R"({"create_tables":[{"name":"hello_t","columns":[]}]})", "create_tables[0].columns: must not be empty"},
        // keys and indexes
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"}],"primary_key":["a","nope"]}]})",
         "create_tables[0].primary_key[1]: no column \"nope\" in table \"hello_t\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"}]}],
            "indexes":[{"table":"hello_t","name":"hello_t_by_a","columns":["a","nope"]}]})",
         "indexes[0].columns[1]: no column \"nope\" in table \"hello_t\""},
        {R"({"indexes":[{"table":"hello_t","name":"by_a","columns":["a"]}]})",
         "indexes[0].name: \"by_a\" must begin with \"hello_\""},
        {R"({"indexes":[{"table":"t","name":"hello_by_a","columns":["a"]}]})",
         "indexes[0].table: \"t\" must begin with \"hello_\""},
        {R"({"create_tables":[{"name":"hello_t","columns":[{"name":"a","type":"integer"}],"primary_key":["a"]}],
            "indexes":[{"table":"hello_t","name":"hello_t_pk","columns":["a"]}]})",
         "indexes[0].name: \"hello_t_pk\" is already used"},
        // added columns
        {R"({"add_columns":[{"table":"other_t","column":{"name":"a","type":"integer"}}]})",
         "add_columns[0].table: \"other_t\" must begin with \"hello_\""},
        {R"({"add_columns":[{"table":"hello_t","column":{"name":"a","type":"integer","nullable":false}}]})",
         "add_columns[0].column.nullable: an added column must be nullable"},
        {R"({"add_columns":[{"table":"hello_t","column":{"name":"a","type":"text"}}]})",
         "add_columns[0].column.type: unknown type \"text\""},
        // the sql escape hatch
        {R"({"sql":{"sqlite3":["select 1"]}})", "sql.postgresql: missing"},
        {R"({"sql":{"postgresql":["select 1"]}})", "sql.sqlite3: missing"},
        {R"({"sql":{}})", "sql.sqlite3: missing"},
        {R"({"sql":{"sqlite3":"select 1","postgresql":[]}})", "sql.sqlite3: must be an array, not string"},
        {R"({"sql":{"sqlite3":["select 1", 2],"postgresql":[]}})", "sql.sqlite3[1]: must be a non-empty string"},
        {R"({"sql":{"sqlite3":[" "],"postgresql":[]}})", "sql.sqlite3[0]: must be a non-empty string"},
        {R"({"sql":["select 1"]})", "sql: must be an object, not array"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("declaration " << c.json) {
            const std::string message = validate_declaration("hello", c.json);
            BOOST_TEST(message.rfind(c.expected, 0) == 0, "message: " << message);
        }
    }

    const std::string too_long_column =
        R"({"create_tables":[{"name":"hello_t","columns":[{"name":")" + long_name + R"(","type":"integer"}]}]})";
    BOOST_TEST(validate_declaration("hello", too_long_column)
                   .rfind("create_tables[0].columns[0].name: \"" + long_name + "\" is not a valid identifier", 0) == 0);
    const std::string too_long_table =
        R"({"create_tables":[{"name":")" + long_table + R"(","columns":[{"name":"a","type":"integer"}]}]})";
    BOOST_TEST(validate_declaration("hello", too_long_table)
                   .rfind("create_tables[0].name: \"" + long_table + "\" is longer than 60 characters", 0) == 0);
    // The host's own table is not the plugin's, even for a plugin called "erp".
    BOOST_TEST(validate_declaration("erp", R"({"create_tables":[{"name":"erp_schema_migrations","columns":[{"name":"a",
            "type":"integer"}]}]})")
                   .rfind("create_tables[0].name: \"erp_schema_migrations\" is the host's own table", 0) == 0);
    BOOST_TEST(validate_declaration("Hello", "{}").rfind("plugin id \"Hello\" is not valid", 0) == 0);
}

// ---------------------------------------------------------------------------
// parse_db_url
// ---------------------------------------------------------------------------

namespace {

// ERP_TEST_PG_URL's key=value pairs (host, port, user, ...).
std::map<std::string, std::string> pg_test_params() {
    const char* env = std::getenv("ERP_TEST_PG_URL");
    BOOST_REQUIRE_MESSAGE(env != nullptr && *env != '\0', "ERP_TEST_PG_URL is not set");
    std::map<std::string, std::string> out;
    std::istringstream in(env);
    for (std::string pair; in >> pair;) {
        const auto eq = pair.find('=');
        BOOST_REQUIRE(eq != std::string::npos);
        out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    return out;
}

std::string current_database(const std::string& soci_url) {
    auto session = open_session(soci_url);
    std::string name;
    *session << "select current_database()", soci::into(name);
    return name;
}

} // namespace

BOOST_AUTO_TEST_CASE(sqlite_urls) {
    auto rel = parse_db_url("sqlite3:data/erp.db", "/srv/erp");
    BOOST_TEST((rel.backend == DbBackend::sqlite3));
    BOOST_TEST(rel.sqlite_path == "/srv/erp/data/erp.db");
    BOOST_TEST(rel.soci_url == "sqlite3://db=/srv/erp/data/erp.db");

    auto abs = parse_db_url("sqlite3:/var/lib/erp/erp.db", "/srv/erp");
    BOOST_TEST(abs.sqlite_path == "/var/lib/erp/erp.db");

    auto soci_form = parse_db_url("sqlite3://db=rel.db timeout=5", "/b");
    BOOST_TEST((soci_form.backend == DbBackend::sqlite3));
    BOOST_TEST(soci_form.sqlite_path == "/b/rel.db");
    BOOST_TEST(soci_form.soci_url == "sqlite3://db=/b/rel.db timeout=5");

    BOOST_TEST(parse_db_url("sqlite3::memory:", "/b").sqlite_path == ":memory:");
    BOOST_CHECK_THROW(parse_db_url("sqlite3:", "/b"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_db_url("sqlite3://path.db", "/b"), std::invalid_argument);

    // And the result opens: the file is created where resolved, in WAL mode.
    TempDir dir;
    const auto url = parse_db_url("sqlite3:sub.db", dir.path().string());
    auto session = open_session(url.soci_url);
    std::string mode;
    *session << "pragma journal_mode", soci::into(mode);
    BOOST_TEST(mode == "wal");
    BOOST_TEST(std::filesystem::exists(dir / "sub.db"));
}

BOOST_AUTO_TEST_CASE(postgresql_key_value_urls) {
    auto kv = parse_db_url("postgresql://host=127.0.0.1 port=5432 dbname=erp", "/b");
    BOOST_TEST((kv.backend == DbBackend::postgresql));
    BOOST_TEST(kv.soci_url == "postgresql://host=127.0.0.1 port=5432 dbname=erp");
    // A socket directory or an '@' in a value does not make it a URI.
    BOOST_TEST(parse_db_url("postgresql://host=/var/run/postgresql dbname=erp", "").soci_url ==
               "postgresql://host=/var/run/postgresql dbname=erp");
    BOOST_TEST(parse_db_url("postgres://user=a password=x@y dbname=erp", "").soci_url ==
               "postgresql://user=a password=x@y dbname=erp");

    TempPgDatabase pg;
    BOOST_TEST(current_database(parse_db_url(pg.url(), "").soci_url) == pg.name());
}

BOOST_AUTO_TEST_CASE(postgresql_uri_urls_connect) {
    // Translated to key=value: SOCI 4.0 cannot pass a URI on to libpq.
    BOOST_TEST(parse_db_url("postgresql://erp@db.example:5433/erp", "").soci_url ==
               "postgresql://user=erp host=db.example port=5433 dbname=erp");
    BOOST_TEST(
        parse_db_url("postgres://erp:p%40ss'w@[::1]:5433/my%5Fdb?sslmode=require&connect_timeout=5", "").soci_url ==
        "postgresql://user=erp password='p@ss\\'w' host=::1 port=5433 dbname=my_db sslmode=require "
        "connect_timeout=5");
    BOOST_TEST(parse_db_url("postgresql://%2Fvar%2Frun%2Fpostgresql/erp", "").soci_url ==
               "postgresql://host=/var/run/postgresql dbname=erp");
    BOOST_TEST(parse_db_url("postgresql://a:5432,b/erp", "").soci_url == "postgresql://host=a,b port=5432, dbname=erp");
    BOOST_TEST(parse_db_url("postgresql:///erp", "").soci_url == "postgresql://dbname=erp");
    BOOST_CHECK_THROW(parse_db_url("postgresql://erp:a%20b@host/erp", ""), std::invalid_argument); // space
    BOOST_CHECK_THROW(parse_db_url("postgresql://host/erp?sslmode", ""), std::invalid_argument);
    BOOST_CHECK_THROW(parse_db_url("postgresql://host/erp%2", ""), std::invalid_argument);
    TempPgDatabase pg;
    const auto params = pg_test_params();
    BOOST_REQUIRE(params.count("host") == 1 && params.count("port") == 1 && params.count("user") == 1);
    const std::string uri =
        "postgresql://" + params.at("user") + "@" + params.at("host") + ":" + params.at("port") + "/" + pg.name();
    const auto url = parse_db_url(uri, "");
    BOOST_TEST((url.backend == DbBackend::postgresql));
    BOOST_TEST(current_database(url.soci_url) == pg.name());
}

BOOST_AUTO_TEST_CASE(unsupported_urls_say_why) {
    try {
        parse_db_url("mysql://erp@localhost/erp", "");
        BOOST_ERROR("mysql url accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(contains(e.what(), "unsupported database url 'mysql:...'"));
        BOOST_TEST(contains(e.what(), "expected sqlite3:PATH or postgresql://"));
    }
    BOOST_CHECK_THROW(parse_db_url("postgresql://", ""), std::invalid_argument);
    BOOST_CHECK_THROW(parse_db_url("erp.db", ""), std::invalid_argument);
}
