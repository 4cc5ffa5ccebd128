#include "store/order_store.hpp"

#include "store/row_values.hpp"
#include "store/session.hpp"
#include "store/wal_checkpointer.hpp"
#include "store/write_transaction.hpp"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <unordered_map>

namespace erp::emag {
namespace {

using namespace store_detail;

constexpr const char* kOrderListColumns =
    "o.account, o.emag_id, o.type, o.status, o.is_complete, o.payment_mode_id, o.detailed_payment_method, "
    "o.payment_status, o.delivery_mode, o.currency, o.shipping_tax_x4, o.cashed_co_x4, o.cashed_cod_x4, "
    "o.lines_total_x4, o.is_storno, o.reason_cancellation, o.customer_id, o.customer_name, o.customer_email_hash, "
    "o.shipping_city, o.locker_id, o.locker_name, o.date_local, o.date_utc, o.modified_local, o.modified_utc";

// An emag_orders row in kOrderColumns / kOrderListColumns order (payload,
// when selected, follows at index 26).
OrderRow list_row(const soci::row& row) {
    OrderRow o;
    o.account = text_at(row, 0);
    o.emag_id = int_at(row, 1).value_or(0);
    o.type = small(int_at(row, 2));
    o.status = small(int_at(row, 3));
    o.is_complete = small(int_at(row, 4));
    o.payment_mode_id = small(int_at(row, 5));
    o.detailed_payment_method = text_at(row, 6);
    o.payment_status = small(int_at(row, 7));
    o.delivery_mode = text_at(row, 8);
    o.currency = text_at(row, 9);
    o.shipping_tax_x4 = int_at(row, 10);
    o.cashed_co_x4 = int_at(row, 11);
    o.cashed_cod_x4 = int_at(row, 12);
    o.lines_total_x4 = int_at(row, 13);
    o.is_storno = small(int_at(row, 14));
    o.reason_cancellation = small(int_at(row, 15));
    o.customer_id = int_at(row, 16);
    o.customer_name = text_at(row, 17);
    o.customer_email_hash = text_at(row, 18);
    o.shipping_city = text_at(row, 19);
    o.locker_id = text_at(row, 20);
    o.locker_name = text_at(row, 21);
    o.date_local = text_at(row, 22);
    o.date_utc = text_at(row, 23);
    o.modified_local = text_at(row, 24);
    o.modified_utc = text_at(row, 25);
    return o;
}

constexpr const char* kOrderColumns =
    "account, emag_id, type, status, is_complete, payment_mode_id, detailed_payment_method, payment_status, "
    "delivery_mode, currency, shipping_tax_x4, cashed_co_x4, cashed_cod_x4, lines_total_x4, is_storno, "
    "reason_cancellation, customer_id, customer_name, customer_email_hash, shipping_city, locker_id, locker_name, "
    "date_local, date_utc, modified_local, modified_utc, payload";

// Valid orders' quarantine keys are their ids: digits only, so they can be
// written into an IN list as literals. Anything else is bound instead.
bool is_digits(const std::string& s) {
    if (s.empty() || s.size() > 20) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// IN lists of at most this many values: one statement per page of 100
// instead of one per order, well under every backend's statement limits.
constexpr std::size_t kInListMax = 500;

// Writes one batch with statements prepared once and re-executed per
// order: preparing a statement costs more than running it, and a page holds
// up to 100 orders with their lines. What is per order and can be asked for
// the whole page at once is: which orders are stored already (and their
// `modified`), and which of them leave quarantine. Every statement binds to
// the members below, which are refilled before each execute.
class BatchWriter {
  public:
    BatchWriter(soci::session& sql, const std::string& account, const std::string& now)
        : sql_(sql), account_(account), now_(now), set_based_(sql.get_backend_name() == "postgresql") {}

    // Upserts every valid order (unless the stored version is newer) and
    // releases them from quarantine.
    void write_all(const std::vector<ValidOrder>& valid, BatchResult& r) {
        for (std::size_t i = 0; i < valid.size(); i += kInListMax) {
            load_stored(valid, i, std::min(valid.size(), i + kInListMax));
        }
        if (set_based_) {
            write_set_based(valid, r);
        } else {
            prepare_rows();
            for (const ValidOrder& v : valid) {
                write(v, r);
            }
        }
        release(valid, r);
    }

  private:
    // The row-at-a-time statements (SQLite), prepared once per batch.
    void prepare_rows() {
        update_.emplace(
            (sql_.prepare << "UPDATE emag_orders SET type = :type, status = :status, is_complete = :is_complete, "
                             "payment_mode_id = :pm, detailed_payment_method = :dpm, payment_status = :ps, "
                             "delivery_mode = :dm, currency = :cur, shipping_tax_x4 = :st, cashed_co_x4 = :co, "
                             "cashed_cod_x4 = :cod, lines_total_x4 = :lt, is_storno = :storno, "
                             "reason_cancellation = :rc, customer_id = :cid, customer_name = :cn, "
                             "customer_email_hash = :ce, shipping_city = :sc, locker_id = :li, locker_name = :ln, "
                             "date_local = :dl, date_utc = :du, modified_local = :ml, modified_utc = :mu, "
                             "payload = :payload, updated_at = :now WHERE account = :account AND emag_id = :id",
             soci::use(type_.value, type_.ind), soci::use(status_.value, status_.ind),
             soci::use(complete_.value, complete_.ind), soci::use(pay_mode_.value, pay_mode_.ind),
             soci::use(o_.detailed_payment_method), soci::use(pay_status_.value, pay_status_.ind),
             soci::use(o_.delivery_mode), soci::use(o_.currency), soci::use(ship_.value, ship_.ind),
             soci::use(co_.value, co_.ind), soci::use(cod_.value, cod_.ind), soci::use(total_.value, total_.ind),
             soci::use(storno_.value, storno_.ind), soci::use(reason_.value, reason_.ind),
             soci::use(customer_.value, customer_.ind), soci::use(o_.customer_name), soci::use(o_.customer_email_hash),
             soci::use(o_.shipping_city), soci::use(o_.locker_id), soci::use(o_.locker_name), soci::use(o_.date_local),
             soci::use(o_.date_utc), soci::use(o_.modified_local), soci::use(o_.modified_utc), soci::use(o_.payload),
             soci::use(now_), soci::use(account_), soci::use(id_)));
        insert_.emplace(
            (sql_.prepare << "INSERT INTO emag_orders (" << kOrderColumns
                          << ", first_seen_at, updated_at) VALUES (:account, :id, :type, :status, :is_complete, "
                             ":pm, :dpm, :ps, :dm, :cur, :st, :co, :cod, :lt, :storno, :rc, :cid, :cn, :ce, :sc, "
                             ":li, :ln, :dl, :du, :ml, :mu, :payload, :first, :now)",
             soci::use(account_), soci::use(id_), soci::use(type_.value, type_.ind),
             soci::use(status_.value, status_.ind), soci::use(complete_.value, complete_.ind),
             soci::use(pay_mode_.value, pay_mode_.ind), soci::use(o_.detailed_payment_method),
             soci::use(pay_status_.value, pay_status_.ind), soci::use(o_.delivery_mode), soci::use(o_.currency),
             soci::use(ship_.value, ship_.ind), soci::use(co_.value, co_.ind), soci::use(cod_.value, cod_.ind),
             soci::use(total_.value, total_.ind), soci::use(storno_.value, storno_.ind),
             soci::use(reason_.value, reason_.ind), soci::use(customer_.value, customer_.ind),
             soci::use(o_.customer_name), soci::use(o_.customer_email_hash), soci::use(o_.shipping_city),
             soci::use(o_.locker_id), soci::use(o_.locker_name), soci::use(o_.date_local), soci::use(o_.date_utc),
             soci::use(o_.modified_local), soci::use(o_.modified_utc), soci::use(o_.payload), soci::use(now_),
             soci::use(now_)));
        delete_lines_.emplace(
            (sql_.prepare << "DELETE FROM emag_order_lines WHERE account = :account AND emag_id = :id",
             soci::use(account_), soci::use(id_)));
        insert_line_.emplace(
            (sql_.prepare << "INSERT INTO emag_order_lines (account, emag_id, line_id, product_id, "
                             "part_number, ext_part_number, status, quantity, sale_price_x4, vat_x4, "
                             "currency, created_utc, modified_utc, payload) VALUES (:account, :id, :line, "
                             ":product, :pn, :epn, :status, :qty, :price, :vat, :cur, :created, :modified, "
                             ":payload)",
             soci::use(account_), soci::use(id_), soci::use(line_id_), soci::use(product_.value, product_.ind),
             soci::use(l_.part_number), soci::use(l_.ext_part_number), soci::use(line_status_.value, line_status_.ind),
             soci::use(qty_.value, qty_.ind), soci::use(price_.value, price_.ind), soci::use(vat_.value, vat_.ind),
             soci::use(l_.currency), soci::use(l_.created_utc), soci::use(l_.modified_utc), soci::use(l_.payload)));
    }

    // stored_[id] = the stored modified_utc ("" when NULL) of each order of
    // valid[begin, end) that is in the table already.
    void load_stored(const std::vector<ValidOrder>& valid, std::size_t begin, std::size_t end) {
        std::string sql = "SELECT emag_id, modified_utc FROM emag_orders WHERE account = :account AND emag_id IN (";
        for (std::size_t i = begin; i < end; ++i) {
            if (i > begin) {
                sql += ',';
            }
            sql += std::to_string(valid[i].order.emag_id);
        }
        sql += ')';
        soci::rowset<soci::row> rows = (sql_.prepare << sql, soci::use(account_));
        for (const soci::row& row : rows) {
            stored_[int_at(row, 0).value_or(0)] = text_at(row, 1);
        }
    }

    void write(const ValidOrder& v, BatchResult& r) {
        id_ = v.order.emag_id;
        const auto stored = stored_.find(id_);
        const bool exists = stored != stored_.end();
        if (exists && !v.order.modified_utc.empty() && v.order.modified_utc < stored->second) {
            ++r.kept_newer; // an older read never replaces a newer version
            return;
        }
        bind_order(v.order);
        (exists ? *update_ : *insert_).execute(true);
        if (exists) {
            delete_lines_->execute(true); // a new order has none to replace
        }
        for (const OrderLineRow& l : v.lines) {
            bind_line(l);
            insert_line_->execute(true);
        }
        ++(exists ? r.updated : r.inserted);
        stored_[id_] = v.order.modified_utc; // the same order again in this batch updates it
    }

    // PostgreSQL: each statement is a round trip to the server (on a network,
    // a millisecond), so row-at-a-time costs a sync ~3 of them per order. Here
    // the page goes in three, whatever its size: the orders as one upsert and
    // their lines as one delete and one insert, each reading its rows from one
    // JSON parameter (json_to_recordset). Which orders are written, and the
    // counts, are decided first exactly as write() does, row by row: an older
    // read never replaces a newer one, and an order twice in the batch is
    // written once, as its last accepted version (one statement cannot
    // upsert the same row twice).
    void write_set_based(const std::vector<ValidOrder>& valid, BatchResult& r) {
        std::unordered_map<long long, const ValidOrder*> winner;
        std::vector<long long> ids; // first-accepted order, for a stable statement
        for (const ValidOrder& v : valid) {
            const long long id = v.order.emag_id;
            const auto stored = stored_.find(id);
            const bool exists = stored != stored_.end();
            if (exists && !v.order.modified_utc.empty() && v.order.modified_utc < stored->second) {
                ++r.kept_newer;
                continue;
            }
            ++(exists ? r.updated : r.inserted);
            stored_[id] = v.order.modified_utc;
            if (winner.emplace(id, &v).second) {
                ids.push_back(id);
            } else {
                winner[id] = &v;
            }
        }
        if (ids.empty()) {
            return;
        }
        using nlohmann::json;
        const auto opt = [](const auto& v) { return v ? json(*v) : json(); };
        json orders = json::array(), lines = json::array();
        std::string id_list;
        for (long long id : ids) {
            const ValidOrder& v = *winner[id];
            const OrderRow& o = v.order;
            orders.push_back({{"emag_id", o.emag_id},
                              {"type", opt(o.type)},
                              {"status", opt(o.status)},
                              {"is_complete", opt(o.is_complete)},
                              {"payment_mode_id", opt(o.payment_mode_id)},
                              {"detailed_payment_method", o.detailed_payment_method},
                              {"payment_status", opt(o.payment_status)},
                              {"delivery_mode", o.delivery_mode},
                              {"currency", o.currency},
                              {"shipping_tax_x4", opt(o.shipping_tax_x4)},
                              {"cashed_co_x4", opt(o.cashed_co_x4)},
                              {"cashed_cod_x4", opt(o.cashed_cod_x4)},
                              {"lines_total_x4", opt(o.lines_total_x4)},
                              {"is_storno", opt(o.is_storno)},
                              {"reason_cancellation", opt(o.reason_cancellation)},
                              {"customer_id", opt(o.customer_id)},
                              {"customer_name", o.customer_name},
                              {"customer_email_hash", o.customer_email_hash},
                              {"shipping_city", o.shipping_city},
                              {"locker_id", o.locker_id},
                              {"locker_name", o.locker_name},
                              {"date_local", o.date_local},
                              {"date_utc", o.date_utc},
                              {"modified_local", o.modified_local},
                              {"modified_utc", o.modified_utc},
                              {"payload", o.payload}});
            for (const OrderLineRow& l : v.lines) {
                lines.push_back({{"emag_id", o.emag_id},
                                 {"line_id", l.line_id},
                                 {"product_id", opt(l.product_id)},
                                 {"part_number", l.part_number},
                                 {"ext_part_number", l.ext_part_number},
                                 {"status", opt(l.status)},
                                 {"quantity", opt(l.quantity)},
                                 {"sale_price_x4", opt(l.sale_price_x4)},
                                 {"vat_x4", opt(l.vat_x4)},
                                 {"currency", l.currency},
                                 {"created_utc", l.created_utc},
                                 {"modified_utc", l.modified_utc},
                                 {"payload", l.payload}});
            }
            if (!id_list.empty()) {
                id_list += ',';
            }
            id_list += std::to_string(id);
        }
        const std::string orders_json = orders.dump(-1, ' ', false, json::error_handler_t::replace);
        const std::string lines_json = lines.dump(-1, ' ', false, json::error_handler_t::replace);
        sql_ << "INSERT INTO emag_orders (" << kOrderColumns
             << ", first_seen_at, updated_at) SELECT :account, x.emag_id, x.type, x.status, x.is_complete, "
                "x.payment_mode_id, x.detailed_payment_method, x.payment_status, x.delivery_mode, x.currency, "
                "x.shipping_tax_x4, x.cashed_co_x4, x.cashed_cod_x4, x.lines_total_x4, x.is_storno, "
                "x.reason_cancellation, x.customer_id, x.customer_name, x.customer_email_hash, x.shipping_city, "
                "x.locker_id, x.locker_name, x.date_local, x.date_utc, x.modified_local, x.modified_utc, x.payload, "
                ":first, :now FROM json_to_recordset(CAST(:rows AS json)) AS x(emag_id bigint, type integer, "
                "status integer, is_complete integer, payment_mode_id integer, detailed_payment_method text, "
                "payment_status integer, delivery_mode text, currency text, shipping_tax_x4 bigint, "
                "cashed_co_x4 bigint, cashed_cod_x4 bigint, lines_total_x4 bigint, is_storno integer, "
                "reason_cancellation integer, customer_id bigint, customer_name text, customer_email_hash text, "
                "shipping_city text, locker_id text, locker_name text, date_local text, date_utc text, "
                "modified_local text, modified_utc text, payload text) "
                "ON CONFLICT (account, emag_id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status, "
                "is_complete = EXCLUDED.is_complete, payment_mode_id = EXCLUDED.payment_mode_id, "
                "detailed_payment_method = EXCLUDED.detailed_payment_method, payment_status = "
                "EXCLUDED.payment_status, delivery_mode = EXCLUDED.delivery_mode, currency = EXCLUDED.currency, "
                "shipping_tax_x4 = EXCLUDED.shipping_tax_x4, cashed_co_x4 = EXCLUDED.cashed_co_x4, cashed_cod_x4 = "
                "EXCLUDED.cashed_cod_x4, lines_total_x4 = EXCLUDED.lines_total_x4, is_storno = EXCLUDED.is_storno, "
                "reason_cancellation = EXCLUDED.reason_cancellation, customer_id = EXCLUDED.customer_id, "
                "customer_name = EXCLUDED.customer_name, customer_email_hash = EXCLUDED.customer_email_hash, "
                "shipping_city = EXCLUDED.shipping_city, locker_id = EXCLUDED.locker_id, locker_name = "
                "EXCLUDED.locker_name, date_local = EXCLUDED.date_local, date_utc = EXCLUDED.date_utc, "
                "modified_local = EXCLUDED.modified_local, modified_utc = EXCLUDED.modified_utc, payload = "
                "EXCLUDED.payload, updated_at = EXCLUDED.updated_at",
            soci::use(account_), soci::use(now_), soci::use(now_), soci::use(orders_json);
        sql_ << "DELETE FROM emag_order_lines WHERE account = :account AND emag_id IN (" + id_list + ")",
            soci::use(account_);
        if (!lines.empty()) {
            sql_ << "INSERT INTO emag_order_lines (account, emag_id, line_id, product_id, part_number, "
                    "ext_part_number, status, quantity, sale_price_x4, vat_x4, currency, created_utc, modified_utc, "
                    "payload) SELECT :account, x.emag_id, x.line_id, x.product_id, x.part_number, x.ext_part_number, "
                    "x.status, x.quantity, x.sale_price_x4, x.vat_x4, x.currency, x.created_utc, x.modified_utc, "
                    "x.payload FROM json_to_recordset(CAST(:rows AS json)) AS x(emag_id bigint, line_id bigint, "
                    "product_id bigint, part_number text, ext_part_number text, status integer, quantity bigint, "
                    "sale_price_x4 bigint, vat_x4 bigint, currency text, created_utc text, modified_utc text, "
                    "payload text)",
                soci::use(account_), soci::use(lines_json);
        }
    }

    // Deletes the valid orders' quarantine rows, an IN list at a time.
    void release(const std::vector<ValidOrder>& valid, BatchResult& r) {
        std::string keys;
        std::size_t n = 0;
        const auto flush = [&] {
            if (n == 0) {
                return;
            }
            soci::statement del = (sql_.prepare << "DELETE FROM emag_order_quarantine WHERE account = :account AND "
                                                   "order_key IN (" +
                                                       keys + ")",
                                   soci::use(account_));
            del.execute(true);
            r.released += static_cast<unsigned>(del.get_affected_rows());
            keys.clear();
            n = 0;
        };
        for (const ValidOrder& v : valid) {
            if (!is_digits(v.quarantine_key)) {
                key_ = v.quarantine_key;
                soci::statement del = (sql_.prepare << "DELETE FROM emag_order_quarantine WHERE account = :account "
                                                       "AND order_key = :key",
                                       soci::use(account_), soci::use(key_));
                del.execute(true);
                r.released += static_cast<unsigned>(del.get_affected_rows());
                continue;
            }
            if (n > 0) {
                keys += ',';
            }
            keys += '\'';
            keys += v.quarantine_key;
            keys += '\'';
            if (++n == kInListMax) {
                flush();
            }
        }
        flush();
    }

    void bind_order(const OrderRow& o) {
        o_ = o;
        type_ = NInt(o.type);
        status_ = NInt(o.status);
        complete_ = NInt(o.is_complete);
        pay_mode_ = NInt(o.payment_mode_id);
        pay_status_ = NInt(o.payment_status);
        storno_ = NInt(o.is_storno);
        reason_ = NInt(o.reason_cancellation);
        ship_ = NBig(o.shipping_tax_x4);
        co_ = NBig(o.cashed_co_x4);
        cod_ = NBig(o.cashed_cod_x4);
        total_ = NBig(o.lines_total_x4);
        customer_ = NBig(o.customer_id);
    }
    void bind_line(const OrderLineRow& l) {
        l_ = l;
        line_id_ = l.line_id;
        product_ = NBig(l.product_id);
        qty_ = NBig(l.quantity);
        price_ = NBig(l.sale_price_x4);
        vat_ = NBig(l.vat_x4);
        line_status_ = NInt(l.status);
    }

    soci::session& sql_;
    std::string account_, now_, key_;
    long long id_ = 0, line_id_ = 0;
    std::unordered_map<long long, std::string> stored_;
    OrderRow o_;
    OrderLineRow l_;
    NInt type_, status_, complete_, pay_mode_, pay_status_, storno_, reason_, line_status_;
    NBig ship_, co_, cod_, total_, customer_, product_, qty_, price_, vat_;
    bool set_based_; // PostgreSQL: see write_set_based
    std::optional<soci::statement> update_, insert_, delete_lines_, insert_line_;
};

void write_state(soci::session& sql, const SyncStateRow& s) {
    long long processed = s.processed;
    int type = s.order_type;
    soci::statement update =
        (sql.prepare << "UPDATE emag_sync_state SET cursor_utc = :cursor, last_run_at = :run, last_outcome = :outcome, "
                        "last_error = :error, processed = :processed WHERE account = :account AND order_type = :type "
                        "AND stream = :stream",
         soci::use(s.cursor_utc), soci::use(s.last_run_at), soci::use(s.last_outcome), soci::use(s.last_error),
         soci::use(processed), soci::use(s.account), soci::use(type), soci::use(s.stream));
    update.execute(true);
    if (update.get_affected_rows() == 0) {
        sql << "INSERT INTO emag_sync_state (account, order_type, stream, cursor_utc, last_run_at, last_outcome, "
               "last_error, processed) VALUES (:account, :type, :stream, :cursor, :run, :outcome, :error, :processed)",
            soci::use(s.account), soci::use(type), soci::use(s.stream), soci::use(s.cursor_utc),
            soci::use(s.last_run_at), soci::use(s.last_outcome), soci::use(s.last_error), soci::use(processed);
    }
}

} // namespace

OrderStore::OrderStore(const std::string& db_url)
    : checkpointer_(std::make_unique<WalCheckpointer>(db_url)),
      session_(open_store_session(db_url, !checkpointer_->enabled())) {}

OrderStore::~OrderStore() = default;

BatchResult OrderStore::store_batch(const std::string& account, const std::vector<ValidOrder>& valid,
                                    const std::vector<QuarantinedOrder>& invalid, std::string_view now_iso,
                                    const std::optional<SyncStateRow>& state) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    const std::string now(now_iso);
    BatchResult r;
    WriteTransaction tr(sql);
    if (!valid.empty()) {
        BatchWriter writer(sql, account, now);
        writer.write_all(valid, r);
    }
    for (const QuarantinedOrder& q : invalid) {
        NBig id(q.emag_id);
        soci::statement update =
            (sql.prepare << "UPDATE emag_order_quarantine SET emag_id = :id, errors = :errors, payload = :payload, "
                            "last_seen_at = :now WHERE account = :account AND order_key = :key",
             soci::use(id.value, id.ind), soci::use(q.errors_json), soci::use(q.payload), soci::use(now),
             soci::use(account), soci::use(q.order_key));
        update.execute(true);
        if (update.get_affected_rows() == 0) {
            sql << "INSERT INTO emag_order_quarantine (account, order_key, emag_id, errors, payload, first_seen_at, "
                   "last_seen_at) VALUES (:account, :key, :id, :errors, :payload, :first, :last)",
                soci::use(account), soci::use(q.order_key), soci::use(id.value, id.ind), soci::use(q.errors_json),
                soci::use(q.payload), soci::use(now), soci::use(now);
        }
        ++r.quarantined;
    }
    if (state) {
        write_state(sql, *state);
    }
    tr.commit();
    checkpointer_->notify();
    return r;
}

void OrderStore::save_sync_state(const SyncStateRow& state) {
    const std::lock_guard lock(mutex_);
    WriteTransaction tr(*session_);
    write_state(*session_, state);
    tr.commit();
}

std::optional<SyncStateRow> OrderStore::sync_state(const std::string& account, int order_type,
                                                   const std::string& stream) {
    const std::lock_guard lock(mutex_);
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT cursor_utc, last_run_at, last_outcome, last_error, processed FROM "
                              "emag_sync_state WHERE account = :account AND order_type = :type AND stream = :stream",
         soci::use(account), soci::use(order_type), soci::use(stream));
    for (const soci::row& row : rows) {
        SyncStateRow s;
        s.account = account;
        s.order_type = order_type;
        s.stream = stream;
        s.cursor_utc = text_at(row, 0);
        s.last_run_at = text_at(row, 1);
        s.last_outcome = text_at(row, 2);
        s.last_error = text_at(row, 3);
        s.processed = int_at(row, 4).value_or(0);
        return s;
    }
    return std::nullopt;
}

