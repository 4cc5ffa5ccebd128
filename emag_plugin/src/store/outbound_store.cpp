#include "store/outbound_store.hpp"

#include "store/row_values.hpp"
#include "store/session.hpp"
#include "store/write_transaction.hpp"

namespace erp::emag {
namespace {

using namespace store_detail;

constexpr const char* kColumns = "id, account, offer_id, kind, value, state, source, attempts, next_attempt_at, "
                                 "superseded_by, messages, enqueued_at, sent_at, finished_at";

OutboundRow read_row(const soci::row& row) {
    OutboundRow o;
    o.id = int_at(row, 0).value_or(0);
    o.account = text_at(row, 1);
    o.offer_id = int_at(row, 2).value_or(0);
    o.kind = text_at(row, 3);
    o.value_json = text_at(row, 4);
    o.state = text_at(row, 5);
    o.source = text_at(row, 6);
    o.attempts = static_cast<int>(int_at(row, 7).value_or(0));
    o.next_attempt_at = text_at(row, 8);
    o.superseded_by = int_at(row, 9);
    o.messages_json = text_at(row, 10);
    o.enqueued_at = text_at(row, 11);
    o.sent_at = text_at(row, 12);
    o.finished_at = text_at(row, 13);
    return o;
}

// "1,2,3": ids are integers we hold, safe as literals in an IN list.
std::string id_list(const std::vector<std::int64_t>& ids) {
    std::string s;
    for (std::int64_t id : ids) {
        if (!s.empty()) {
            s += ',';
        }
        s += std::to_string(id);
    }
    return s;
}

long long next_id(soci::session& sql) {
    long long max_id = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(id) FROM emag_outbound", soci::into(max_id, ind);
    return ind == soci::i_null ? 1 : max_id + 1;
}

} // namespace

OutboundStore::OutboundStore(const std::string& db_url) : session_(open_store_session(db_url)) {}

OutboundStore::~OutboundStore() = default;

std::vector<std::int64_t> OutboundStore::add(const std::vector<NewChange>& changes, std::string_view now_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    const std::string now(now_iso);
    std::vector<std::int64_t> ids;
    if (changes.empty()) {
        return ids;
    }
    WriteTransaction tr(sql);
    long long id = next_id(sql);
    long long offer = 0;
    std::string account, kind, value, source, messages, state, due;
    soci::indicator due_ind = soci::i_ok, finished_ind = soci::i_null;
    soci::statement insert =
        (sql.prepare << "INSERT INTO emag_outbound (id, account, offer_id, kind, value, state, source, attempts, "
                        "next_attempt_at, messages, enqueued_at, finished_at) VALUES (:id, :account, :offer, :kind, "
                        ":value, :state, :source, 0, :due, :messages, :now, :finished)",
         soci::use(id), soci::use(account), soci::use(offer), soci::use(kind), soci::use(value), soci::use(state),
         soci::use(source), soci::use(due, due_ind), soci::use(messages), soci::use(now), soci::use(now, finished_ind));
    soci::statement supersede =
        (sql.prepare << "UPDATE emag_outbound SET state = 'superseded', superseded_by = :id, finished_at = :now "
                        "WHERE account = :account AND offer_id = :offer AND kind = :kind AND state = 'queued' AND "
                        "id < :id2",
         soci::use(id), soci::use(now), soci::use(account), soci::use(offer), soci::use(kind), soci::use(id));
    for (const NewChange& c : changes) {
        account = c.account;
        offer = c.offer_id;
        kind = c.kind;
        value = c.value_json;
        source = c.source;
        const bool valid = c.problems_json.empty();
        state = valid ? "queued" : "rejected";
        messages = valid ? "[]" : c.problems_json;
        due = now;
        due_ind = valid ? soci::i_ok : soci::i_null;      // a rejected change is never due
        finished_ind = valid ? soci::i_null : soci::i_ok; // and is finished at once
        insert.execute(true);
        if (valid) {
            supersede.execute(true);
        }
        ids.push_back(id);
        ++id;
    }
    tr.commit();
    return ids;
}

std::int64_t OutboundStore::enqueue(const std::string& account, std::int64_t offer_id, const std::string& kind,
                                    const std::string& value_json, const std::string& source,
                                    std::string_view now_iso) {
    return add({{account, offer_id, kind, value_json, source, ""}}, now_iso).at(0);
}

std::int64_t OutboundStore::record_rejected(const std::string& account, std::int64_t offer_id, const std::string& kind,
                                            const std::string& value_json, const std::string& source,
                                            const std::string& problems_json, std::string_view now_iso) {
    return add({{account, offer_id, kind, value_json, source, problems_json.empty() ? "[]" : problems_json}}, now_iso)
        .at(0);
}

std::vector<OutboundRow> OutboundStore::claim(const std::string& account, std::string_view now_iso,
                                              std::size_t max_offers, const std::set<std::int64_t>& busy) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    const std::string now(now_iso);
    // An offer has at most one queued change per kind (enqueue, retry_later
    // and recover keep it so), so this many rows always reach max_offers
    // offers that are not busy, if there are that many.
    long long limit = static_cast<long long>(3 * (max_offers + busy.size()) + 3);
    std::vector<OutboundRow> out;
    WriteTransaction tr(sql);
    {
        std::set<std::int64_t> offers;
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT " << kColumns
                         << " FROM emag_outbound WHERE account = :account AND state = 'queued' AND next_attempt_at "
                            "<= :now ORDER BY id LIMIT :lim",
             soci::use(account), soci::use(now), soci::use(limit));
        for (const soci::row& row : rows) {
            OutboundRow r = read_row(row);
            if (busy.count(r.offer_id) != 0) {
                continue;
            }
            if (offers.count(r.offer_id) == 0) {
                if (offers.size() == max_offers) {
                    continue;
                }
                offers.insert(r.offer_id);
            }
            out.push_back(std::move(r));
        }
    }
    if (!out.empty()) {
        std::vector<std::int64_t> ids;
        for (OutboundRow& r : out) {
            ids.push_back(r.id);
            r.state = "sending";
            ++r.attempts;
            r.sent_at = now;
        }
        sql << "UPDATE emag_outbound SET state = 'sending', attempts = attempts + 1, sent_at = :now WHERE id IN (" +
                   id_list(ids) + ")",
            soci::use(now);
    }
    tr.commit();
    return out;
}

