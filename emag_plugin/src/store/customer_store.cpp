#include "store/customer_store.hpp"

#include "store/row_values.hpp"
#include "store/session.hpp"
#include "store/write_transaction.hpp"

#include <soci/soci.h>

#include <functional>

namespace erp::emag {
namespace {

using namespace store_detail;

// IN lists of at most this many values: one statement per chunk instead of
// one per order or customer, well under every backend's parameter limits.
constexpr std::size_t kChunk = 200;

constexpr const char* kCustomerColumns =
    "c.account, c.customer_key, c.name, c.orders, c.canceled, c.returned, c.storno, c.cod_refused, "
    "c.pay_cod, c.pay_transfer, c.pay_card, c.first_order_utc, c.last_order_utc, c.last_order_id, c.loyalty_score, "
    "c.risk_level, c.scored_at, c.updated_at";

CustomerRow customer_at(const soci::row& row) {
    CustomerRow c;
    c.account = text_at(row, 0);
    c.customer_key = text_at(row, 1);
    c.name = text_at(row, 2);
    c.orders = int_at(row, 3).value_or(0);
    c.canceled = int_at(row, 4).value_or(0);
    c.returned = int_at(row, 5).value_or(0);
    c.storno = int_at(row, 6).value_or(0);
    c.cod_refused = int_at(row, 7).value_or(0);
    c.pay_cod = int_at(row, 8).value_or(0);
    c.pay_transfer = int_at(row, 9).value_or(0);
    c.pay_card = int_at(row, 10).value_or(0);
    c.first_order_utc = text_at(row, 11);
    c.last_order_utc = text_at(row, 12);
    c.last_order_id = int_at(row, 13).value_or(0);
    c.loyalty_score = static_cast<int>(int_at(row, 14).value_or(0));
    c.risk_level = text_at(row, 15);
    c.scored_at = text_at(row, 16);
    c.updated_at = text_at(row, 17);
    return c;
}

constexpr const char* kContributionColumns =
    "emag_id, customer_key, customer_name, status, payment_mode_id, is_storno, currency, total_x4, city, date_utc";

OrderContribution contribution_at(const soci::row& row) {
    OrderContribution c;
    c.customer_key = text_at(row, 1);
    c.name = text_at(row, 2);
    c.status = static_cast<int>(int_at(row, 3).value_or(-1));
    c.payment_mode_id = static_cast<int>(int_at(row, 4).value_or(0));
    c.storno = int_at(row, 5).value_or(0) != 0;
    c.currency = text_at(row, 6);
    c.total_x4 = int_at(row, 7).value_or(0);
    c.city = text_at(row, 8);
    c.date_utc = text_at(row, 9);
    return c;
}

// "1,2,3": ids are integers we hold, safe as literals in an IN list.
std::string id_list(const std::vector<std::int64_t>& ids, std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to; ++i) {
        if (i > from) {
            s += ',';
        }
        s += std::to_string(ids[i]);
    }
    return s;
}

// Runs `select` + " WHERE account = :account AND customer_key IN (...)" +
// `tail` for every chunk of `keys` (bound, never pasted: keys come from
// eMAG) and calls `each` per row.
void each_by_keys(soci::session& sql, const std::string& select, const std::string& account,
                  const std::vector<std::string>& keys, const std::string& tail,
                  const std::function<void(const soci::row&)>& each) {
    for (std::size_t from = 0; from < keys.size(); from += kChunk) {
        const std::size_t to = std::min(keys.size(), from + kChunk);
        std::string q = select + " WHERE account = :account AND customer_key IN (";
        for (std::size_t i = from; i < to; ++i) {
            q += (i > from ? ", :k" : ":k") + std::to_string(i - from);
        }
        q += ")" + tail;
        soci::details::prepare_temp_type pt = (sql.prepare << q);
        pt, soci::use(account);
        for (std::size_t i = from; i < to; ++i) {
            pt, soci::use(keys[i]);
        }
        soci::rowset<soci::row> rows(pt);
        for (const soci::row& row : rows) {
            each(row);
        }
    }
}

// Adds spend (and cities when asked) to customers already in `out`.
void load_details(soci::session& sql, const std::string& account, const std::vector<std::string>& keys,
                  std::map<std::string, CustomerRow>& out, bool cities) {
    each_by_keys(sql, "SELECT customer_key, currency, orders, total_x4 FROM emag_customer_spend", account, keys, "",
                 [&](const soci::row& row) {
                     const auto it = out.find(text_at(row, 0));
                     if (it != out.end()) {
                         it->second.spend[text_at(row, 1)] = {int_at(row, 2).value_or(0), int_at(row, 3).value_or(0)};
                     }
                 });
    if (!cities) {
        return;
    }
    each_by_keys(sql, "SELECT customer_key, city, orders FROM emag_customer_cities", account, keys, "",
                 [&](const soci::row& row) {
                     const auto it = out.find(text_at(row, 0));
                     if (it != out.end()) {
                         it->second.cities[text_at(row, 1)] = int_at(row, 2).value_or(0);
                     }
                 });
}

std::map<std::string, CustomerRow> load_customers(soci::session& sql, const std::string& account,
                                                  const std::vector<std::string>& keys, bool cities) {
    std::map<std::string, CustomerRow> out;
    each_by_keys(sql, std::string("SELECT ") + kCustomerColumns + " FROM emag_customers c", account, keys, "",
                 [&](const soci::row& row) {
                     CustomerRow c = customer_at(row);
                     std::string key = c.customer_key;
                     out.emplace(std::move(key), std::move(c));
                 });
    load_details(sql, account, keys, out, cities);
    return out;
}

bool same_figures(const CustomerRow& a, const CustomerRow& b) {
    return a.name == b.name && a.orders == b.orders && a.canceled == b.canceled && a.returned == b.returned &&
           a.storno == b.storno && a.cod_refused == b.cod_refused && a.pay_cod == b.pay_cod &&
           a.pay_transfer == b.pay_transfer && a.pay_card == b.pay_card && a.first_order_utc == b.first_order_utc &&
           a.last_order_utc == b.last_order_utc && a.last_order_id == b.last_order_id &&
           a.loyalty_score == b.loyalty_score && a.risk_level == b.risk_level && a.scored_at == b.scored_at &&
           a.updated_at == b.updated_at;
}

const char* sort_expression(CustomerSort s) {
    switch (s) {
    case CustomerSort::orders:
        return "c.orders";
    case CustomerSort::spent:
        // Summed across currencies: an account sells in one currency.
        return "(SELECT COALESCE(SUM(s.total_x4), 0) FROM emag_customer_spend s WHERE s.account = c.account AND "
               "s.customer_key = c.customer_key)";
    case CustomerSort::last_order:
        return "c.last_order_utc";
    case CustomerSort::loyalty:
        return "c.loyalty_score";
    case CustomerSort::risk:
        return "CASE c.risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END";
    case CustomerSort::cancel_rate:
        return "CASE WHEN c.orders > 0 THEN c.canceled * 1.0 / c.orders ELSE 0 END";
    case CustomerSort::return_rate:
        return "CASE WHEN c.orders > 0 THEN c.returned * 1.0 / c.orders ELSE 0 END";
    }
    return "c.last_order_utc";
}

} // namespace

