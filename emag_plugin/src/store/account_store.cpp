#include "store/account_store.hpp"

#include "store/session.hpp"
#include "store/write_transaction.hpp"

#include <soci/soci.h>

#include <mutex>

namespace erp::emag {

AccountRecord to_record(const AccountConfig& a) {
    AccountRecord r;
    r.name = a.name;
    r.platform = a.platform;
    r.base_url = a.base_url;
    r.username = a.username;
    r.currency = a.currency;
    r.locale = a.locale;
    r.timezone = a.timezone;
    return r;
}

AccountStore::AccountStore(const std::string& db_url) : session_(open_store_session(db_url)) {}

AccountStore::~AccountStore() = default;

void AccountStore::upsert(const std::vector<AccountRecord>& records, std::string_view now_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    const std::string now(now_iso);
    // UPDATE, then INSERT when nothing matched: portable across SQLite and
    // PostgreSQL (no ON CONFLICT dialects), and safe in one transaction.
    WriteTransaction tr(sql);
    for (const AccountRecord& r : records) {
        soci::statement update =
            (sql.prepare << "UPDATE emag_accounts SET platform = :platform, base_url = :base_url, "
                            "username = :username, currency = :currency, locale = :locale, "
                            "timezone = :timezone, updated_at = :updated_at WHERE name = :name",
             soci::use(r.platform), soci::use(r.base_url), soci::use(r.username), soci::use(r.currency),
             soci::use(r.locale), soci::use(r.timezone), soci::use(now), soci::use(r.name));
        update.execute(true);
        if (update.get_affected_rows() == 0) {
            sql << "INSERT INTO emag_accounts (name, platform, base_url, username, currency, locale, timezone, "
                   "created_at, updated_at) VALUES (:name, :platform, :base_url, :username, :currency, :locale, "
                   ":timezone, :created_at, :updated_at)",
                soci::use(r.name), soci::use(r.platform), soci::use(r.base_url), soci::use(r.username),
                soci::use(r.currency), soci::use(r.locale), soci::use(r.timezone), soci::use(now), soci::use(now);
        }
    }
    tr.commit();
}

std::vector<AccountRecord> AccountStore::list() {
    const std::lock_guard lock(mutex_);
    std::vector<AccountRecord> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT name, platform, base_url, username, currency, locale, timezone, created_at, "
                              "updated_at FROM emag_accounts ORDER BY name");
    for (const soci::row& row : rows) {
        // Every column but name may be NULL in the schema: read NULL as "".
        const auto text = [&](std::size_t i) { return row.get<std::string>(i, std::string()); };
        out.push_back(AccountRecord{text(0), text(1), text(2), text(3), text(4), text(5), text(6), text(7), text(8)});
    }
    return out;
}

} // namespace erp::emag