void OutboundStore::confirm(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                            std::string_view now_iso) {
    if (ids.empty()) {
        return;
    }
    const std::lock_guard lock(mutex_);
    const std::string now(now_iso);
    *session_
        << "UPDATE emag_outbound SET state = 'confirmed', messages = :messages, finished_at = :now WHERE id IN (" +
               id_list(ids) + ")",
        soci::use(messages_json), soci::use(now);
}

void OutboundStore::fail(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                         std::string_view now_iso) {
    if (ids.empty()) {
        return;
    }
    const std::lock_guard lock(mutex_);
    const std::string now(now_iso);
    *session_ << "UPDATE emag_outbound SET state = 'failed', messages = :messages, finished_at = :now WHERE id IN (" +
                     id_list(ids) + ")",
        soci::use(messages_json), soci::use(now);
}

void OutboundStore::retry_later(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                                std::string_view next_attempt_at) {
    if (ids.empty()) {
        return;
    }
    const std::lock_guard lock(mutex_);
    to_queued_or_superseded(ids, messages_json, next_attempt_at);
}

void OutboundStore::to_queued_or_superseded(const std::vector<std::int64_t>& ids, const std::string& messages_json,
                                            std::string_view next_attempt_at) {
    soci::session& sql = *session_;
    const std::string due(next_attempt_at);
    WriteTransaction tr(sql);
    for (std::int64_t id64 : ids) {
        long long id = id64;
        // A newer change of the same offer and kind (in any state but
        // rejected) makes this one obsolete: sending it now could set an
        // older value after the newer.
        long long newer = 0;
        soci::indicator ind = soci::i_null;
        sql << "SELECT MIN(b.id) FROM emag_outbound a JOIN emag_outbound b ON b.account = a.account AND b.offer_id "
               "= a.offer_id AND b.kind = a.kind AND b.id > a.id AND b.state <> 'rejected' WHERE a.id = :id",
            soci::use(id), soci::into(newer, ind);
        if (ind != soci::i_null) {
            sql << "UPDATE emag_outbound SET state = 'superseded', superseded_by = :newer, messages = :messages, "
                   "finished_at = :due WHERE id = :id",
                soci::use(newer), soci::use(messages_json), soci::use(due), soci::use(id);
        } else {
            sql << "UPDATE emag_outbound SET state = 'queued', messages = :messages, next_attempt_at = :due WHERE id "
                   "= :id",
                soci::use(messages_json), soci::use(due), soci::use(id);
        }
    }
    tr.commit();
}

