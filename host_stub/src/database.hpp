// Database: the host's connection settings. Turns the config's [database] url
// into a SOCI connection string and opens sessions with the right pragmas.
#pragma once

#include <memory>
#include <string>

namespace soci {
class session;
}

namespace erp::host {

enum class DbBackend { sqlite3, postgresql };

struct DbUrl {
    DbBackend backend = DbBackend::sqlite3;
    std::string soci_url;    // "sqlite3://db=..." or "postgresql://..."
    std::string sqlite_path; // for sqlite3
};

// Accepts "sqlite3:PATH", "sqlite3://db=PATH ...", "postgresql://key=value ..."
// and "postgresql://user@host:port/db" (libpq URI); a relative sqlite path is
// resolved against `base_dir`. Throws std::invalid_argument with the reason.
DbUrl parse_db_url(const std::string& url, const std::string& base_dir);

// Registers SOCI's built-in sqlite3 and postgresql backends (idempotent), so no
// dynamic backend lookup is needed.
void register_db_backends();

// Opens a session; for SQLite sets WAL, busy_timeout 5000 ms, foreign keys on.
std::unique_ptr<soci::session> open_session(const std::string& soci_url);

} // namespace erp::host