// ---------------------------------------------------------------------------
// CustomerBatch: statements prepared once per batch and re-executed, bound to
// the members below (preparing costs more than running, and a batch writes
// hundreds of rows).
// ---------------------------------------------------------------------------
struct CustomerBatch::Impl {
    Impl(std::unique_lock<std::mutex> l, soci::session& s) : lock(std::move(l)), sql(s), tr(s) {}

    std::unique_lock<std::mutex> lock;
    soci::session& sql;
    WriteTransaction tr;

    // Bound values.
    std::string account, key, name, currency, city, date, modified, now, risk, first, last, scored;
    long long id = 0, total = 0, n = 0;
    NInt status, pay_mode;
    int storno = 0, loyalty = 0;
    long long orders = 0, canceled = 0, returned = 0, stornos = 0, cod_refused = 0, pay_cod = 0, pay_transfer = 0,
              pay_card = 0, last_id = 0;

    std::optional<soci::statement> ins_order, upd_order, del_order, ins_customer, upd_customer, ins_spend, upd_spend,
        del_spend, ins_city, upd_city, del_city;

    void bind_contribution(const OrderContribution& c) {
        key = c.customer_key;
        name = c.name;
        status = NInt(c.status >= 0 ? std::optional<int>(c.status) : std::nullopt);
        pay_mode = NInt(c.payment_mode_id > 0 ? std::optional<int>(c.payment_mode_id) : std::nullopt);
        storno = c.storno ? 1 : 0;
        currency = c.currency;
        total = c.total_x4;
        city = c.city;
        date = c.date_utc;
    }

