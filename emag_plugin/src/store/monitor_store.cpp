#include "store/monitor_store.hpp"

#include "store/row_values.hpp"
#include "store/session.hpp"
#include "store/write_transaction.hpp"

namespace erp::emag {
namespace {

using namespace store_detail;

constexpr const char* kAlertColumns = "id, account, rule, subject, severity, state, message, value, threshold, "
                                      "raised_at, cleared_at, last_value, updated_at";

AlertRow read_alert(const soci::row& row) {
    AlertRow a;
    a.id = int_at(row, 0).value_or(0);
    a.account = text_at(row, 1);
    a.rule = text_at(row, 2);
    a.subject = text_at(row, 3);
    a.severity = text_at(row, 4);
    a.state = text_at(row, 5);
    a.message = text_at(row, 6);
    a.value = text_at(row, 7);
    a.threshold = text_at(row, 8);
    a.raised_at = text_at(row, 9);
    a.cleared_at = text_at(row, 10);
    a.last_value = text_at(row, 11);
    a.updated_at = text_at(row, 12);
    return a;
}

// Messages are ours, but a stream or subject name could be long: the
// columns are bounded on PostgreSQL.
std::string bounded(std::string s, std::size_t n) {
    if (s.size() > n) {
        s.resize(n);
    }
    return s;
}

} // namespace

MonitorStore::MonitorStore(const std::string& db_url) : session_(open_store_session(db_url)) {}

MonitorStore::~MonitorStore() = default;

std::vector<SyncStateInfo> MonitorStore::sync_states() {
    const std::lock_guard lock(mutex_);
    std::vector<SyncStateInfo> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT account, order_type, stream, cursor_utc, last_run_at, last_outcome, last_error, "
                              "processed FROM emag_sync_state ORDER BY account, stream, order_type DESC");
    for (const soci::row& row : rows) {
        SyncStateInfo s;
        s.account = text_at(row, 0);
        s.order_type = static_cast<int>(int_at(row, 1).value_or(0));
        s.stream = text_at(row, 2);
        s.cursor_utc = text_at(row, 3);
        s.last_run_at = text_at(row, 4);
        s.last_outcome = text_at(row, 5);
        s.last_error = text_at(row, 6);
        s.processed = int_at(row, 7).value_or(0);
        out.push_back(std::move(s));
    }
    return out;
}

std::map<std::string, std::int64_t> MonitorStore::count_by_account(const char* sql) {
    const std::lock_guard lock(mutex_);
    std::map<std::string, std::int64_t> out;
    soci::rowset<soci::row> rows = session_->prepare << sql;
    for (const soci::row& row : rows) {
        out[text_at(row, 0)] = int_at(row, 1).value_or(0);
    }
    return out;
}

std::map<std::string, std::int64_t> MonitorStore::quarantined_orders() {
    return count_by_account("SELECT account, COUNT(*) FROM emag_order_quarantine GROUP BY account");
}

std::map<std::string, std::int64_t> MonitorStore::quarantined_offers() {
    return count_by_account("SELECT account, COUNT(*) FROM emag_offer_quarantine GROUP BY account");
}

std::map<std::string, std::map<std::string, std::int64_t>> MonitorStore::outbound_by_state() {
    const std::lock_guard lock(mutex_);
    std::map<std::string, std::map<std::string, std::int64_t>> out;
    soci::rowset<soci::row> rows = session_->prepare
                                   << "SELECT account, state, COUNT(*) FROM emag_outbound GROUP BY account, state";
    for (const soci::row& row : rows) {
        out[text_at(row, 0)][text_at(row, 1)] = int_at(row, 2).value_or(0);
    }
    return out;
}

std::int64_t MonitorStore::raise_alert(const AlertRow& a) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    WriteTransaction tr(sql);
    long long max_id = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(id) FROM emag_alerts", soci::into(max_id, ind);
    long long id = ind == soci::i_null ? 1 : max_id + 1;
    const std::string account = bounded(a.account, 64), rule = bounded(a.rule, 64), subject = bounded(a.subject, 64),
                      severity = bounded(a.severity, 16), message = bounded(a.message, 1000),
                      value = bounded(a.value, 64), threshold = bounded(a.threshold, 64);
    sql << "INSERT INTO emag_alerts (id, account, rule, subject, severity, state, message, value, threshold, "
           "raised_at, last_value, updated_at) VALUES (:id, :account, :rule, :subject, :severity, 'active', "
           ":message, :value, :threshold, :raised, :last, :updated)",
        soci::use(id), soci::use(account), soci::use(rule), soci::use(subject), soci::use(severity), soci::use(message),
        soci::use(value), soci::use(threshold), soci::use(a.raised_at), soci::use(value), soci::use(a.raised_at);
    tr.commit();
    return id;
}

