// Backups of the eMAG plugin's data (BackupService, docs/backups.md) on
// SQLite and PostgreSQL (ERP_TEST_PG_URL): tables filled with the sandbox's
// generated orders and offers through the real stores, plus hand-written
// rows with NULLs, empty strings, unicode, quotes, 64-bit extremes and JSON
// payloads. Every table is compared in full (every column, read with plain
// SQL independent of the backup code) before and after.
#define BOOST_TEST_MODULE emag_backup
#include <boost/test/unit_test.hpp>

#include "backup/backup_files.hpp"
#include "backup/backup_manifest.hpp"
#include "backup/backup_service.hpp"
#include "backup/backup_tables.hpp"
#include "emag_migrate.hpp"
#include "offers/offer_sync.hpp"
#include "orders/order_rows.hpp"
#include "store/offer_store.hpp"
#include "store/order_store.hpp"
#include "store/outbound_store.hpp"
#include "store/session.hpp"
#include "store/timestamp.hpp"
#include "test_support.hpp"

#include "core/data_generator.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

using namespace erp::emag;
namespace fs = std::filesystem;
namespace sb = ::emag::sandbox;
using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

// The tables a backup must hold: all of the schema's but emag_metrics.
const std::vector<std::string> kBackedUp = {
    "emag_accounts",       "emag_orders",           "emag_order_lines",     "emag_order_quarantine", "emag_sync_state",
    "emag_offers",         "emag_offer_quarantine", "emag_outbound",        "emag_alerts",           "emag_customers",
    "emag_customer_spend", "emag_customer_cities",  "emag_customer_orders", "emag_analytics_state"};

constexpr long long kBigId = 9007199254740993LL; // 2^53 + 1: wrong if anything goes through a double
constexpr long long kMax = std::numeric_limits<long long>::max();
constexpr long long kMin = std::numeric_limits<long long>::min();
const std::string kAwkward = "Ștefan \"Fănel\" O'Brien \\ 🎉\n\ttab – 日本";

// A clock the test moves by hand.
struct TestClock {
    Clock::time_point t = Clock::time_point(std::chrono::seconds(1767225600)); // 2026-01-01T00:00:00Z
    std::function<Clock::time_point()> fn() {
        return [this] { return t; };
    }
};

std::unique_ptr<soci::session> sql_of(const std::string& url) {
    return open_store_session(url);
}

// ---- reading whole tables, independent of the backup code ------------------

std::string cell(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) {
        return "NULL";
    }
    switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string: {
        std::string out(1, '\''); // (not "'" + ...: GCC 12 warns falsely with -Wrestrict)
        out += r.get<std::string>(i);
        out += '\'';
        return out;
    }
    case soci::dt_integer:
        return std::to_string(r.get<int>(i));
    case soci::dt_long_long:
        return std::to_string(r.get<long long>(i));
    case soci::dt_unsigned_long_long:
        return std::to_string(r.get<unsigned long long>(i));
    case soci::dt_double: {
        std::ostringstream o;
        o.precision(17);
        o << r.get<double>(i);
        return o.str();
    }
    default:
        return "<unexpected type>";
    }
}

// Every column as text, tagged with SQLite's storage class there (so an
// integer written back as text shows): not soci::row's own conversions,
// which read the host's SQLite bigint columns ("integer") as 32-bit ints.
std::vector<std::string> table_rows(soci::session& sql, const std::string& table) {
    const bool sqlite = sql.get_backend_name() == "sqlite3";
    std::vector<std::string> columns;
    std::string key;
    if (table == "emag_metrics") {
        columns = {"account", "taken_at", "health", "figures"};
        key = "account, taken_at";
    }
    for (const DumpTable& t : backup_tables()) {
        if (t.name == table) {
            for (const DumpColumn& c : t.columns) {
                columns.push_back(c.name);
            }
            for (const std::string& k : t.primary_key) {
                key += (key.empty() ? "" : ", ") + k;
            }
        }
    }
    BOOST_TEST_REQUIRE(!columns.empty(), table);
    std::string select;
    for (const std::string& c : columns) {
        select += (select.empty() ? "" : ", ") +
                  (sqlite ? "typeof(" + c + ") || ':' || CAST(" + c + " AS TEXT)" : "CAST(" + c + " AS TEXT)");
    }
    std::vector<std::string> out;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT " + select + " FROM " + table + " ORDER BY " + key);
    for (const soci::row& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += columns[i] + "=" + cell(r, i) + "|";
        }
        out.push_back(line);
    }
    return out;
}

using Snapshot = std::map<std::string, std::vector<std::string>>;

// Every table of the schema, emag_metrics included, every column.
Snapshot snapshot(const std::string& url) {
    auto sql = sql_of(url);
    Snapshot s;
    for (const std::string& t : kBackedUp) {
        s[t] = table_rows(*sql, t);
    }
    s["emag_metrics"] = table_rows(*sql, "emag_metrics");
    return s;
}

