// AccountStore: the emag_accounts table (store/schema.cpp, v1). Opens its own
// SOCI session from the connection string the host hands out; the table must
// already exist (the host applies the DB mappings before start()).
//
// SOCI stays out of this header (forward declaration only) so the plugin's
// other files don't compile its headers.
#pragma once

#include "config/plugin_config.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

// One row of emag_accounts. No password: the table never holds one.
struct AccountRecord {
    std::string name;
    std::string platform;
    std::string base_url;
    std::string username;
    std::string currency;
    std::string locale;
    std::string timezone;
    std::string created_at; // "YYYY-MM-DDTHH:MM:SSZ"
    std::string updated_at;
};

// The row for a configured account (timestamps left empty: upsert sets them).
AccountRecord to_record(const AccountConfig& account);

class AccountStore {
  public:
    // `db_url` is a SOCI connection string: "sqlite3://db=/x.db" or
    // "postgresql://host=... dbname=...". Throws soci::soci_error (a
    // std::runtime_error) when the database cannot be opened.
    explicit AccountStore(const std::string& db_url);
    ~AccountStore();
    AccountStore(const AccountStore&) = delete;
    AccountStore& operator=(const AccountStore&) = delete;

    // Inserts or updates every record in one transaction: a new row gets
    // created_at = updated_at = now_iso; an existing one keeps created_at and
    // gets every other column and updated_at = now_iso. Rows of accounts no
    // longer configured are left alone (history may reference them).
    void upsert(const std::vector<AccountRecord>& records, std::string_view now_iso);

    // Every row, ordered by name.
    std::vector<AccountRecord> list();

    // Thread-safe: one session, used under a mutex.
  private:
    std::mutex mutex_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
