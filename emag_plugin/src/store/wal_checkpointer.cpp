#include "store/wal_checkpointer.hpp"

#include "store/session.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

namespace erp::emag {

bool WalCheckpointer::applies_to(const std::string& db_url) {
    return db_url.rfind("sqlite3://", 0) == 0 || db_url.rfind("sqlite3:", 0) == 0;
}

WalCheckpointer::WalCheckpointer(const std::string& db_url, std::chrono::milliseconds min_interval)
    : min_interval_(min_interval) {
    if (!applies_to(db_url)) {
        return;
    }
    session_ = open_store_session(db_url);
    thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
    if (!thread_.joinable()) {
        return;
    }
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void WalCheckpointer::notify() {
    if (!enabled()) {
        return;
    }
    {
        const std::lock_guard lock(mutex_);
        due_ = true;
    }
    cv_.notify_all();
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [&] { return due_ || stop_; });
        if (!due_) {
            return; // stopping, nothing written since the last checkpoint
        }
        due_ = false;
        const bool stopping = stop_;
        lock.unlock();
        try {
            // PASSIVE: copies what it can without waiting for readers or
            // blocking the writer; what it cannot copy yet goes next time.
            *session_ << "PRAGMA wal_checkpoint(PASSIVE)";
        } catch (const std::exception& e) {
            spdlog::warn("emag: WAL checkpoint failed: {}", e.what());
        }
        lock.lock();
        if (stopping) {
            return;
        }
        // At most one checkpoint per interval: each copies the whole log
        // written since the last, so fewer, larger ones cost less.
        cv_.wait_for(lock, min_interval_, [&] { return stop_; });
    }
}

} // namespace erp::emag