void check_equal(const Snapshot& got, const Snapshot& want) {
    BOOST_TEST_REQUIRE(got.size() == want.size());
    for (const auto& [table, rows] : want) {
        const std::vector<std::string>& g = got.at(table);
        BOOST_TEST(g.size() == rows.size(), table << ": " << g.size() << " rows, want " << rows.size());
        for (std::size_t i = 0; i < std::min(g.size(), rows.size()); ++i) {
            BOOST_TEST(g[i] == rows[i], table << " row " << i << ":\n got  " << g[i] << "\n want " << rows[i]);
        }
    }
}

long long count(const std::string& url, const std::string& table) {
    auto sql = sql_of(url);
    long long n = -1;
    *sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
    return n;
}

void wipe(const std::string& url) {
    auto sql = sql_of(url);
    for (const std::string& t : kBackedUp) {
        *sql << "DELETE FROM " + t;
    }
}

// ---- filling the tables -----------------------------------------------------

void fill_sandbox(const std::string& url, std::size_t orders, std::size_t offers, std::uint64_t seed) {
    sb::DataOptions options;
    options.seed = seed;
    options.orders = orders;
    options.offers = offers;
    options.invalid_fraction = 0.05; // some go to quarantine
    options.platform = "ro";
    options.now = [] { return sb::Clock::time_point(std::chrono::seconds(1763640000)); };
    sb::StringPool pool;
    sb::DataGenerator generator(options, pool);
    const std::vector<sb::Offer> sb_offers = generator.make_offers();
    const std::vector<sb::Order> sb_orders = generator.make_orders(sb_offers);
    const sb::Zone zone = sb::platform_info("ro").zone;
    const TimeZone tz = *TimeZone::find("Europe/Bucharest");

    OrderStore order_store(url);
    constexpr std::size_t kPage = 500;
    for (std::size_t from = 0; from < sb_orders.size(); from += kPage) {
        json page = json::array();
        for (std::size_t i = from; i < std::min(sb_orders.size(), from + kPage); ++i) {
            page.push_back(json::parse(sb::render_order(sb_orders[i], zone)));
        }
        SortedOrders sorted = sort_orders("ro1", std::move(page), tz);
        SyncStateRow state{"ro1",
                           3,
                           "incremental",
                           "2025-11-20T10:00:00Z",
                           "2025-11-20T12:00:00Z",
                           "ok",
                           "",
                           static_cast<std::int64_t>(from + kPage)};
        order_store.store_batch("ro1", sorted.valid, sorted.invalid, "2025-11-20T12:00:00Z", state);
    }

    json page = json::array();
    for (const sb::Offer& o : sb_offers) {
        page.push_back(sb::render_offer(o, false));
    }
    page.push_back(json{{"id", "not a number"}}); // one for emag_offer_quarantine
    SortedOffers sorted = sort_offers("ro1", std::move(page));
    OfferStore(url).store_batch("ro1", sorted.valid, sorted.invalid, "2025-11-20T12:00:00Z");
}

// The awkward rows: NULLs, empty strings, unicode, quotes, 64-bit extremes.
void fill_by_hand(const std::string& url) {
    auto sql_ptr = sql_of(url);
    soci::session& sql = *sql_ptr;
    soci::indicator null = soci::i_null;
    std::string none;
    sql << "INSERT INTO emag_accounts (name, platform, base_url, username, currency, locale, timezone, created_at, "
           "updated_at) VALUES ('ro1', 'RO', :b, :u, 'RON', '', 'Europe/Bucharest', '2026-01-01T00:00:00Z', :up)",
        soci::use(none, null), soci::use(kAwkward), soci::use(none, null);
    const std::string payload = R"({"id":9007199254740993,"note":"line1\nline2 \"q\" \\ \u00e9","n":[1,2.5,null]})";
    long long id = kBigId, max = kMax, min = kMin;
    sql << "INSERT INTO emag_orders (account, emag_id, type, status, detailed_payment_method, shipping_tax_x4, "
           "cashed_co_x4, customer_name, payload, date_utc) VALUES ('ro1', :id, NULL, 0, '', :max, :min, :name, "
           ":payload, '2026-01-02T03:04:05Z')",
        soci::use(id), soci::use(max), soci::use(min), soci::use(kAwkward), soci::use(payload);
    sql << "INSERT INTO emag_order_lines (account, emag_id, line_id, quantity, sale_price_x4, payload) VALUES "
           "('ro1', :id, :line, 2147483648, 0, '{}')",
        soci::use(id), soci::use(max);
    auto& s = sql;
    s << "INSERT INTO emag_alerts (id, account, rule, subject, severity, state, message, value, threshold, raised_at, "
         "cleared_at, last_value, updated_at) VALUES (1, 'ro1', 'error_rate', 'orders', 'warning', 'active', "
         "'error rate 7% > 5%', '0.07', '0.05', '2026-01-01T00:00:00Z', NULL, '0.07', '2026-01-01T00:01:00Z')";
    s << "INSERT INTO emag_alerts (id, account, rule, state) VALUES (2, 'ro1', 'latency', 'cleared')";
    s << "INSERT INTO emag_customers (account, customer_key, name, orders, canceled, returned, cod_orders, "
         "cod_refused, pay_cod, pay_transfer, pay_card, first_order_utc, last_order_utc, loyalty_score, risk_level, "
         "updated_at) VALUES ('ro1', 'c0ffee', :name, 3, 1, 0, 2, 1, 2, 0, 1, '2025-01-01T00:00:00Z', "
         "'2025-12-31T23:59:59Z', 42, 'medium', '2026-01-01T00:00:00Z')",
        soci::use(kAwkward);
    s << "INSERT INTO emag_customers (account, customer_key) VALUES ('ro1', 'feed')";
    s << "INSERT INTO emag_customer_spend VALUES ('ro1', 'c0ffee', 'RON', 3, 9223372036854775807)";
    s << "INSERT INTO emag_customer_spend VALUES ('ro1', 'c0ffee', 'EUR', 1, -15000)";
    s << "INSERT INTO emag_customer_cities VALUES ('ro1', 'c0ffee', 'Brașov', 2)";
    s << "INSERT INTO emag_customer_cities VALUES ('ro1', 'c0ffee', 'Cluj-Napoca', 1)";
    s << "INSERT INTO emag_customer_orders (account, emag_id, customer_key, status, payment_mode_id, currency, "
         "total_x4, city, date_utc, modified_utc) VALUES ('ro1', 17, 'c0ffee', 4, 1, 'RON', 1234567, 'Brașov', "
         "'2025-06-01T10:00:00Z', NULL)";
    s << "INSERT INTO emag_analytics_state VALUES ('customers', '2026-01-01T00:00:00Z', NULL)";
    s << "INSERT INTO emag_metrics VALUES ('ro1', '2026-01-01T00:00:00Z', 97, '{\"rpm\":12}')";

    OutboundStore out(url);
    out.enqueue("ro1", 1001, "price", R"({"sale_price":"12.5000"})", "route", "2026-01-01T00:00:00Z");
    out.enqueue("ro1", 1001, "price", R"({"sale_price":"13.0000"})", "route", "2026-01-01T00:00:01Z");
    out.record_rejected("ro1", 1002, "stock", "{\"stock\":-1}", "route", R"([{"message":"negative"}])",
                        "2026-01-01T00:00:02Z");
}

