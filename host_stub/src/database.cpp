#include "database.hpp"

#include <soci/soci.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

// Declared by SOCI's backend headers; declared here so that libpq's and
// sqlite3's headers stay out of this file.
extern "C" {
void register_factory_sqlite3();
void register_factory_postgresql();
}

namespace erp::host {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string resolve_sqlite_path(const std::string& raw, const std::string& base_dir) {
    if (raw.empty()) {
        throw std::invalid_argument("sqlite3 url names no database file");
    }
    if (raw == ":memory:") {
        return raw;
    }
    std::filesystem::path p(raw);
    if (p.is_relative() && !base_dir.empty()) {
        p = std::filesystem::path(base_dir) / p;
    }
    return p.lexically_normal().string();
}

} // namespace

DbUrl parse_db_url(const std::string& url, const std::string& base_dir) {
    DbUrl out;
    if (starts_with(url, "sqlite3://")) {
        // SOCI form: "sqlite3://db=PATH [timeout=N ...]"
        const std::string rest = url.substr(10);
        if (!starts_with(rest, "db=")) {
            throw std::invalid_argument("sqlite3 url must look like sqlite3://db=PATH or sqlite3:PATH");
        }
        const auto space = rest.find(' ');
        std::string path = rest.substr(3, space == std::string::npos ? std::string::npos : space - 3);
        std::string tail = space == std::string::npos ? "" : rest.substr(space);
        out.backend = DbBackend::sqlite3;
        out.sqlite_path = resolve_sqlite_path(path, base_dir);
        out.soci_url = "sqlite3://db=" + out.sqlite_path + tail;
        return out;
    }
    if (starts_with(url, "sqlite3:")) {
        out.backend = DbBackend::sqlite3;
        out.sqlite_path = resolve_sqlite_path(url.substr(8), base_dir);
        out.soci_url = "sqlite3://db=" + out.sqlite_path;
        return out;
    }
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
        out.backend = DbBackend::postgresql;
        const std::string rest = url.substr(url.find("://") + 3);
        if (rest.empty()) {
            throw std::invalid_argument("postgresql url has no connection parameters");
        }
        if (rest.find('=') != std::string::npos && rest.find('@') == std::string::npos &&
            rest.find('/') == std::string::npos) {
            out.soci_url = "postgresql://" + rest; // libpq key=value form
        } else {
            // libpq URI form: SOCI strips its own "postgresql://" and hands the
            // rest to PQconnectdb, which accepts a full URI.
            out.soci_url = "postgresql://postgresql://" + rest;
        }
        return out;
    }
    throw std::invalid_argument("unsupported database url '" + url.substr(0, url.find(':')) +
                                ":...': expected sqlite3:PATH or postgresql://...");
}

void register_db_backends() {
    static std::once_flag once;
    std::call_once(once, [] {
        register_factory_sqlite3();
        register_factory_postgresql();
    });
}

std::unique_ptr<soci::session> open_session(const std::string& soci_url) {
    register_db_backends();
    auto s = std::make_unique<soci::session>(soci_url);
    if (s->get_backend_name() == "sqlite3") {
        *s << "PRAGMA journal_mode=WAL";
        *s << "PRAGMA busy_timeout=5000";
        *s << "PRAGMA foreign_keys=ON";
    }
    return s;
}

} // namespace erp::host