void OrderStore::mark_acknowledged(const std::string& account, std::int64_t emag_id, std::string_view now_iso) {
    const std::lock_guard lock(mutex_);
    long long id = emag_id;
    const std::string now(now_iso);
    *session_ << "UPDATE emag_orders SET acknowledged_at = :now WHERE account = :account AND emag_id = :id",
        soci::use(now), soci::use(account), soci::use(id);
}

std::optional<OrderRow> OrderStore::find_order(const std::string& account, std::int64_t emag_id) {
    const std::lock_guard lock(mutex_);
    long long id = emag_id;
    soci::rowset<soci::row> rows = (session_->prepare << "SELECT " << kOrderColumns
                                                      << " FROM emag_orders WHERE account = :account AND emag_id = :id",
                                    soci::use(account), soci::use(id));
    for (const soci::row& row : rows) {
        OrderRow o = list_row(row);
        o.payload = text_at(row, 26);
        return o;
    }
    return std::nullopt;
}

std::vector<OrderLineRow> OrderStore::lines(const std::string& account, std::int64_t emag_id) {
    const std::lock_guard lock(mutex_);
    long long id = emag_id;
    std::vector<OrderLineRow> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT line_id, product_id, part_number, ext_part_number, status, quantity, "
                              "sale_price_x4, vat_x4, currency, created_utc, modified_utc, payload FROM "
                              "emag_order_lines WHERE account = :account AND emag_id = :id ORDER BY line_id",
         soci::use(account), soci::use(id));
    for (const soci::row& row : rows) {
        OrderLineRow l;
        l.line_id = int_at(row, 0).value_or(0);
        l.product_id = int_at(row, 1);
        l.part_number = text_at(row, 2);
        l.ext_part_number = text_at(row, 3);
        l.status = small(int_at(row, 4));
        l.quantity = int_at(row, 5);
        l.sale_price_x4 = int_at(row, 6);
        l.vat_x4 = int_at(row, 7);
        l.currency = text_at(row, 8);
        l.created_utc = text_at(row, 9);
        l.modified_utc = text_at(row, 10);
        l.payload = text_at(row, 11);
        out.push_back(std::move(l));
    }
    return out;
}