    void bind_customer(const CustomerRow& c) {
        account = c.account;
        key = c.customer_key;
        name = c.name;
        orders = c.orders;
        canceled = c.canceled;
        returned = c.returned;
        stornos = c.storno;
        cod_refused = c.cod_refused;
        pay_cod = c.pay_cod;
        pay_transfer = c.pay_transfer;
        pay_card = c.pay_card;
        first = c.first_order_utc;
        last = c.last_order_utc;
        last_id = c.last_order_id;
        loyalty = c.loyalty_score;
        risk = c.risk_level;
        scored = c.scored_at;
        now = c.updated_at;
    }

    soci::statement& order_statement(bool insert) {
        if (insert) {
            if (!ins_order) {
                ins_order.emplace((sql.prepare
                                       << "INSERT INTO emag_customer_orders (account, emag_id, customer_key, "
                                          "customer_name, status, payment_mode_id, is_storno, currency, "
                                          "total_x4, city, date_utc, modified_utc, updated_at) VALUES (:account, "
                                          ":id, :key, :name, :status, :pm, :storno, :cur, :total, :city, "
                                          ":date, :modified, :now)",
                                   soci::use(account), soci::use(id), soci::use(key), soci::use(name),
                                   soci::use(status.value, status.ind), soci::use(pay_mode.value, pay_mode.ind),
                                   soci::use(storno), soci::use(currency), soci::use(total), soci::use(city),
                                   soci::use(date), soci::use(modified), soci::use(now)));
            }
            return *ins_order;
        }
        if (!upd_order) {
            upd_order.emplace((sql.prepare << "UPDATE emag_customer_orders SET customer_key = :key, customer_name = "
                                              ":name, status = :status, payment_mode_id = :pm, is_storno = :storno, "
                                              "currency = :cur, total_x4 = :total, city = :city, date_utc = :date, "
                                              "modified_utc = :modified, updated_at = :now WHERE account = :account "
                                              "AND emag_id = :id",
                               soci::use(key), soci::use(name), soci::use(status.value, status.ind),
                               soci::use(pay_mode.value, pay_mode.ind), soci::use(storno), soci::use(currency),
                               soci::use(total), soci::use(city), soci::use(date), soci::use(modified), soci::use(now),
                               soci::use(account), soci::use(id)));
        }
        return *upd_order;
    }

    void write_customer(bool insert) {
        if (insert && !ins_customer) {
            ins_customer.emplace(
                (sql.prepare
                     << "INSERT INTO emag_customers (name, orders, canceled, returned, storno, "
                        "cod_orders, cod_refused, pay_cod, pay_transfer, pay_card, first_order_utc, last_order_utc, "
                        "last_order_id, loyalty_score, risk_level, scored_at, updated_at, account, "
                        "customer_key) VALUES (:name, :orders, :canceled, :returned, :storno, "
                        ":cod, :refused, :pcod, :ptransfer, :pcard, :first, :last, :last_id, :loyalty, :risk, "
                        ":scored, :now, :account, :key)",
                 soci::use(name), soci::use(orders), soci::use(canceled), soci::use(returned), soci::use(stornos),
                 soci::use(pay_cod), soci::use(cod_refused), soci::use(pay_cod), soci::use(pay_transfer),
                 soci::use(pay_card), soci::use(first), soci::use(last), soci::use(last_id), soci::use(loyalty),
                 soci::use(risk), soci::use(scored), soci::use(now), soci::use(account), soci::use(key)));
        }
        if (!insert && !upd_customer) {
            upd_customer.emplace(
                (sql.prepare << "UPDATE emag_customers SET name = :name, orders = :orders, canceled = :canceled, "
                                "returned = :returned, storno = :storno, cod_orders = :cod, cod_refused = :refused, "
                                "pay_cod = :pcod, pay_transfer = :ptransfer, pay_card = :pcard, first_order_utc = "
                                ":first, last_order_utc = :last, last_order_id = :last_id, loyalty_score = :loyalty, "
                                "risk_level = :risk, scored_at = :scored, updated_at = :now WHERE account = :account "
                                "AND customer_key = :key",
                 soci::use(name), soci::use(orders), soci::use(canceled), soci::use(returned), soci::use(stornos),
                 soci::use(pay_cod), soci::use(cod_refused), soci::use(pay_cod), soci::use(pay_transfer),
                 soci::use(pay_card), soci::use(first), soci::use(last), soci::use(last_id), soci::use(loyalty),
                 soci::use(risk), soci::use(scored), soci::use(now), soci::use(account), soci::use(key)));
        }
        (insert ? *ins_customer : *upd_customer).execute(true);
    }