void fill(const std::string& url, std::size_t orders = 150, std::size_t offers = 40) {
    erp::test::migrate_emag_tables(url);
    fill_sandbox(url, orders, offers, 20260131);
    fill_by_hand(url);
}

json read_manifest(const fs::path& backup) {
    return json::parse(erp::test::read_file(backup / "manifest.json"));
}

void write_manifest(const fs::path& backup, const json& m) {
    fs::remove(backup / "manifest.json");
    erp::test::write_file(backup / "manifest.json", m.dump(2));
}

void flip_byte(const fs::path& file) {
    std::string bytes = erp::test::read_file(file);
    BOOST_TEST_REQUIRE(bytes.size() > 40u);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

template <class E>
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    BOOST_ERROR("no exception of the expected type");
    return {};
}

// ---- the cases, each run on both backends --------------------------------------

// backup -> wipe -> restore -> every table as before.
void round_trip(const std::string& url, const fs::path& dir) {
    fill(url);
    const Snapshot before = snapshot(url);
    BOOST_TEST_REQUIRE(before.at("emag_orders").size() > 100u);
    BOOST_TEST_REQUIRE(before.at("emag_order_quarantine").size() > 0u);
    BOOST_TEST_REQUIRE(before.at("emag_offer_quarantine").size() == 1u);

    TestClock clock;
    BackupService service(url, {dir, 7, "1.2.3", {}}, clock.fn());
    const BackupInfo info = service.create();
    BOOST_TEST(info.name == "emag-20260101T000000Z");
    BOOST_TEST(info.created_at == "2026-01-01T00:00:00Z");
    BOOST_TEST(info.path == dir / info.name);
    std::vector<std::string> names;
    std::uint64_t bytes = 0;
    for (const BackupTable& t : info.tables) {
        names.push_back(t.name);
        BOOST_TEST(t.file == t.name + ".jsonl.gz");
        BOOST_TEST(t.rows == static_cast<std::uint64_t>(count(url, t.name)), t.name);
        const FileDigest d = digest_file(info.path / t.file);
        BOOST_TEST(t.sha256 == d.sha256, t.name);
        BOOST_TEST(t.bytes == d.bytes, t.name);
        bytes += t.bytes;
    }
    BOOST_TEST(names == kBackedUp, boost::test_tools::per_element()); // emag_metrics left out
    BOOST_TEST(info.bytes == bytes + fs::file_size(info.path / "manifest.json"));
    BOOST_TEST(entries(dir) == std::vector<std::string>{info.name}); // no temporary left

    // The manifest as documented.
    const json m = read_manifest(info.path);
    BOOST_TEST(m.at("format") == "emag-backup/1");
    BOOST_TEST(m.at("plugin_version") == "1.2.3");
    BOOST_TEST(m.at("created_at") == "2026-01-01T00:00:00Z");
    BOOST_TEST(m.at("schema_version").get<std::uint32_t>() == latest_schema_version());
    BOOST_TEST(m.at("tables").size() == kBackedUp.size());
    BOOST_TEST(m.at("tables")[1].at("name") == "emag_orders");
    BOOST_TEST(m.at("tables")[1].at("rows").get<std::uint64_t>() == info.tables[1].rows);
    BOOST_TEST(m.at("tables")[1].at("sha256") == info.tables[1].sha256);

    // The rows as documented: numbers exact, NULL as null, text unchanged.
    bool found = false;
    GzipLineReader reader(info.path / "emag_orders.jsonl.gz");
    std::string line;
    std::uint64_t lines = 0;
    while (reader.next(line)) {
        ++lines;
        const json row = json::parse(line);
        BOOST_TEST(row.size() == 30u);
        if (row.at("emag_id").get<long long>() == kBigId) {
            found = true;
            BOOST_TEST(row.at("shipping_tax_x4").get<long long>() == kMax);
            BOOST_TEST(row.at("cashed_co_x4").get<long long>() == kMin);
            BOOST_TEST(row.at("type").is_null());
            BOOST_TEST(row.at("detailed_payment_method") == ""); // empty is not NULL
            BOOST_TEST(row.at("customer_name") == kAwkward);
            BOOST_TEST(row.at("date_utc") == "2026-01-02T03:04:05Z");
            BOOST_TEST(json::parse(row.at("payload").get<std::string>()).at("id").get<long long>() == kBigId);
        }
    }
    BOOST_TEST(found);
    BOOST_TEST(lines == info.tables[1].rows);

    // list() shows what create() returned.
    const std::vector<BackupInfo> listed = service.list();
    BOOST_TEST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].name == info.name);
    BOOST_TEST(listed[0].created_at == info.created_at);
    BOOST_TEST(listed[0].bytes == info.bytes);
    BOOST_TEST_REQUIRE(listed[0].tables.size() == info.tables.size());
    for (std::size_t i = 0; i < info.tables.size(); ++i) {
        BOOST_TEST(listed[0].tables[i].sha256 == info.tables[i].sha256);
        BOOST_TEST(listed[0].tables[i].rows == info.tables[i].rows);
    }

    wipe(url);
    BOOST_TEST(count(url, "emag_orders") == 0);
    const RestoreReport r = service.restore(info.name);
    BOOST_TEST(r.name == info.name);
    BOOST_TEST_REQUIRE(r.rows_per_table.size() == info.tables.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < info.tables.size(); ++i) {
        BOOST_TEST(r.rows_per_table[i].first == info.tables[i].name);
        BOOST_TEST(r.rows_per_table[i].second == info.tables[i].rows);
        total += info.tables[i].rows;
    }
    BOOST_TEST(r.rows == total);
    check_equal(snapshot(url), before);
}