std::optional<std::string> OrderStore::acknowledged_at(const std::string& account, std::int64_t emag_id) {
    const std::lock_guard lock(mutex_);
    long long id = emag_id;
    std::string at;
    soci::indicator ind = soci::i_null;
    *session_ << "SELECT acknowledged_at FROM emag_orders WHERE account = :account AND emag_id = :id",
        soci::into(at, ind), soci::use(account), soci::use(id);
    if (!session_->got_data() || ind != soci::i_ok) {
        return std::nullopt;
    }
    return at;
}

std::int64_t OrderStore::count_orders(const std::string& account) {
    const std::lock_guard lock(mutex_);
    long long n = 0;
    *session_ << "SELECT COUNT(*) FROM emag_orders WHERE account = :account", soci::into(n), soci::use(account);
    return n;
}

std::vector<QuarantinedOrder> OrderStore::quarantine(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::vector<QuarantinedOrder> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT order_key, emag_id, errors, payload FROM emag_order_quarantine WHERE account = "
                              ":account ORDER BY order_key",
         soci::use(account));
    for (const soci::row& row : rows) {
        out.push_back(QuarantinedOrder{text_at(row, 0), int_at(row, 1), text_at(row, 2), text_at(row, 3)});
    }
    return out;
}

std::vector<std::pair<std::int64_t, std::string>> OrderStore::order_versions(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::vector<std::pair<std::int64_t, std::string>> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT emag_id, modified_utc FROM emag_orders WHERE account = :account ORDER BY emag_id",
         soci::use(account));
    for (const soci::row& row : rows) {
        out.emplace_back(int_at(row, 0).value_or(0), text_at(row, 1));
    }
    return out;
}

