#define BOOST_TEST_MODULE host_plugin_loading
#include <boost/test/unit_test.hpp>

#include "database.hpp"
#include "host_fixture.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <condition_variable>
#include <future>
#include <mutex>

using namespace erp::host;
using erp::test::HostFixture;
using nlohmann::json;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// Asserts that plugin `id` failed at `step` with a message naming it and
// containing every one of `fragments`.
void expect_failed(const HostFixture& f, const std::string& id, const std::string& step,
                   std::initializer_list<std::string> fragments) {
    const auto& rec = f.record(id);
    BOOST_TEST(rec.failed_step == step, "plugin " << id << " failed at '" << rec.failed_step << "': " << rec.error);
    BOOST_TEST(contains(rec.error, "plugin '" + id + "'"), rec.error);
    for (const auto& frag : fragments) {
        BOOST_TEST(contains(rec.error, frag), "expected '" << frag << "' in: " << rec.error);
    }
}

bool table_exists(const std::string& soci_url, const std::string& table) {
    auto s = open_session(soci_url);
    int n = 0;
    if (s->get_backend_name() == "sqlite3") {
        *s << "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=:t", soci::use(table), soci::into(n);
    } else {
        *s << "SELECT COUNT(*) FROM information_schema.tables WHERE table_name=:t", soci::use(table), soci::into(n);
    }
    return n > 0;
}