    // One emag_customer_spend row: inserted, updated or deleted (nullopt).
    void write_spend(const std::string& cur, const std::optional<SpendTotal>& before,
                     const std::optional<SpendTotal>& after) {
        currency = cur;
        if (!after) {
            if (!del_spend) {
                del_spend.emplace((sql.prepare << "DELETE FROM emag_customer_spend WHERE account = :account AND "
                                                  "customer_key = :key AND currency = :cur",
                                   soci::use(account), soci::use(key), soci::use(currency)));
            }
            del_spend->execute(true);
            return;
        }
        n = after->orders;
        total = after->total_x4;
        if (!before) {
            if (!ins_spend) {
                ins_spend.emplace((sql.prepare << "INSERT INTO emag_customer_spend (orders, total_x4, account, "
                                                  "customer_key, currency) VALUES (:n, :total, :account, :key, :cur)",
                                   soci::use(n), soci::use(total), soci::use(account), soci::use(key),
                                   soci::use(currency)));
            }
            ins_spend->execute(true);
            return;
        }
        if (!upd_spend) {
            upd_spend.emplace((sql.prepare << "UPDATE emag_customer_spend SET orders = :n, total_x4 = :total WHERE "
                                              "account = :account AND customer_key = :key AND currency = :cur",
                               soci::use(n), soci::use(total), soci::use(account), soci::use(key),
                               soci::use(currency)));
        }
        upd_spend->execute(true);
    }

    void write_city(const std::string& c, const std::optional<std::int64_t>& before,
                    const std::optional<std::int64_t>& after) {
        city = c;
        if (!after) {
            if (!del_city) {
                del_city.emplace((sql.prepare << "DELETE FROM emag_customer_cities WHERE account = :account AND "
                                                 "customer_key = :key AND city = :city",
                                  soci::use(account), soci::use(key), soci::use(city)));
            }
            del_city->execute(true);
            return;
        }
        n = *after;
        if (!before) {
            if (!ins_city) {
                ins_city.emplace((sql.prepare << "INSERT INTO emag_customer_cities (orders, account, customer_key, "
                                                 "city) VALUES (:n, :account, :key, :city)",
                                  soci::use(n), soci::use(account), soci::use(key), soci::use(city)));
            }
            ins_city->execute(true);
            return;
        }
        if (!upd_city) {
            upd_city.emplace((sql.prepare << "UPDATE emag_customer_cities SET orders = :n WHERE account = :account "
                                             "AND customer_key = :key AND city = :city",
                              soci::use(n), soci::use(account), soci::use(key), soci::use(city)));
        }
        upd_city->execute(true);
    }
};

CustomerBatch::CustomerBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CustomerBatch::~CustomerBatch() = default;

std::map<std::int64_t, OrderContribution> CustomerBatch::contributions(const std::string& account,
                                                                       const std::vector<std::int64_t>& ids) {
    std::map<std::int64_t, OrderContribution> out;
    for (std::size_t from = 0; from < ids.size(); from += kChunk) {
        const std::size_t to = std::min(ids.size(), from + kChunk);
        soci::rowset<soci::row> rows =
            (impl_->sql.prepare << "SELECT " << kContributionColumns
                                << " FROM emag_customer_orders WHERE account = :account AND emag_id IN ("
                                << id_list(ids, from, to) << ")",
             soci::use(account));
        for (const soci::row& row : rows) {
            out.emplace(int_at(row, 0).value_or(0), contribution_at(row));
        }
    }
    return out;
}

std::map<std::string, CustomerRow> CustomerBatch::customers(const std::string& account,
                                                            const std::vector<std::string>& keys) {
    return load_customers(impl_->sql, account, keys, true);
}

