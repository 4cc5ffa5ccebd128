#include "host_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

namespace erp::test {
namespace fs = std::filesystem;

HostFixture::HostFixture() {
    ::setenv("ERP_TEST_ADMIN_TOKEN", kAdminToken, 1);
    // The eMAG plugin's accounts name their password by env variable.
    ::setenv("ERP_TEST_EMAG_PASSWORD", "emag-test-password-not-real", 1);
    fs::create_directories(plugins_dir());
}

HostFixture::~HostFixture() {
    app_.reset();
}

void HostFixture::add_staged(const std::string& id) {
    const fs::path src = staged_plugin_dir(id);
    BOOST_REQUIRE_MESSAGE(fs::exists(src / "manifest.json"), "plugin " + id + " was not staged by the build");
    fs::copy(src, plugins_dir() / id, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    if (id == "emag" && extra_.find("[plugins.emag]") == std::string::npos) {
        // A closed loopback port, not eMAG: tests never reach the internet,
        // and a scheduled order sync fails at once instead of waiting on DNS.
        extra_ += "[plugins.emag]\n[[plugins.emag.accounts]]\nname = \"test-ro\"\nplatform = \"ro\"\n"
                  "username = \"seller\"\npassword_env = \"ERP_TEST_EMAG_PASSWORD\"\n"
                  "base_url = \"http://127.0.0.1:1/api-3\"\n";
    }
}

void HostFixture::add_test_plugin(const std::string& id, const std::string& library_file, const std::string& version) {
    const fs::path lib = test_plugin_library(library_file);
    BOOST_REQUIRE_MESSAGE(fs::exists(lib), "test plugin " + lib.string() + " was not built");
    install_plugin(plugins_dir() / id, id, lib, version);
}

std::filesystem::path HostFixture::write_config(const std::vector<std::string>& enabled) {
    std::string list;
    for (const auto& id : enabled) {
        list += (list.empty() ? "\"" : ", \"") + id + "\"";
    }
    const std::string db = db_url_.empty() ? "sqlite3:data/erp.db" : db_url_;
    const std::string toml = "[host]\nlisten = \"127.0.0.1:" + std::to_string(port_) +
                             "\"\ndata_dir = \"data\"\nlog_level = \"" + log_level_ +
                             "\"\n"
                             "admin_token_env = \"ERP_TEST_ADMIN_TOKEN\"\nhttp_threads = 2\nworker_threads = 4\n\n"
                             "[database]\nurl = \"" +
                             db + "\"\n\n[plugins]\ndir = \"plugins\"\nenabled = [" + list + "]\n\n" + extra_;
    write_file(dir() / "erp-host.toml", toml);
    return dir() / "erp-host.toml";
}

host::HostApp& HostFixture::make_app(const std::vector<std::string>& enabled) {
    app_.reset();
    app_ = std::make_unique<host::HostApp>(host::load_config(write_config(enabled)));
    return *app_;
}

const host::PluginRecord& HostFixture::record(const std::string& id) const {
    BOOST_REQUIRE(app_);
    for (const auto& p : app_->plugins()) {
        if (p.id == id) {
            return p;
        }
    }
    BOOST_FAIL("no load record for plugin " + id);
    throw std::logic_error("unreachable");
}

} // namespace erp::test
