#include "store/session.hpp"

#include <soci/soci.h>

#include <mutex>

// SOCI's built-in backends, linked in rather than looked up by file name at
// run time (the host does the same in host_stub/src/database.cpp). Declared
// here so libpq's and sqlite3's headers stay out.
extern "C" {
void register_factory_sqlite3();
void register_factory_postgresql();
}

namespace erp::emag {

std::unique_ptr<soci::session> open_store_session(const std::string& db_url, bool auto_checkpoint) {
    static std::once_flag once;
    std::call_once(once, [] {
        register_factory_sqlite3();
        register_factory_postgresql();
    });
    auto session = std::make_unique<soci::session>(db_url);
    if (session->get_backend_name() == "sqlite3") {
        // The host and other plugins write the same file: wait for their
        // locks instead of failing with SQLITE_BUSY at once.
        *session << "PRAGMA busy_timeout=5000";
        if (!auto_checkpoint) {
            *session << "PRAGMA wal_autocheckpoint=0"; // see WalCheckpointer
        }
    }
    return session;
}

} // namespace erp::emag
