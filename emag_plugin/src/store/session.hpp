// Opening the plugin's own SOCI session from the connection string the host
// hands out (DESIGN.md §4), the same way for every store.
#pragma once

#include <memory>
#include <string>

namespace soci {
class session;
}

namespace erp::emag {

// Registers SOCI's linked-in backends once, opens `db_url`
// ("sqlite3://db=/x.db", "postgresql://host=... dbname=..."), and on SQLite
// waits up to 5 s for other writers' locks instead of failing at once.
// auto_checkpoint false (SQLite): this connection's commits never checkpoint
// the write-ahead log; a WalCheckpointer must then do it. Throws
// soci::soci_error (a std::runtime_error).
std::unique_ptr<soci::session> open_store_session(const std::string& db_url, bool auto_checkpoint = true);

} // namespace erp::emag
