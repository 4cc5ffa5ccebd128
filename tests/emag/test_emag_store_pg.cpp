#define BOOST_TEST_MODULE emag_store_pg
#include <boost/test/unit_test.hpp>

// The account store on PostgreSQL (ERP_TEST_PG_URL; scripts/run-tests.sh
// starts a server), in a database of its own, with the table created by the
// host's migration code from the plugin's DB mapping. Same expectations as
// on SQLite (test_emag_config): one mapping, both backends (DESIGN.md §4).

#include "config/plugin_config.hpp"
#include "emag_migrate.hpp"
#include "store/account_store.hpp"
#include "store/schema.hpp"
#include "test_support.hpp"

#include <string>
#include <vector>

BOOST_AUTO_TEST_CASE(upsert_inserts_then_updates_keeping_created_at_on_postgresql) {
    erp::test::TempPgDatabase db;
    erp::test::migrate_emag_tables(db.url());

    const auto cfg = erp::emag::parse_plugin_config(R"({"accounts":[
        {"name":"ro1","platform":"ro","username":"u-ro","password_env":"A"},
        {"name":"fd-bg","platform":"fd-bg","username":"u-fd","password_env":"B"}]})");
    std::vector<erp::emag::AccountRecord> records;
    for (const auto& a : cfg.accounts) {
        records.push_back(erp::emag::to_record(a));
    }

    erp::emag::AccountStore store(db.url());
    store.upsert(records, "2024-01-01T10:00:00Z");
    records[1].username = "u-fd-new";
    store.upsert(records, "2024-02-01T08:30:00Z");

    const auto rows = store.list();
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].name == "fd-bg");
    BOOST_TEST(rows[0].username == "u-fd-new");
    BOOST_TEST(rows[0].base_url == "https://marketplace-bg-api.fashiondays.com/api-3");
    BOOST_TEST(rows[0].currency == "BGN");
    BOOST_TEST(rows[0].timezone == "Europe/Sofia");
    BOOST_TEST(rows[0].created_at == "2024-01-01T10:00:00Z");
    BOOST_TEST(rows[0].updated_at == "2024-02-01T08:30:00Z");
    BOOST_TEST(rows[1].name == "ro1");
    BOOST_TEST(rows[1].locale == "ro_RO");
}