void CustomerBatch::put_contribution(const std::string& account, std::int64_t emag_id,
                                     const std::optional<OrderContribution>& c, bool existed,
                                     const std::string& modified_utc, const std::string& now_iso) {
    Impl& m = *impl_;
    m.account = account;
    m.id = emag_id;
    m.modified = modified_utc;
    m.now = now_iso;
    if (!c) {
        if (existed) {
            if (!m.del_order) {
                m.del_order.emplace((m.sql.prepare << "DELETE FROM emag_customer_orders WHERE account = :account AND "
                                                      "emag_id = :id",
                                     soci::use(m.account), soci::use(m.id)));
            }
            m.del_order->execute(true);
        }
        return;
    }
    m.bind_contribution(*c);
    m.order_statement(!existed).execute(true);
}

CustomerExtremes CustomerBatch::extremes(const std::string& account, const std::string& key) {
    soci::session& sql = impl_->sql;
    CustomerExtremes e;
    std::string first;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MIN(date_utc) FROM emag_customer_orders WHERE account = :account AND customer_key = :key AND "
           "date_utc <> ''",
        soci::into(first, ind), soci::use(account), soci::use(key);
    if (ind == soci::i_ok) {
        e.first_order_utc = first;
    }
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT date_utc, emag_id, customer_name FROM emag_customer_orders WHERE account = :account "
                        "AND customer_key = :key ORDER BY date_utc DESC, emag_id DESC LIMIT 1",
         soci::use(account), soci::use(key));
    for (const soci::row& row : rows) {
        e.last_order_utc = text_at(row, 0);
        e.last_order_id = int_at(row, 1).value_or(0);
        e.name = text_at(row, 2);
    }
    return e;
}

void CustomerBatch::save_customer(const std::optional<CustomerRow>& before, const CustomerRow& after) {
    Impl& m = *impl_;
    m.bind_customer(after);
    if (after.orders <= 0) {
        if (before) {
            m.sql << "DELETE FROM emag_customers WHERE account = :account AND customer_key = :key",
                soci::use(m.account), soci::use(m.key);
            m.sql << "DELETE FROM emag_customer_spend WHERE account = :account AND customer_key = :key",
                soci::use(m.account), soci::use(m.key);
            m.sql << "DELETE FROM emag_customer_cities WHERE account = :account AND customer_key = :key",
                soci::use(m.account), soci::use(m.key);
        }
        return;
    }
    if (!before || !same_figures(*before, after)) {
        m.write_customer(!before);
    }
    static const std::map<std::string, SpendTotal> kNoSpend;
    static const std::map<std::string, std::int64_t> kNoCities;
    const auto& old_spend = before ? before->spend : kNoSpend;
    for (const auto& [cur, s] : after.spend) {
        const auto it = old_spend.find(cur);
        if (it == old_spend.end()) {
            m.write_spend(cur, std::nullopt, s);
        } else if (!(it->second == s)) {
            m.write_spend(cur, it->second, s);
        }
    }
    for (const auto& [cur, s] : old_spend) {
        if (!after.spend.count(cur)) {
            m.write_spend(cur, s, std::nullopt);
        }
    }
    const auto& old_cities = before ? before->cities : kNoCities;
    for (const auto& [city, n] : after.cities) {
        const auto it = old_cities.find(city);
        if (it == old_cities.end()) {
            m.write_city(city, std::nullopt, n);
        } else if (it->second != n) {
            m.write_city(city, it->second, n);
        }
    }
    for (const auto& [city, n] : old_cities) {
        if (!after.cities.count(city)) {
            m.write_city(city, n, std::nullopt);
        }
    }
}

void CustomerBatch::save_cursor(const std::string& name, const std::string& cursor_iso, const std::string& now_iso) {
    soci::session& sql = impl_->sql;
    soci::statement update =
        (sql.prepare << "UPDATE emag_analytics_state SET cursor_utc = :cursor, updated_at = :now WHERE name = :name",
         soci::use(cursor_iso), soci::use(now_iso), soci::use(name));
    update.execute(true);
    if (update.get_affected_rows() == 0) {
        sql << "INSERT INTO emag_analytics_state (name, cursor_utc, updated_at) VALUES (:name, :cursor, :now)",
            soci::use(name), soci::use(cursor_iso), soci::use(now_iso);
    }
}

void CustomerBatch::commit() {
    impl_->tr.commit();
}

