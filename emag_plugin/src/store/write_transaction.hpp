// A transaction that will write, for every store: on SQLite it takes the
// write lock when it begins (BEGIN IMMEDIATE), on other backends it is an
// ordinary transaction. Rolled back unless committed.
//
// Why: the stores read before they write (which orders exist, which
// changes are due). A deferred SQLite transaction that has read and then
// writes fails at once with "database is locked" when another connection
// wrote in between - SQLite cannot upgrade a read snapshot that is out of
// date, and does not wait for it (busy_timeout does not apply). The order
// sync, the offer pusher and the host write the same file at the same time;
// taking the write lock first makes them queue behind each other
// (busy_timeout) instead of failing.
#pragma once

#include <soci/soci.h>

namespace erp::emag {

class WriteTransaction {
  public:
    explicit WriteTransaction(soci::session& sql) : sql_(sql), sqlite_(sql.get_backend_name() == "sqlite3") {
        if (sqlite_) {
            sql_ << "BEGIN IMMEDIATE";
        } else {
            sql_.begin();
        }
    }
    ~WriteTransaction() {
        if (!done_) {
            try {
                if (sqlite_) {
                    sql_ << "ROLLBACK";
                } else {
                    sql_.rollback();
                }
            } catch (...) {
                // Already rolled back by the error that brought us here.
            }
        }
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    void commit() {
        if (sqlite_) {
            sql_ << "COMMIT";
        } else {
            sql_.commit();
        }
        done_ = true;
    }

  private:
    soci::session& sql_;
    bool sqlite_;
    bool done_ = false;
};

} // namespace erp::emag