// Restoring over changed, deleted and extra rows; twice.
void restore_over_existing(const std::string& url, const fs::path& dir) {
    fill(url);
    const Snapshot before = snapshot(url);
    TestClock clock;
    BackupService service(url, {dir, 7, "", {}}, clock.fn());
    const BackupInfo info = service.create();
    BOOST_TEST(!read_manifest(info.path).contains("plugin_version"));

    {
        auto sql = sql_of(url);
        *sql << "UPDATE emag_orders SET status = 5, payload = '{\"changed\":true}', customer_name = NULL, "
                "shipping_tax_x4 = 7";
        *sql << "UPDATE emag_offers SET sale_price_x4 = 1, name = 'x'";
        *sql << "UPDATE emag_accounts SET base_url = 'https://changed', locale = NULL";
        *sql << "UPDATE emag_customer_spend SET total_x4 = 0";
        *sql << "DELETE FROM emag_order_lines WHERE line_id IN (SELECT line_id FROM emag_order_lines ORDER BY line_id "
                "LIMIT 20)";
        *sql << "DELETE FROM emag_alerts WHERE id = 2";
        *sql << "DELETE FROM emag_outbound";
        // Rows the backup does not have: left alone.
        *sql << "INSERT INTO emag_orders (account, emag_id, status, payload) VALUES ('ro2', 1, 1, '{}')";
        *sql << "INSERT INTO emag_alerts (id, account, rule, state) VALUES (99, 'ro1', 'x', 'active')";
        *sql << "INSERT INTO emag_customer_cities VALUES ('ro1', 'c0ffee', 'Iași', 7)";
    }
    BOOST_TEST((snapshot(url) != before));

    auto without_extras = [&] {
        Snapshot s = snapshot(url);
        auto sql = sql_of(url);
        BOOST_TEST(count(url, "emag_orders") == static_cast<long long>(before.at("emag_orders").size()) + 1);
        *sql << "DELETE FROM emag_orders WHERE account = 'ro2'";
        *sql << "DELETE FROM emag_alerts WHERE id = 99";
        *sql << "DELETE FROM emag_customer_cities WHERE city = 'Iași'";
        Snapshot trimmed = snapshot(url);
        return std::make_pair(s, trimmed);
    };

    service.restore(info.name);
    auto [first, trimmed] = without_extras();
    check_equal(trimmed, before);

    // Put the extras back, restore again: the same result (idempotent).
    {
        auto sql = sql_of(url);
        *sql << "INSERT INTO emag_orders (account, emag_id, status, payload) VALUES ('ro2', 1, 1, '{}')";
        *sql << "INSERT INTO emag_alerts (id, account, rule, state) VALUES (99, 'ro1', 'x', 'active')";
        *sql << "INSERT INTO emag_customer_cities VALUES ('ro1', 'c0ffee', 'Iași', 7)";
    }
    service.restore(info.name);
    check_equal(snapshot(url), first);
    service.restore(info.name);
    check_equal(snapshot(url), first);
}

