#include "test_support.hpp"

#include "database.hpp"
#include "sha256.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace erp::test {
namespace fs = std::filesystem;

namespace {
std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    std::ostringstream os;
    os << ::getpid() << "_" << std::hex << rd() << "_" << counter++;
    return os.str();
}
} // namespace

TempDir::TempDir() {
    path_ = fs::temp_directory_path() / ("erp_test_" + unique_suffix());
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

TempPgDatabase::TempPgDatabase() {
    const char* env = std::getenv("ERP_TEST_PG_URL");
    if (env == nullptr || *env == '\0') {
        BOOST_FAIL("ERP_TEST_PG_URL is not set: PostgreSQL tests need a server "
                   "(scripts/run-tests.sh starts one and sets it)");
    }
    admin_url_ = env;
    name_ = "erp_t_" + unique_suffix();
    host::register_db_backends();
    soci::session admin("postgresql", admin_url_);
    admin << "CREATE DATABASE " + name_;
    url_ = "postgresql://" + admin_url_ + " dbname=" + name_;
}

TempPgDatabase::~TempPgDatabase() {
    try {
        soci::session admin("postgresql", admin_url_);
        admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
    } catch (...) {
        // Best effort: a leftover database on a throw-away server is harmless.
    }
}

fs::path staged_plugin_dir(const std::string& id) {
    return fs::path(ERP_PLUGIN_STAGE_DIR) / id;
}

fs::path test_plugin_library(const std::string& file_name) {
    return fs::path(ERP_TEST_PLUGIN_DIR) / file_name;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + p.string());
    }
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + p.string());
    }
}

fs::path install_plugin(const fs::path& dir, const std::string& id, const fs::path& library, const std::string& version,
                        const std::string& sha256_override) {
    fs::create_directories(dir);
    const fs::path lib = dir / library.filename();
    fs::copy_file(library, lib, fs::copy_options::overwrite_existing);
    nlohmann::json m = {
        {"id", id},
        {"name", id + " test plugin"},
        {"version", version},
        {"abi_version", "1.0"},
        {"library", lib.filename().string()},
        {"sha256", sha256_override.empty() ? host::sha256_file_hex(lib.string()) : sha256_override},
        {"capabilities", nlohmann::json::array({"jobs", "routes"})},
        {"config_schema", nlohmann::json::object({{"type", "object"}})},
    };
    const fs::path manifest = dir / "manifest.json";
    write_file(manifest, m.dump(2));
    return manifest;
}

} // namespace erp::test