// ---------------------------------------------------------------------------
// CustomerStore
// ---------------------------------------------------------------------------
CustomerStore::CustomerStore(const std::string& db_url) : session_(open_store_session(db_url)) {}

CustomerStore::~CustomerStore() = default;

std::optional<std::string> CustomerStore::cursor(const std::string& name) {
    const std::lock_guard lock(mutex_);
    std::string c;
    soci::indicator ind = soci::i_null;
    *session_ << "SELECT cursor_utc FROM emag_analytics_state WHERE name = :name", soci::into(c, ind), soci::use(name);
    if (!session_->got_data() || ind != soci::i_ok || c.empty()) {
        return std::nullopt;
    }
    return c;
}

std::vector<AnalyticsOrderRow> CustomerStore::orders_after(const OrderPosition& after, std::int64_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<AnalyticsOrderRow> out;
    out.reserve(static_cast<std::size_t>(limit));
    long long id = after.emag_id;
    // Row values compare the whole key and let both backends walk the
    // emag_orders_by_updated index.
    soci::rowset<soci::row> rows =
        (session_->prepare
             << "SELECT account, emag_id, status, payment_mode_id, is_storno, currency, "
                "lines_total_x4, shipping_tax_x4, customer_name, customer_email_hash, shipping_city, "
                "date_utc, updated_at, payload, modified_utc FROM emag_orders WHERE (updated_at, account, emag_id) > "
                "(:updated, :account, :id) ORDER BY updated_at, account, emag_id LIMIT "
             << limit,
         soci::use(after.updated_at), soci::use(after.account), soci::use(id));
    for (const soci::row& row : rows) {
        AnalyticsOrderRow o;
        o.account = text_at(row, 0);
        o.emag_id = int_at(row, 1).value_or(0);
        o.status = small(int_at(row, 2));
        o.payment_mode_id = small(int_at(row, 3));
        o.is_storno = small(int_at(row, 4));
        o.currency = text_at(row, 5);
        o.lines_total_x4 = int_at(row, 6);
        o.shipping_tax_x4 = int_at(row, 7);
        o.customer_name = text_at(row, 8);
        o.customer_key = text_at(row, 9);
        o.city = text_at(row, 10);
        o.date_utc = text_at(row, 11);
        o.updated_at = text_at(row, 12);
        o.payload = text_at(row, 13);
        o.modified_utc = text_at(row, 14);
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> CustomerStore::stale_scores(const std::string& before_iso,
                                                                             std::int64_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::string>> out;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT account, customer_key FROM emag_customers WHERE scored_at < :before ORDER BY "
                              "scored_at, account, customer_key LIMIT "
                           << limit,
         soci::use(before_iso));
    for (const soci::row& row : rows) {
        out.emplace_back(text_at(row, 0), text_at(row, 1));
    }
    return out;
}

std::unique_ptr<CustomerBatch> CustomerStore::begin_batch() {
    std::unique_lock lock(mutex_);
    return std::unique_ptr<CustomerBatch>(
        new CustomerBatch(std::make_unique<CustomerBatch::Impl>(std::move(lock), *session_)));
}

CustomerPage CustomerStore::list(const CustomerFilter& f) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    std::string where = " FROM emag_customers c WHERE 1 = 1";
    const std::string pattern = contains_pattern(f.text);
    if (!f.account.empty()) {
        where += " AND c.account = :account";
    }
    if (!f.risk_level.empty()) {
        where += " AND c.risk_level = :risk";
    }
    if (!f.text.empty()) {
        where += " AND (LOWER(c.name) LIKE :p1 ESCAPE '!' OR LOWER(c.customer_key) LIKE :p2 ESCAPE '!')";
    }
    const auto bind = [&](soci::details::prepare_temp_type& pt) {
        if (!f.account.empty()) {
            pt, soci::use(f.account);
        }
        if (!f.risk_level.empty()) {
            pt, soci::use(f.risk_level);
        }
        if (!f.text.empty()) {
            pt, soci::use(pattern);
            pt, soci::use(pattern);
        }
    };
    CustomerPage page;
    {
        long long total = 0;
        soci::details::prepare_temp_type pt = (sql.prepare << "SELECT COUNT(*)" << where);
        pt, soci::into(total);
        bind(pt);
        soci::statement st(pt);
        st.execute(true);
        page.total = total;
    }
    if (page.total == 0) {
        return page;
    }
    const char* dir = f.descending ? " DESC" : " ASC";
    soci::details::prepare_temp_type pt =
        (sql.prepare << "SELECT " << kCustomerColumns << where << " ORDER BY " << sort_expression(f.sort) << dir
                     << ", c.account" << dir << ", c.customer_key" << dir << " LIMIT " << (f.limit > 0 ? f.limit : 1)
                     << " OFFSET " << (f.offset > 0 ? f.offset : 0));
    bind(pt);
    soci::rowset<soci::row> rows(pt);
    for (const soci::row& row : rows) {
        page.rows.push_back(customer_at(row));
    }
    // Their money, one query per account on the page.
    std::map<std::string, std::map<std::string, CustomerRow>> by_account;
    for (const CustomerRow& c : page.rows) {
        by_account[c.account].emplace(c.customer_key, CustomerRow{});
    }
    for (auto& [account, customers] : by_account) {
        std::vector<std::string> keys;
        for (const auto& [key, unused] : customers) {
            keys.push_back(key);
        }
        load_details(sql, account, keys, customers, false);
    }
    for (CustomerRow& c : page.rows) {
        c.spend = by_account[c.account][c.customer_key].spend;
    }
    return page;
}