// A damaged or inconsistent backup is refused before anything changes.
void refuses_damaged(const std::string& url, const fs::path& dir) {
    fill(url);
    TestClock clock;
    BackupService service(url, {dir, 7, "", {}}, clock.fn());
    const BackupInfo info = service.create();
    // A state that a partial restore would change.
    wipe(url);
    {
        auto sql = sql_of(url);
        *sql << "INSERT INTO emag_alerts (id, account, rule, state) VALUES (1, 'ro1', 'changed', 'cleared')";
    }
    const Snapshot state = snapshot(url);

    const fs::path last = info.path / "emag_customer_orders.jsonl.gz"; // a late table: earlier ones verify fine
    flip_byte(last);
    std::string msg = message_of<BackupDamaged>([&] { service.restore(info.name); });
    BOOST_TEST(msg.find("emag_customer_orders.jsonl.gz") != std::string::npos, msg);
    BOOST_TEST(msg.find("sha256") != std::string::npos, msg);
    check_equal(snapshot(url), state);

    flip_byte(info.path / "emag_orders.jsonl.gz");
    msg = message_of<BackupDamaged>([&] { service.restore(info.name); });
    BOOST_TEST(msg.find("emag_orders.jsonl.gz") != std::string::npos, msg);
    check_equal(snapshot(url), state);

    // A fresh backup for the next checks.
    clock.t += std::chrono::seconds(1);
    const BackupInfo fresh = service.create();

    // A wrong row count (the file itself intact).
    json m = read_manifest(fresh.path);
    json& offers = m.at("tables")[5];
    BOOST_TEST_REQUIRE(offers.at("name") == "emag_offers");
    const std::uint64_t rows = offers.at("rows").get<std::uint64_t>();
    offers["rows"] = rows + 1;
    write_manifest(fresh.path, m);
    msg = message_of<BackupDamaged>([&] { service.restore(fresh.name); });
    BOOST_TEST(msg.find("emag_offers.jsonl.gz") != std::string::npos, msg);
    BOOST_TEST(msg.find(std::to_string(rows) + " rows") != std::string::npos, msg);
    check_equal(snapshot(url), state);
    offers["rows"] = rows;

    // A row that does not fit the schema, with a matching checksum.
    const fs::path alerts = fresh.path / "emag_alerts.jsonl.gz";
    fs::remove(alerts);
    GzipWriter w(alerts);
    w.write(R"({"id":1,"account":"ro1","rule":"r","subject":null,"severity":null,"state":"active","message":null,)"
            R"("value":null,"threshold":null,"raised_at":null,"cleared_at":null,"last_value":null,"updated_at":null})"
            "\n");
    w.write(R"({"id":"two","account":"ro1","rule":"r","subject":null,"severity":null,"state":"active",)"
            R"("message":null,"value":null,"threshold":null,"raised_at":null,"cleared_at":null,"last_value":null,)"
            R"("updated_at":null})"
            "\n");
    const FileDigest d = w.finish();
    json& jalerts = m.at("tables")[8];
    BOOST_TEST_REQUIRE(jalerts.at("name") == "emag_alerts");
    jalerts["sha256"] = d.sha256;
    jalerts["bytes"] = d.bytes;
    jalerts["rows"] = 2;
    write_manifest(fresh.path, m);
    msg = message_of<BackupDamaged>([&] { service.restore(fresh.name); });
    BOOST_TEST(msg.find("emag_alerts.jsonl.gz line 2: column id") != std::string::npos, msg);
    check_equal(snapshot(url), state);

    // A missing file.
    fs::remove(fresh.path / "emag_sync_state.jsonl.gz");
    msg = message_of<BackupDamaged>([&] { service.restore(fresh.name); });
    BOOST_TEST(msg.find("emag_sync_state.jsonl.gz") != std::string::npos, msg);

    // A manifest that is not one; names that are not backups.
    erp::test::write_file(info.path / "manifest.json.tmp", "x");
    fs::remove(info.path / "manifest.json");
    fs::rename(info.path / "manifest.json.tmp", info.path / "manifest.json");
    msg = message_of<BackupDamaged>([&] { service.restore(info.name); });
    BOOST_TEST(msg.find("manifest.json") != std::string::npos, msg);
    for (const char* bad : {"../etc", "emag-20260101T000000Z/../x", "", "emag-2026", "emag-20260101T000000Z-1",
                            "emag-20260101T000000Z-02", ".tmp-emag-20260101T000000Z"}) {
        BOOST_CHECK_THROW(service.restore(bad), std::invalid_argument);
    }
    BOOST_CHECK_THROW(service.restore("emag-20991231T235959Z"), BackupNotFound);
    check_equal(snapshot(url), state);
}