void MonitorStore::clear_alert(std::int64_t id, const std::string& last_value, const std::string& now_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    WriteTransaction tr(sql);
    const long long alert = id;
    const std::string value = bounded(last_value, 64);
    sql << "UPDATE emag_alerts SET state = 'cleared', cleared_at = :now, last_value = :value, updated_at = :now2 "
           "WHERE id = :id AND state = 'active'",
        soci::use(now_iso), soci::use(value), soci::use(now_iso), soci::use(alert);
    tr.commit();
}

void MonitorStore::touch_alert(std::int64_t id, const std::string& last_value, const std::string& now_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    WriteTransaction tr(sql);
    const long long alert = id;
    const std::string value = bounded(last_value, 64);
    sql << "UPDATE emag_alerts SET last_value = :value, updated_at = :now WHERE id = :id", soci::use(value),
        soci::use(now_iso), soci::use(alert);
    tr.commit();
}

std::vector<AlertRow> MonitorStore::alerts(const AlertFilter& f) {
    const std::lock_guard lock(mutex_);
    std::string where = " WHERE 1 = 1";
    const std::string account = f.account.value_or(""), state = f.state.value_or(""), rule = f.rule.value_or("");
    const long long before = f.before_id, limit = f.limit;
    where += f.account ? " AND account = :account" : " AND :account = ''";
    where += f.state ? " AND state = :state" : " AND :state = ''";
    where += f.rule ? " AND rule = :rule" : " AND :rule = ''";
    where += f.before_id > 0 ? " AND id < :before" : " AND :before = 0";
    std::vector<AlertRow> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << std::string("SELECT ") + kAlertColumns + " FROM emag_alerts" + where +
                                  " ORDER BY id DESC LIMIT :limit",
         soci::use(account), soci::use(state), soci::use(rule), soci::use(before), soci::use(limit));
    for (const soci::row& row : rows) {
        out.push_back(read_alert(row));
    }
    return out;
}

void MonitorStore::save_snapshots(const std::vector<MetricSnapshot>& snapshots) {
    if (snapshots.empty()) {
        return;
    }
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    WriteTransaction tr(sql);
    for (const MetricSnapshot& s : snapshots) {
        // A second snapshot in the same second replaces the first.
        sql << "DELETE FROM emag_metrics WHERE account = :account AND taken_at = :taken", soci::use(s.account),
            soci::use(s.taken_at);
        sql << "INSERT INTO emag_metrics (account, taken_at, health, figures) VALUES (:account, :taken, :health, "
               ":figures)",
            soci::use(s.account), soci::use(s.taken_at), soci::use(s.health), soci::use(s.figures_json);
    }
    tr.commit();
}

std::int64_t MonitorStore::prune_snapshots(const std::string& before_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    WriteTransaction tr(sql);
    soci::statement st = (sql.prepare << "DELETE FROM emag_metrics WHERE taken_at < :before", soci::use(before_iso));
    st.execute(true);
    const auto n = static_cast<std::int64_t>(st.get_affected_rows());
    tr.commit();
    return n;
}

std::vector<MetricSnapshot> MonitorStore::snapshots(const std::string& account, const std::string& since_iso,
                                                    std::int64_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<MetricSnapshot> out;
    const long long n = limit;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT account, taken_at, health, figures FROM emag_metrics WHERE account = :account "
                              "AND taken_at >= :since ORDER BY taken_at DESC LIMIT :limit",
         soci::use(account), soci::use(since_iso), soci::use(n));
    for (const soci::row& row : rows) {
        out.push_back(
            {text_at(row, 0), text_at(row, 1), static_cast<int>(int_at(row, 2).value_or(0)), text_at(row, 3)});
    }
    return out;
}

} // namespace erp::emag