int OutboundStore::recover(const std::string& account, std::string_view now_iso) {
    const std::lock_guard lock(mutex_);
    std::vector<std::int64_t> ids;
    {
        soci::rowset<soci::row> rows =
            (session_->prepare << "SELECT id FROM emag_outbound WHERE account = :account AND state = 'sending' ORDER "
                                  "BY id",
             soci::use(account));
        for (const soci::row& row : rows) {
            ids.push_back(int_at(row, 0).value_or(0));
        }
    }
    if (!ids.empty()) {
        to_queued_or_superseded(ids, R"(["interrupted while sending: the host stopped; sent again"])", now_iso);
    }
    return static_cast<int>(ids.size());
}

std::optional<OutboundRow> OutboundStore::find(std::int64_t id) {
    const std::lock_guard lock(mutex_);
    long long v = id;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT " << kColumns << " FROM emag_outbound WHERE id = :id", soci::use(v));
    for (const soci::row& row : rows) {
        return read_row(row);
    }
    return std::nullopt;
}

std::vector<OutboundRow> OutboundStore::list(const OutboundFilter& f) {
    const std::lock_guard lock(mutex_);
    std::string sql = std::string("SELECT ") + kColumns + " FROM emag_outbound WHERE 1 = 1";
    if (!f.account.empty()) {
        sql += " AND account = :account";
    }
    if (!f.state.empty()) {
        sql += " AND state = :state";
    }
    if (f.offer_id != 0) {
        sql += " AND offer_id = :offer";
    }
    const long long lim = f.limit > 0 ? f.limit : 1, off = f.offset > 0 ? f.offset : 0;
    sql += " ORDER BY id DESC LIMIT " + std::to_string(lim) + " OFFSET " + std::to_string(off);
    long long offer = f.offer_id;
    soci::details::prepare_temp_type pt = (session_->prepare << sql);
    if (!f.account.empty()) {
        pt, soci::use(f.account);
    }
    if (!f.state.empty()) {
        pt, soci::use(f.state);
    }
    if (f.offer_id != 0) {
        pt, soci::use(offer);
    }
    std::vector<OutboundRow> out;
    soci::rowset<soci::row> rows(pt);
    for (const soci::row& row : rows) {
        out.push_back(read_row(row));
    }
    return out;
}

std::map<std::string, std::int64_t> OutboundStore::count_by_state(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::map<std::string, std::int64_t> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT state, COUNT(*) FROM emag_outbound WHERE account = :account GROUP BY state",
         soci::use(account));
    for (const soci::row& row : rows) {
        out[text_at(row, 0)] = int_at(row, 1).value_or(0);
    }
    return out;
}

std::string OutboundStore::next_due(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::string due;
    soci::indicator ind = soci::i_null;
    *session_ << "SELECT MIN(next_attempt_at) FROM emag_outbound WHERE account = :account AND state = 'queued'",
        soci::use(account), soci::into(due, ind);
    return ind == soci::i_null ? std::string() : due;
}

} // namespace erp::emag