int migration_rows(const std::string& soci_url, const std::string& plugin) {
    auto s = open_session(soci_url);
    int n = 0;
    *s << "SELECT COUNT(*) FROM erp_schema_migrations WHERE plugin=:p", soci::use(plugin), soci::into(n);
    return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(real_plugins_load_and_run) {
    HostFixture f;
    f.add_staged("emag");
    f.add_staged("hello_c");
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    auto& app = f.make_app({"emag", "hello_c", "good_plugin"});
    app.load_plugins();
    for (const auto* id : {"emag", "hello_c", "good_plugin"}) {
        BOOST_TEST(f.record(id).failed_step.empty(), id << ": " << f.record(id).error);
        BOOST_TEST(app.running_plugin(id) != nullptr, id);
    }
    BOOST_TEST(table_exists(app.soci_db_url(), "emag_accounts"));
    BOOST_TEST(table_exists(app.soci_db_url(), "hello_c_greetings"));
    BOOST_TEST(table_exists(app.soci_db_url(), "good_plugin_items"));

    // hello_c's job runs through the scheduler on this thread.
    BOOST_TEST(app.run_job("hello_c.greet") == "");
    BOOST_TEST(app.scheduler().status("hello_c.greet")->runs == 1u);
    BOOST_TEST(contains(app.run_job("hello_c.nope"), "no running plugin registered"));
}

BOOST_AUTO_TEST_CASE(malformed_manifest_is_refused) {
    HostFixture f;
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    erp::test::write_file(f.plugins_dir() / "good_plugin" / "manifest.json", "{\"id\": \"good_plugin\",");
    f.make_app({"good_plugin"}).load_plugins();
    expect_failed(f, "good_plugin", "manifest", {"malformed JSON", "manifest.json"});
}

BOOST_AUTO_TEST_CASE(manifest_missing_a_field_is_refused) {
    HostFixture f;
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    const auto path = f.plugins_dir() / "good_plugin" / "manifest.json";
    auto m = json::parse(erp::test::read_file(path));
    m.erase("sha256");
    erp::test::write_file(path, m.dump());
    f.make_app({"good_plugin"}).load_plugins();
    expect_failed(f, "good_plugin", "manifest", {"\"sha256\"", "missing"});
}

BOOST_AUTO_TEST_CASE(missing_plugin_directory_and_library) {
    HostFixture f;
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    std::filesystem::remove(f.plugins_dir() / "good_plugin" / "libgood_plugin.so");
    f.make_app({"good_plugin", "ghost"}).load_plugins();
    expect_failed(f, "good_plugin", "checksum", {"libgood_plugin.so", "not found"});
    expect_failed(f, "ghost", "manifest", {"cannot read the manifest"});
}

BOOST_AUTO_TEST_CASE(sha256_mismatch_is_refused_before_loading) {
    HostFixture f;
    erp::test::install_plugin(f.plugins_dir() / "good_plugin", "good_plugin",
                              erp::test::test_plugin_library("libgood_plugin.so"), "1.0.0", std::string(64, '0'));
    f.make_app({"good_plugin"}).load_plugins();
    expect_failed(f, "good_plugin", "checksum", {"sha256 mismatch", std::string(64, '0')});
}

BOOST_AUTO_TEST_CASE(missing_entry_symbol_is_refused) {
    HostFixture f;
    f.add_test_plugin("bad_no_entry", "libbad_no_entry.so");
    f.make_app({"bad_no_entry"}).load_plugins();
    expect_failed(f, "bad_no_entry", "entry", {"erp_plugin_entry"});
}

BOOST_AUTO_TEST_CASE(abi_major_mismatch_names_both_versions) {
    HostFixture f;
    f.add_test_plugin("bad_abi_major", "libbad_abi_major.so");
    f.add_test_plugin("bad_entry_refuses", "libbad_entry_refuses.so");
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    // A manifest that itself declares another major is refused before dlopen.
    const auto path = f.plugins_dir() / "good_plugin" / "manifest.json";
    auto m = json::parse(erp::test::read_file(path));
    m["abi_version"] = "3.1";
    erp::test::write_file(path, m.dump());
    f.make_app({"bad_abi_major", "bad_entry_refuses", "good_plugin"}).load_plugins();
    expect_failed(f, "bad_abi_major", "abi", {"ABI 2.0", "ABI 1.0"});
    expect_failed(f, "bad_entry_refuses", "entry", {"plugin requires ABI 2.x, host offers 1.0"});
    expect_failed(f, "good_plugin", "abi", {"ABI 3.1", "ABI 1.0"});
}

BOOST_AUTO_TEST_CASE(plugin_needing_a_newer_host_is_refused) {
    HostFixture f;
    f.add_test_plugin("bad_newer_minor", "libbad_newer_minor.so");
    f.make_app({"bad_newer_minor"}).load_plugins();
    expect_failed(f, "bad_newer_minor", "abi", {"requires ABI 1.7", "upgrade erp-host"});
}

BOOST_AUTO_TEST_CASE(plugin_reporting_another_id_is_refused) {
    HostFixture f;
    // hello_c's library installed under another id: what it reports differs.
    erp::test::install_plugin(f.plugins_dir() / "impostor", "impostor",
                              erp::test::staged_plugin_dir("hello_c") / "libhello_c.so", "1.0.0");
    f.make_app({"impostor"}).load_plugins();
    expect_failed(f, "impostor", "identity", {"reports id 'hello_c'", "manifest says 'impostor'"});

    HostFixture g;
    g.add_test_plugin("good_plugin", "libgood_plugin.so", "9.9.9");
    g.make_app({"good_plugin"}).load_plugins();
    expect_failed(g, "good_plugin", "identity", {"version '1.0.0'", "'9.9.9'"});
}

BOOST_AUTO_TEST_CASE(init_errors_are_reported_and_registrations_dropped) {
    HostFixture f;
    f.add_test_plugin("bad_init_error", "libbad_init_error.so");
    f.add_test_plugin("bad_init_throws", "libbad_init_throws.so");
    f.add_test_plugin("bad_missing_callback", "libbad_missing_callback.so");
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    auto& app = f.make_app({"bad_init_error", "bad_init_throws", "bad_missing_callback", "good_plugin"});
    app.load_plugins();
    expect_failed(f, "bad_init_error", "init", {"greeting must not be empty", "ERP_E_CONFIG"});
    expect_failed(f, "bad_init_throws", "init", {"boom: init failed on purpose"});
    expect_failed(f, "bad_missing_callback", "init", {"no run callback"});
    // The host goes on with the good one, and the failed ones' jobs are gone.
    BOOST_TEST(app.running_plugin("good_plugin") != nullptr);
    app.start_scheduler(false);
    BOOST_TEST(!app.scheduler().status("bad_init_error.tick").has_value());
    BOOST_TEST(app.scheduler().status("good_plugin.tick").has_value());
}

BOOST_AUTO_TEST_CASE(config_not_matching_the_schema_is_refused) {
    HostFixture f;
    f.add_staged("hello_c");
    f.extra_config("[plugins.hello_c]\ngreeting = 42\n");
    f.make_app({"hello_c"}).load_plugins();
    expect_failed(f, "hello_c", "config", {"greeting: must be of type string"});
}

namespace {

void failing_migration_rolls_back(HostFixture& f) {
    f.add_test_plugin("bad_migration", "libbad_migration.so");
    f.add_test_plugin("good_plugin", "libgood_plugin.so");
    auto& app = f.make_app({"bad_migration", "good_plugin"});
    app.load_plugins();
    expect_failed(f, "bad_migration", "migrate", {"no_such_table"});
    BOOST_TEST(!table_exists(app.soci_db_url(), "bad_migration_items"));
    BOOST_TEST(migration_rows(app.soci_db_url(), "bad_migration") == 0);
    BOOST_TEST(app.running_plugin("good_plugin") != nullptr);
    BOOST_TEST(migration_rows(app.soci_db_url(), "good_plugin") == 1);
}

void changed_migration_is_refused_and_reruns_are_idempotent(HostFixture& f) {
    f.add_test_plugin("migtest", "libmig_v1.so");
    f.make_app({"migtest"}).load_plugins();
    BOOST_TEST(f.record("migtest").failed_step.empty(), f.record("migtest").error);
    const std::string url = f.app().soci_db_url();
    f.reset_app();
    // Same plugin again: nothing to apply, still one row.
    f.make_app({"migtest"}).load_plugins();
    BOOST_TEST(f.record("migtest").failed_step.empty(), f.record("migtest").error);
    BOOST_TEST(migration_rows(url, "migtest") == 1);
    f.reset_app();
    // The plugin's version 1 changed after it was applied.
    f.add_test_plugin("migtest", "libmig_v1_changed.so");
    f.make_app({"migtest"}).load_plugins();
    expect_failed(f, "migtest", "migrate", {"version 1", "changed"});
}

} // namespace

BOOST_AUTO_TEST_CASE(failing_migration_rolls_back_on_sqlite) {
    HostFixture f;
    failing_migration_rolls_back(f);
}

BOOST_AUTO_TEST_CASE(failing_migration_rolls_back_on_postgresql) {
    erp::test::TempPgDatabase db;
    HostFixture f;
    f.use_database(db.url());
    failing_migration_rolls_back(f);
}

BOOST_AUTO_TEST_CASE(changed_migration_on_sqlite) {
    HostFixture f;
    changed_migration_is_refused_and_reruns_are_idempotent(f);
}

BOOST_AUTO_TEST_CASE(changed_migration_on_postgresql) {
    erp::test::TempPgDatabase db;
    HostFixture f;
    f.use_database(db.url());
    changed_migration_is_refused_and_reruns_are_idempotent(f);
}

BOOST_AUTO_TEST_CASE(real_plugins_migrate_on_postgresql) {
    erp::test::TempPgDatabase db;
    HostFixture f;
    f.use_database(db.url());
    f.add_staged("emag");
    f.add_staged("hello_c");
    f.make_app({"emag", "hello_c"}).load_plugins();
    BOOST_TEST(f.record("emag").failed_step.empty(), f.record("emag").error);
    BOOST_TEST(f.record("hello_c").failed_step.empty(), f.record("hello_c").error);
    BOOST_TEST(table_exists(f.app().soci_db_url(), "emag_accounts"));
    // The eMAG plugin stored its configured account (never a password).
    auto s = open_session(f.app().soci_db_url());
    std::string platform;
    *s << "SELECT platform FROM emag_accounts WHERE name='test-ro'", soci::into(platform);
    BOOST_TEST(platform == "ro");
}

BOOST_AUTO_TEST_CASE(older_plugin_with_smaller_structs_loads) {
    HostFixture f;
    f.add_test_plugin("old_struct", "libold_struct.so");
    auto& app = f.make_app({"old_struct"});
    app.load_plugins();
    BOOST_TEST(f.record("old_struct").failed_step.empty(), f.record("old_struct").error);
    const auto* p = app.running_plugin("old_struct");
    BOOST_REQUIRE(p != nullptr);
    // Fields past its struct_size read as absent, never as the trap values
    // the plugin keeps there.
    BOOST_TEST(p->build_info().empty());
    BOOST_REQUIRE(p->registrations().monitors.size() == 1u);
    BOOST_TEST(p->registrations().monitors[0].health == nullptr);
    HttpRequest req;
    req.method = "GET";
    req.path = "/plugins/old_struct/ping";
    BOOST_TEST(app.handle(req).status == 200u);
    req.path = "/health";
    const auto health = json::parse(app.handle(req).body);
    BOOST_TEST(health["status"] == "ok");
}

BOOST_AUTO_TEST_CASE(stop_cancels_a_running_job) {
    HostFixture f;
    f.add_test_plugin("slow_job", "libslow_job.so");
    auto& app = f.make_app({"slow_job"});
    app.load_plugins();
    BOOST_REQUIRE(app.running_plugin("slow_job") != nullptr);
    app.start_scheduler(false);

    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> states;
    auto sub = app.events().subscribe({"jobs"}, [&](const Event& e) {
        const auto j = json::parse(e.json);
        std::lock_guard lock(mu);
        states.push_back(j.value("state", ""));
        cv.notify_all();
    });
    BOOST_REQUIRE(app.scheduler().trigger("slow_job.wait") == Scheduler::Trigger::started);
    {
        std::unique_lock lock(mu);
        BOOST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(30),
                                  [&] { return std::find(states.begin(), states.end(), "progress") != states.end(); }));
    }
    BOOST_TEST(app.scheduler().status("slow_job.wait")->running);
    auto stopped = std::async(std::launch::async, [&] { app.stop(); });
    BOOST_REQUIRE(stopped.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    std::lock_guard lock(mu);
    const bool saw_cancelled = std::find(states.begin(), states.end(), "cancelled") != states.end();
    BOOST_TEST(saw_cancelled);
    BOOST_TEST(std::string(to_string(f.app().plugins()[0].instance->state())) == "stopped");
}