namespace {

// emag_orders columns without the payload, for listings.

// The WHERE clause of a listing and its values, bound in order of appearance.
struct ListQuery {
    std::string where;
    std::string account;
    int status = 0, type = 0;
    bool has_status = false, has_type = false;
    std::string from, to, pattern;
    long long text_id = 0;
    bool has_text = false, has_text_id = false;

    ListQuery(const std::string& acc, const OrderListFilter& f) : account(acc) {
        where = " FROM emag_orders o WHERE o.account = :account";
        if (f.status) {
            has_status = true;
            status = *f.status;
            where += " AND o.status = :status";
        }
        if (f.type) {
            has_type = true;
            type = *f.type;
            where += " AND o.type = :type";
        }
        if (!f.date_from_utc.empty()) {
            from = f.date_from_utc;
            where += " AND o.date_utc >= :date_from";
        }
        if (!f.date_to_utc.empty()) {
            to = f.date_to_utc;
            where += " AND o.date_utc <= :date_to";
        }
        if (!f.text.empty()) {
            has_text = true;
            pattern = contains_pattern(f.text);
            where += " AND (";
            bool digits = f.text.size() <= 18;
            for (const char c : f.text) {
                digits = digits && c >= '0' && c <= '9';
            }
            if (digits) {
                has_text_id = true;
                text_id = std::stoll(f.text);
                where += "o.emag_id = :text_id OR ";
            }
            where += "LOWER(o.customer_name) LIKE :name_pattern ESCAPE '!' OR EXISTS (SELECT 1 FROM emag_order_lines l "
                     "WHERE l.account = o.account AND l.emag_id = o.emag_id AND LOWER(l.part_number) LIKE "
                     ":part_pattern ESCAPE '!'))";
        }
    }

