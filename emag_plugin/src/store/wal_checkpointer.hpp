// Checkpoints an SQLite database's write-ahead log on a thread of its own,
// so the thread that writes orders never stops to do it.
//
// Why: with SQLite's default, the commit that takes the log past 1000 pages
// copies the log into the database and syncs both files before it returns:
// during a sync that was a fifth of the time spent storing a page. SQLite's
// documentation names this remedy: turn the automatic checkpoint off on the
// writing connection (open_store_session(url, false)) and run PASSIVE
// checkpoints from another connection, which never blocks the writer.
//
// notify() after each commit; the checkpointer runs at most one checkpoint
// per `min_interval` and only when notified since the last one. Only for
// sqlite3 URLs (PostgreSQL checkpoints on its own): enabled() says which.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace soci {
class session;
}

namespace erp::emag {

class WalCheckpointer {
  public:
    explicit WalCheckpointer(const std::string& db_url,
                             std::chrono::milliseconds min_interval = std::chrono::milliseconds(200));
    ~WalCheckpointer(); // runs a last checkpoint if one is due, then stops
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    static bool applies_to(const std::string& db_url); // an sqlite3 URL
    bool enabled() const { return session_ != nullptr; }
    void notify();

  private:
    void run();

    std::unique_ptr<soci::session> session_;
    std::chrono::milliseconds min_interval_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool due_ = false, stop_ = false;
    std::thread thread_;
};

} // namespace erp::emag