// Retention keeps exactly `keep`; names stay unique within one second.
void retention(const std::string& url, const fs::path& dir) {
    erp::test::migrate_emag_tables(url);
    fill_by_hand(url);
    fs::create_directories(dir / "emag-notes");
    erp::test::write_file(dir / "keep-me.txt", "not a backup");
    TestClock clock;
    BackupService service(url, {dir, 3, "", {}}, clock.fn());
    std::vector<std::string> made;
    for (int i = 0; i < 5; ++i) {
        const BackupInfo b = service.create();
        made.push_back(b.name);
        BOOST_TEST(b.pruned.size() == (i < 3 ? 0u : 1u));
        clock.t += std::chrono::hours(24);
    }
    BOOST_TEST(made[0] == "emag-20260101T000000Z");
    BOOST_TEST(made[4] == "emag-20260105T000000Z");
    const std::vector<BackupInfo> listed = service.list();
    BOOST_TEST_REQUIRE(listed.size() == 3u);
    BOOST_TEST(listed[0].name == made[4]);
    BOOST_TEST(listed[1].name == made[3]);
    BOOST_TEST(listed[2].name == made[2]);
    BOOST_TEST(entries(dir) == (std::vector<std::string>{"emag-20260103T000000Z", "emag-20260104T000000Z",
                                                         "emag-20260105T000000Z", "emag-notes", "keep-me.txt"}),
               boost::test_tools::per_element());

    // Same second: -2, -3, newest first in the listing, and retention counts them.
    const BackupInfo a = service.create();
    const BackupInfo b = service.create();
    BOOST_TEST(a.name == "emag-20260106T000000Z");
    BOOST_TEST(b.name == "emag-20260106T000000Z-2");
    const std::vector<BackupInfo> now = service.list();
    BOOST_TEST_REQUIRE(now.size() == 3u);
    BOOST_TEST(now[0].name == b.name);
    BOOST_TEST(now[1].name == a.name);
    BOOST_TEST(now[2].name == made[4]);

    // A broken manifest: left out of the list, reported.
    fs::create_directories(dir / "emag-20250101T000000Z");
    erp::test::write_file(dir / "emag-20250101T000000Z" / "manifest.json", "{\"format\":\"other\"}");
    std::vector<std::string> problems;
    BOOST_TEST(service.list(&problems).size() == 3u);
    BOOST_TEST_REQUIRE(problems.size() == 1u);
    BOOST_TEST(problems[0].find("emag-20250101T000000Z: manifest.json") == 0u, problems[0]);

    // keep = 0 keeps everything.
    BackupService all(url, {dir, 0, "", {}}, clock.fn());
    BOOST_TEST(all.create().pruned.empty());
    BOOST_TEST(all.list().size() == 4u);
}

// A failure mid-backup: an exception saying what and where, no backup
// directory, no temporary, nothing pruned.
void atomic_failure(const std::string& url, const fs::path& dir) {
    fill(url, 50, 10);
    TestClock clock;
    BackupService service(url, {dir, 1, "", {}}, clock.fn());
    const BackupInfo kept = service.create();
    clock.t += std::chrono::seconds(1);
    {
        auto sql = sql_of(url);
        *sql << "DROP TABLE emag_analytics_state"; // the last table: every other file is written first
    }
    const std::string msg = message_of<std::runtime_error>([&] { service.create(); });
    BOOST_TEST(msg.find("emag-20260101T000001Z") != std::string::npos, msg);
    BOOST_TEST(msg.find(dir.string()) != std::string::npos, msg);
    BOOST_TEST(msg.find("emag_analytics_state") != std::string::npos, msg);
    BOOST_TEST(entries(dir) == std::vector<std::string>{kept.name}, boost::test_tools::per_element());
    BOOST_TEST(service.list().size() == 1u);

    // A stale temporary from a killed process is cleaned by the next create().
    {
        auto sql = sql_of(url);
        *sql << "CREATE TABLE emag_analytics_state (name varchar(64) NOT NULL PRIMARY KEY, cursor_utc text, "
                "updated_at text)";
    }
    fs::create_directories(dir / ".tmp-emag-20200101T000000Z");
    const BackupInfo next = service.create();
    BOOST_TEST(next.name == "emag-20260101T000001Z");
    BOOST_TEST(entries(dir) == std::vector<std::string>{next.name}, boost::test_tools::per_element());

    // The directory is a file.
    erp::test::write_file(dir.parent_path() / "plain-file", "x");
    BackupService nowhere(url, {dir.parent_path() / "plain-file", 1, "", {}}, clock.fn());
    const std::string msg2 = message_of<std::runtime_error>([&] { nowhere.create(); });
    BOOST_TEST(msg2.find("plain-file") != std::string::npos, msg2);
}

