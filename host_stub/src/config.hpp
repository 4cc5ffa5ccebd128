// HostConfig: the admin's erp-host.toml, read with toml++ and checked strictly
// (unknown keys are errors: a typo must not silently fall back to a default).
// Errors name the file, the key and the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace erp::host {

class ConfigError : public std::runtime_error {
  public:
    ConfigError(const std::string& file, const std::string& key, const std::string& reason);
    const std::string& file() const { return file_; }
    const std::string& key() const { return key_; }
    const std::string& reason() const { return reason_; }

  private:
    std::string file_, key_, reason_;
};

struct HostConfig {
    std::filesystem::path file;     // the config file as given
    std::filesystem::path base_dir; // relative paths resolve against its directory

    // [host]
    std::string listen_address = "127.0.0.1";
    uint16_t port = 8080;
    std::filesystem::path data_dir; // default <base_dir>/data
    std::string log_level = "info"; // trace, debug, info, warn, error
    std::string admin_token;        // secret: from admin_token_env/_file; never logged
    std::string admin_token_source; // "env ERP_ADMIN_TOKEN", "file ...", or "" (none)
    unsigned http_threads = 2;
    unsigned worker_threads = 4;

    // [database]
    std::string database_url; // as written; see database.hpp for the forms

    // [plugins]
    std::filesystem::path plugins_dir;
    std::vector<std::string> enabled;
    std::map<std::string, std::string> plugin_config_json; // [plugins.<id>] as JSON object text

    // [schedule] job id -> interval seconds (0 disables periodic runs)
    std::map<std::string, int64_t> schedule;

    bool listens_on_loopback() const;
    // The plugin's config as JSON text ("{}" when it has no section).
    std::string plugin_config(const std::string& id) const;
};

// Reads and checks `file`. Secrets named by admin_token_env/admin_token_file
// are resolved here. Throws ConfigError.
HostConfig load_config(const std::filesystem::path& file);

// The same from text, `file` only naming the source in messages and giving the
// base directory.
HostConfig parse_config(const std::string& text, const std::filesystem::path& file);

} // namespace erp::host
