// Shared helpers for the test suites: temporary directories, a throw-away
// PostgreSQL database per test, and paths of the plugins the build staged.
#pragma once

#include <filesystem>
#include <string>

namespace erp::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// A database created for one test on the server named by ERP_TEST_PG_URL and
// dropped afterwards. Fails the test (BOOST_FAIL) when the variable is unset.
class TempPgDatabase {
  public:
    TempPgDatabase();
    ~TempPgDatabase();
    TempPgDatabase(const TempPgDatabase&) = delete;
    TempPgDatabase& operator=(const TempPgDatabase&) = delete;
    // "postgresql://... dbname=<name>", suitable for [database] url.
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

  private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

// Directory of a plugin staged by the build (manifest.json + library), e.g.
// staged_plugin_dir("emag"), staged_plugin_dir("hello_c").
std::filesystem::path staged_plugin_dir(const std::string& id);
// A test plugin library built under tests/plugins (e.g. "libbad_abi_major.so").
std::filesystem::path test_plugin_library(const std::string& file_name);

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& text);

// Copies a plugin library into `dir` and writes a manifest for it there, with
// the real sha256 unless `sha256_override` is given. Returns the manifest path.
std::filesystem::path install_plugin(const std::filesystem::path& dir, const std::string& id,
                                     const std::filesystem::path& library, const std::string& version = "1.0.0",
                                     const std::string& sha256_override = "");

} // namespace erp::test