std::optional<CustomerRow> CustomerStore::find(const std::string& account, const std::string& key) {
    const std::lock_guard lock(mutex_);
    auto found = load_customers(*session_, account, {key}, true);
    if (found.empty()) {
        return std::nullopt;
    }
    return std::move(found.begin()->second);
}

std::vector<CustomerOrderView> CustomerStore::history(const std::string& account, const std::string& key,
                                                      std::int64_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<CustomerOrderView> out;
    // The order's current fields from emag_orders; the value is what the
    // analytics computed for it (emag_orders holds no total with VAT).
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT co.emag_id, COALESCE(o.date_utc, co.date_utc), COALESCE(o.status, co.status), "
                              "COALESCE(o.payment_mode_id, co.payment_mode_id), co.is_storno, co.total_x4, "
                              "co.currency, COALESCE(o.shipping_city, co.city) FROM emag_customer_orders co LEFT JOIN "
                              "emag_orders o ON o.account = co.account AND o.emag_id = co.emag_id WHERE co.account = "
                              ":account AND co.customer_key = :key ORDER BY co.date_utc DESC, co.emag_id DESC LIMIT "
                           << (limit > 0 ? limit : 1),
         soci::use(account), soci::use(key));
    for (const soci::row& row : rows) {
        CustomerOrderView v;
        v.emag_id = int_at(row, 0).value_or(0);
        v.date_utc = text_at(row, 1);
        v.status = small(int_at(row, 2));
        v.payment_mode_id = small(int_at(row, 3));
        v.storno = int_at(row, 4).value_or(0) != 0;
        v.total_x4 = int_at(row, 5).value_or(0);
        v.currency = text_at(row, 6);
        v.city = text_at(row, 7);
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<CustomerRow> CustomerStore::all_customers() {
    const std::lock_guard lock(mutex_);
    std::map<std::string, std::map<std::string, CustomerRow>> by_account;
    soci::rowset<soci::row> rows = (session_->prepare << "SELECT " << kCustomerColumns << " FROM emag_customers c");
    for (const soci::row& row : rows) {
        CustomerRow c = customer_at(row);
        by_account[c.account].emplace(c.customer_key, c);
    }
    std::vector<CustomerRow> out;
    for (auto& [account, customers] : by_account) {
        std::vector<std::string> keys;
        for (const auto& [key, unused] : customers) {
            keys.push_back(key);
        }
        load_details(*session_, account, keys, customers, true);
        for (auto& [key, c] : customers) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::vector<std::pair<std::int64_t, OrderContribution>> CustomerStore::all_contributions(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::vector<std::pair<std::int64_t, OrderContribution>> out;
    soci::rowset<soci::row> rows = (session_->prepare << "SELECT " << kContributionColumns
                                                      << " FROM emag_customer_orders WHERE account = :account ORDER "
                                                         "BY emag_id",
                                    soci::use(account));
    for (const soci::row& row : rows) {
        out.emplace_back(int_at(row, 0).value_or(0), contribution_at(row));
    }
    return out;
}

} // namespace erp::emag
