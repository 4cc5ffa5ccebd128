#include "config.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace erp::host {
namespace fs = std::filesystem;
using nlohmann::json;

ConfigError::ConfigError(const std::string& file, const std::string& key, const std::string& reason)
    : std::runtime_error(file + ": " + (key.empty() ? "" : key + ": ") + reason), file_(file), key_(key),
      reason_(reason) {}

namespace {

class Reader {
  public:
    Reader(const toml::table& root, std::string file) : root_(root), file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
        throw ConfigError(file_, key, reason);
    }

    const toml::table* table(const std::string& key) const {
        const toml::node* n = root_.get(key);
        if (n == nullptr) {
            return nullptr;
        }
        if (!n->is_table()) {
            fail(key, "must be a table");
        }
        return n->as_table();
    }

    void only_keys(const toml::table& t, const std::string& prefix, const std::set<std::string>& allowed) const {
        for (const auto& [k, v] : t) {
            const std::string key(k.str());
            if (allowed.count(key) == 0) {
                std::string list;
                for (const auto& a : allowed) {
                    list += (list.empty() ? "" : ", ") + a;
                }
                fail(prefix + key, "unknown key (expected one of: " + list + ")");
            }
        }
    }

    std::string str(const toml::table& t, const std::string& prefix, const std::string& key,
                    const std::string& def) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) {
            return def;
        }
        if (!n->is_string()) {
            fail(prefix + key, "must be a string");
        }
        return std::string(n->as_string()->get());
    }

    int64_t integer(const toml::table& t, const std::string& prefix, const std::string& key, int64_t def, int64_t min,
                    int64_t max) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) {
            return def;
        }
        if (!n->is_integer()) {
            fail(prefix + key, "must be an integer");
        }
        const int64_t v = n->as_integer()->get();
        if (v < min || v > max) {
            fail(prefix + key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                                   std::to_string(v));
        }
        return v;
    }

    const std::string& file() const { return file_; }

  private:
    const toml::table& root_;
    std::string file_;
};

json to_json(const toml::node& n) {
    if (const auto* t = n.as_table()) {
        json o = json::object();
        for (const auto& [k, v] : *t) {
            o[std::string(k.str())] = to_json(v);
        }
        return o;
    }
    if (const auto* a = n.as_array()) {
        json arr = json::array();
        for (const auto& v : *a) {
            arr.push_back(to_json(v));
        }
        return arr;
    }
    if (const auto* s = n.as_string()) {
        return s->get();
    }
    if (const auto* i = n.as_integer()) {
        return i->get();
    }
    if (const auto* f = n.as_floating_point()) {
        return f->get();
    }
    if (const auto* b = n.as_boolean()) {
        return b->get();
    }
    // Dates and times: their TOML text form.
    std::ostringstream os;
    if (const auto* d = n.as_date()) {
        os << d->get();
    } else if (const auto* tm = n.as_time()) {
        os << tm->get();
    } else if (const auto* dt = n.as_date_time()) {
        os << dt->get();
    }
    return os.str();
}

fs::path resolve(const fs::path& base, const std::string& p) {
    fs::path path(p);
    return (path.is_relative() ? base / path : path).lexically_normal();
}

std::string trim_trailing_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
        s.pop_back();
    }
    return s;
}

void parse_listen(Reader& r, const std::string& listen, HostConfig& cfg) {
    // "ADDRESS:PORT", "[v6]:PORT" or ":PORT" (loopback).
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        r.fail("host.listen", "must be ADDRESS:PORT, e.g. \"127.0.0.1:8080\", got \"" + listen + "\"");
    }
    std::string addr = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
        addr = addr.substr(1, addr.size() - 2);
    }
    if (addr.empty()) {
        addr = "127.0.0.1";
    }
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoul(port) > 65535) {
        r.fail("host.listen", "port must be a number 0-65535, got \"" + port + "\"");
    }
    cfg.listen_address = addr;
    cfg.port = static_cast<uint16_t>(std::stoul(port));
}

} // namespace

bool HostConfig::listens_on_loopback() const {
    return listen_address == "127.0.0.1" || listen_address == "localhost" || listen_address == "::1" ||
           listen_address.rfind("127.", 0) == 0;
}

std::string HostConfig::plugin_config(const std::string& id) const {
    const auto it = plugin_config_json.find(id);
    return it == plugin_config_json.end() ? "{}" : it->second;
}