    void bind(soci::details::prepare_temp_type& pt) {
        pt, soci::use(account);
        if (has_status) {
            pt, soci::use(status);
        }
        if (has_type) {
            pt, soci::use(type);
        }
        if (!from.empty()) {
            pt, soci::use(from);
        }
        if (!to.empty()) {
            pt, soci::use(to);
        }
        if (has_text) {
            if (has_text_id) {
                pt, soci::use(text_id);
            }
            pt, soci::use(pattern);
            pt, soci::use(pattern);
        }
    }
};

} // namespace

OrderListPage OrderStore::list_orders(const std::string& account, const OrderListFilter& filter) {
    const std::lock_guard lock(mutex_);
    ListQuery q(account, filter);
    OrderListPage page;
    {
        long long total = 0;
        soci::details::prepare_temp_type pt = (session_->prepare << "SELECT COUNT(*)" << q.where);
        pt, soci::into(total);
        q.bind(pt);
        soci::statement st(pt);
        st.execute(true);
        page.total = total;
    }
    if (page.total == 0) {
        return page;
    }
    const long long limit = filter.limit > 0 ? filter.limit : 1;
    const long long offset = filter.offset > 0 ? filter.offset : 0;
    // NULL dates last on both backends (they sort NULLs differently).
    soci::details::prepare_temp_type pt =
        (session_->prepare << "SELECT " << kOrderListColumns << q.where
                           << " ORDER BY CASE WHEN o.date_utc IS NULL THEN 1 ELSE 0 END, o.date_utc DESC, o.emag_id "
                              "DESC LIMIT "
                           << limit << " OFFSET " << offset);
    q.bind(pt);
    soci::rowset<soci::row> rows(pt);
    for (const soci::row& row : rows) {
        page.rows.push_back(list_row(row));
    }
    return page;
}

} // namespace erp::emag