// Concurrent create() calls: each a complete, distinct backup.
void concurrent(const std::string& url, const fs::path& dir) {
    fill(url, 100, 20);
    TestClock clock; // the same second for all
    BackupService service(url, {dir, 10, "", {}}, clock.fn());
    std::vector<BackupInfo> made(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < made.size(); ++i) {
        threads.emplace_back([&, i] { made[i] = service.create(); });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    std::vector<std::string> names;
    for (const BackupInfo& b : made) {
        names.push_back(b.name);
        BOOST_TEST(b.tables.at(1).rows == made[0].tables.at(1).rows);
        BOOST_TEST(b.tables.at(1).sha256 == made[0].tables.at(1).sha256); // same data, same bytes
        for (const BackupTable& t : b.tables) {
            BOOST_TEST(digest_file(b.path / t.file).sha256 == t.sha256);
        }
    }
    std::sort(names.begin(), names.end());
    BOOST_TEST((std::adjacent_find(names.begin(), names.end()) == names.end()));
    BOOST_TEST(service.list().size() == 4u);
    BOOST_TEST(entries(dir).size() == 4u);
}

// Timing, file sizes and peak RSS for `orders` orders (ERP_BACKUP_SCALE_ORDERS,
// default 10000). Disabled by default: run with --run_test=scale_*.
long peak_rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

void reset_peak_rss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

void scale(const std::string& url, const fs::path& dir) {
    const char* env = std::getenv("ERP_BACKUP_SCALE_ORDERS");
    const std::size_t orders = env ? std::stoul(env) : 10000;
    erp::test::migrate_emag_tables(url);
    auto t0 = std::chrono::steady_clock::now();
    fill_sandbox(url, orders, 500, 7);
    auto secs = [](auto from) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    };
    BOOST_TEST_MESSAGE("filled " << count(url, "emag_orders") << " orders, " << count(url, "emag_order_lines")
                                 << " lines in " << secs(t0) << " s");
    // The full comparison holds every row in memory: only for modest sizes
    // (larger runs measure RSS, and compare row counts).
    const bool compare = orders <= 20000;
    const Snapshot before = compare ? snapshot(url) : Snapshot{};
    reset_peak_rss();
    const long base = peak_rss_kb();
    BackupService service(url, {dir, 7, "", {}}, Clock::now);
    t0 = std::chrono::steady_clock::now();
    const BackupInfo info = service.create();
    BOOST_TEST_MESSAGE("backup: " << secs(t0) << " s, " << info.bytes << " bytes, peak RSS " << peak_rss_kb()
                                  << " kB (before " << base << " kB)");
    for (const BackupTable& t : info.tables) {
        BOOST_TEST_MESSAGE("  " << t.file << ": " << t.rows << " rows, " << t.bytes << " bytes");
    }
    wipe(url);
    reset_peak_rss();
    t0 = std::chrono::steady_clock::now();
    const RestoreReport r = service.restore(info.name);
    BOOST_TEST_MESSAGE("restore: " << secs(t0) << " s, " << r.rows << " rows, peak RSS " << peak_rss_kb() << " kB");
    for (const BackupTable& t : info.tables) {
        BOOST_TEST(count(url, t.name) == static_cast<long long>(t.rows), t.name);
    }
    if (compare) {
        check_equal(snapshot(url), before);
    }
}

} // namespace

// `decorator`: *enabled() or *disabled() (the scale runs are for measuring).
#define ON_BOTH_BACKENDS(name, decorator)                                                                              \
    BOOST_AUTO_TEST_CASE(name##_sqlite, decorator) {                                                                   \
        erp::test::TempDir tmp;                                                                                        \
        name("sqlite3://db=" + (tmp / "erp.db").string(), tmp / "backups");                                            \
    }                                                                                                                  \
    BOOST_AUTO_TEST_CASE(name##_postgresql, decorator) {                                                               \
        erp::test::TempDir tmp;                                                                                        \
        erp::test::TempPgDatabase db;                                                                                  \
        name(db.url(), tmp / "backups");                                                                               \
    }