HostConfig parse_config(const std::string& text, const fs::path& file) {
    const std::string fname = file.string();
    toml::table root;
    try {
        root = toml::parse(text, fname);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw ConfigError(fname, "",
                          "TOML syntax error at line " + std::to_string(where.line) + ", column " +
                              std::to_string(where.column) + ": " + std::string(e.description()));
    }
    Reader r(root, fname);
    r.only_keys(root, "", {"host", "database", "plugins", "schedule"});

    HostConfig cfg;
    cfg.file = file;
    cfg.base_dir = fs::absolute(file).parent_path();
    cfg.data_dir = cfg.base_dir / "data";
    cfg.plugins_dir = cfg.base_dir / "plugins";

    if (const auto* h = r.table("host")) {
        r.only_keys(*h, "host.",
                    {"listen", "data_dir", "log_level", "admin_token_env", "admin_token_file", "http_threads",
                     "worker_threads"});
        parse_listen(r, r.str(*h, "host.", "listen", "127.0.0.1:8080"), cfg);
        if (h->contains("data_dir")) {
            cfg.data_dir = resolve(cfg.base_dir, r.str(*h, "host.", "data_dir", ""));
        }
        cfg.log_level = r.str(*h, "host.", "log_level", "info");
        static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
        if (levels.count(cfg.log_level) == 0) {
            r.fail("host.log_level", "must be one of trace, debug, info, warn, error, got \"" + cfg.log_level + "\"");
        }
        cfg.http_threads = static_cast<unsigned>(r.integer(*h, "host.", "http_threads", 2, 1, 64));
        cfg.worker_threads = static_cast<unsigned>(r.integer(*h, "host.", "worker_threads", 4, 1, 256));
        const std::string env = r.str(*h, "host.", "admin_token_env", "");
        const std::string tfile = r.str(*h, "host.", "admin_token_file", "");
        if (!env.empty() && !tfile.empty()) {
            r.fail("host.admin_token_env", "set admin_token_env or admin_token_file, not both");
        }
        if (!env.empty()) {
            const char* v = std::getenv(env.c_str());
            if (v == nullptr || *v == '\0') {
                r.fail("host.admin_token_env", "environment variable " + env + " is not set or empty");
            }
            cfg.admin_token = v;
            cfg.admin_token_source = "env " + env;
        } else if (!tfile.empty()) {
            const fs::path p = resolve(cfg.base_dir, tfile);
            std::ifstream in(p, std::ios::binary);
            if (!in) {
                r.fail("host.admin_token_file", "cannot read " + p.string());
            }
            std::ostringstream os;
            os << in.rdbuf();
            cfg.admin_token = trim_trailing_newlines(os.str());
            if (cfg.admin_token.empty()) {
                r.fail("host.admin_token_file", p.string() + " is empty");
            }
            cfg.admin_token_source = "file " + p.string();
        }
        if (cfg.admin_token.size() > 0 && cfg.admin_token.size() < 16) {
            r.fail(env.empty() ? "host.admin_token_file" : "host.admin_token_env",
                   "the admin token must be at least 16 characters");
        }
    }
    if (!cfg.listens_on_loopback() && cfg.admin_token.empty()) {
        r.fail("host.listen", "listening on " + cfg.listen_address +
                                  " (not loopback) requires an admin token (admin_token_env or admin_token_file)");
    }

    const auto* db = r.table("database");
    if (db == nullptr) {
        cfg.database_url = "sqlite3:" + (cfg.data_dir / "erp.db").string();
    } else {
        r.only_keys(*db, "database.", {"url"});
        cfg.database_url = r.str(*db, "database.", "url", "");
        if (cfg.database_url.empty()) {
            r.fail("database.url",
                   "must not be empty (e.g. \"sqlite3:data/erp.db\" or \"postgresql://host=... dbname=...\")");
        }
        if (cfg.database_url.rfind("sqlite3:", 0) != 0 && cfg.database_url.rfind("postgresql://", 0) != 0 &&
            cfg.database_url.rfind("postgres://", 0) != 0) {
            r.fail("database.url", "unsupported scheme; expected sqlite3:PATH or postgresql://...");
        }
    }

    if (const auto* p = r.table("plugins")) {
        static const std::regex id_re("^[a-z][a-z0-9_]*$");
        for (const auto& [k, v] : *p) {
            const std::string key(k.str());
            if (key == "dir") {
                cfg.plugins_dir = resolve(cfg.base_dir, r.str(*p, "plugins.", "dir", ""));
            } else if (key == "enabled") {
                const auto* arr = v.as_array();
                if (arr == nullptr) {
                    r.fail("plugins.enabled", "must be an array of plugin ids");
                }
                std::set<std::string> seen;
                for (size_t i = 0; i < arr->size(); ++i) {
                    const auto* s = (*arr)[i].as_string();
                    const std::string where = "plugins.enabled[" + std::to_string(i) + "]";
                    if (s == nullptr) {
                        r.fail(where, "must be a string");
                    }
                    const std::string id = s->get();
                    if (!std::regex_match(id, id_re)) {
                        r.fail(where, "\"" + id + "\" is not a plugin id ([a-z][a-z0-9_]*)");
                    }
                    if (!seen.insert(id).second) {
                        r.fail(where, "\"" + id + "\" is listed twice");
                    }
                    cfg.enabled.push_back(id);
                }
            } else if (v.is_table()) {
                if (!std::regex_match(key, id_re)) {
                    r.fail("plugins." + key, "is not a plugin id ([a-z][a-z0-9_]*)");
                }
                cfg.plugin_config_json[key] = to_json(v).dump();
            } else {
                r.fail("plugins." + key, "unknown key (expected dir, enabled, or a [plugins.<id>] table)");
            }
        }
    }

    if (const auto* s = r.table("schedule")) {
        for (const auto& [k, v] : *s) {
            const std::string key(k.str());
            cfg.schedule[key] = r.integer(*s, "schedule.", key, 0, 0, 7 * 24 * 3600);
            (void)v;
        }
    }
    return cfg;
}

HostConfig load_config(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ConfigError(file.string(), "", "cannot open the config file");
    }
    std::ostringstream os;
    os << in.rdbuf();
    return parse_config(os.str(), file);
}

} // namespace erp::host