ON_BOTH_BACKENDS(round_trip, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(restore_over_existing, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(refuses_damaged, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(retention, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(atomic_failure, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(concurrent, *boost::unit_test::enabled())
ON_BOTH_BACKENDS(scale, *boost::unit_test::disabled())

// ---- the pieces ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(gzip_lines_round_trip) {
    erp::test::TempDir tmp;
    const std::string big(300000, 'x');
    const std::vector<std::string> lines = {"first", "", "ünïcödé \"quoted\"", big, "last"};
    GzipWriter w(tmp / "a.gz");
    for (const std::string& l : lines) {
        w.write(l + "\n");
    }
    const FileDigest d = w.finish();
    BOOST_TEST(d.bytes == fs::file_size(tmp / "a.gz"));
    BOOST_TEST(d.sha256 == digest_file(tmp / "a.gz").sha256);
    BOOST_CHECK_THROW(GzipWriter(tmp / "a.gz"), std::runtime_error); // never overwrites

    std::vector<std::string> got;
    std::string line;
    GzipLineReader r(tmp / "a.gz");
    while (r.next(line)) {
        got.push_back(line);
    }
    BOOST_TEST(got == lines, boost::test_tools::per_element());

    // Concatenated members read as one stream (as zcat does); a last line without '\n' counts.
    GzipWriter w2(tmp / "b.gz");
    w2.write("tail");
    w2.finish();
    erp::test::write_file(tmp / "ab.gz", erp::test::read_file(tmp / "a.gz") + erp::test::read_file(tmp / "b.gz"));
    got.clear();
    GzipLineReader r2(tmp / "ab.gz");
    while (r2.next(line)) {
        got.push_back(line);
    }
    BOOST_TEST(got.size() == lines.size() + 1);
    BOOST_TEST(got.back() == "tail");

    // Truncated: an error, not a shorter file.
    const std::string bytes = erp::test::read_file(tmp / "a.gz");
    erp::test::write_file(tmp / "cut.gz", bytes.substr(0, bytes.size() - 10));
    GzipLineReader r3(tmp / "cut.gz");
    BOOST_CHECK_EXCEPTION(while (r3.next(line)){}, std::runtime_error, [](const std::runtime_error& e) {
        return std::string(e.what()).find("cut.gz") != std::string::npos;
    });
    BOOST_CHECK_THROW(GzipLineReader(tmp / "missing.gz"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(sha256_of_a_file) {
    erp::test::TempDir tmp;
    write_file_synced(tmp / "abc", "abc");
    BOOST_TEST(digest_file(tmp / "abc").sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(digest_file(tmp / "abc").bytes == 3u);
    BOOST_CHECK_THROW(write_file_synced(tmp / "abc", "again"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(backup_names) {
    BOOST_TEST(backup_name(Clock::time_point(std::chrono::milliseconds(1767225599999))) == "emag-20251231T235959Z");
    BOOST_TEST(is_backup_name("emag-20251231T235959Z"));
    BOOST_TEST(is_backup_name("emag-20251231T235959Z-2"));
    BOOST_TEST(is_backup_name("emag-20251231T235959Z-999999"));
    for (const char* bad : {"emag-20251231T235959", "emag-20251231T235959Z-", "emag-20251231T235959Z-1",
                            "emag-20251231T235959Z-0", "emag-20251231T235959Z-1000000", "emag-2025123XT235959Z",
                            "x-emag-20251231T235959Z", "emag-20251231T235959Z/..", "emag-20251231T235959Z-2a"}) {
        BOOST_TEST(!is_backup_name(bad), bad);
    }
    BOOST_TEST(newer_backup("emag-20260101T000000Z", "emag-20251231T235959Z-9"));
    BOOST_TEST(newer_backup("emag-20260101T000000Z-10", "emag-20260101T000000Z-9"));
    BOOST_TEST(newer_backup("emag-20260101T000000Z-2", "emag-20260101T000000Z"));
    BOOST_TEST(!newer_backup("emag-20260101T000000Z", "emag-20260101T000000Z-2"));
}

BOOST_AUTO_TEST_CASE(manifest_round_trip_and_refusals) {
    Manifest m;
    m.created_at = "2026-01-01T00:00:00Z";
    m.schema_version = 4;
    m.tables.push_back({"emag_orders", "emag_orders.jsonl.gz", std::string(64, 'a'), 3, 99, {"account", "emag_id"}});
    const Manifest back = parse_manifest(manifest_json(m));
    BOOST_TEST(back.created_at == m.created_at);
    BOOST_TEST(back.schema_version == 4u);
    BOOST_TEST_REQUIRE(back.tables.size() == 1u);
    BOOST_TEST(back.tables[0].rows == 3u);
    BOOST_TEST(back.tables[0].columns.size() == 2u);

    json j = json::parse(manifest_json(m));
    j["tables"][0]["file"] = "../../etc/passwd";
    BOOST_CHECK_THROW(parse_manifest(j.dump()), std::runtime_error);
    j = json::parse(manifest_json(m));
    j["tables"][0]["sha256"] = "abc";
    BOOST_CHECK_THROW(parse_manifest(j.dump()), std::runtime_error);
    j = json::parse(manifest_json(m));
    j["tables"][0]["rows"] = -1;
    BOOST_CHECK_THROW(parse_manifest(j.dump()), std::runtime_error);
    j = json::parse(manifest_json(m));
    j["format"] = "emag-backup/2";
    BOOST_CHECK_THROW(parse_manifest(j.dump()), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(tables_come_from_the_schema) {
    const std::vector<DumpTable> tables = backup_tables();
    BOOST_TEST_REQUIRE(tables.size() == kBackedUp.size());
    for (std::size_t i = 0; i < tables.size(); ++i) {
        BOOST_TEST(tables[i].name == kBackedUp[i]);
        BOOST_TEST(!tables[i].primary_key.empty());
    }
    const DumpTable& orders = tables[1];
    BOOST_TEST(orders.columns.size() == 30u);
    BOOST_TEST((orders.primary_key == std::vector<std::string>{"account", "emag_id"}));
    BOOST_TEST((orders.columns[1].kind == ColumnKind::whole));
    BOOST_TEST(!orders.columns[1].nullable);
    BOOST_TEST((orders.columns.back().kind == ColumnKind::text)); // updated_at: timestamp
}
