#include "store/offer_store.hpp"

#include "store/row_values.hpp"
#include "store/session.hpp"
#include "store/write_transaction.hpp"

namespace erp::emag {
namespace {

using namespace store_detail;

constexpr const char* kColumns =
    "account, offer_id, part_number, part_number_key, ean, name, brand, status, sale_price_x4, recommended_price_x4, "
    "min_sale_price_x4, max_sale_price_x4, best_offer_sale_price_x4, currency, vat_id, stock, general_stock, "
    "estimated_stock, handling_time, validation_status, translation_validation_status, offer_validation_status, "
    "buy_button_rank, number_of_offers, last_seen_at";

OfferRow read_row(const soci::row& row) {
    OfferRow o;
    o.account = text_at(row, 0);
    o.offer_id = int_at(row, 1).value_or(0);
    o.part_number = text_at(row, 2);
    o.part_number_key = text_at(row, 3);
    o.ean_json = text_at(row, 4);
    o.name = text_at(row, 5);
    o.brand = text_at(row, 6);
    o.status = small(int_at(row, 7));
    o.sale_price_x4 = int_at(row, 8);
    o.recommended_price_x4 = int_at(row, 9);
    o.min_sale_price_x4 = int_at(row, 10);
    o.max_sale_price_x4 = int_at(row, 11);
    o.best_offer_sale_price_x4 = int_at(row, 12);
    o.currency = text_at(row, 13);
    o.vat_id = small(int_at(row, 14));
    o.stock_json = text_at(row, 15);
    o.general_stock = int_at(row, 16);
    o.estimated_stock = int_at(row, 17);
    o.handling_time_json = text_at(row, 18);
    o.validation_status = small(int_at(row, 19));
    o.translation_validation_status = small(int_at(row, 20));
    o.offer_validation_status = small(int_at(row, 21));
    o.buy_button_rank = small(int_at(row, 22));
    o.number_of_offers = small(int_at(row, 23));
    o.last_seen_at = text_at(row, 24);
    return o;
}

// One upsert per offer, prepared once per page; the statement binds to the
// members, refilled before each execute. INSERT ... ON CONFLICT is the same
// text on SQLite (3.24+) and PostgreSQL.
class OfferWriter {
  public:
    OfferWriter(soci::session& sql, const std::string& account, const std::string& now)
        : account_(account), now_(now),
          upsert_((sql.prepare << "INSERT INTO emag_offers (" << kColumns
                               << ", payload, first_seen_at, updated_at) VALUES (:account, :id, :pn, :pnk, :ean, "
                                  ":name, :brand, :status, :sp, :rp, :minp, :maxp, :bp, :cur, :vat, :stock, :gs, "
                                  ":es, :ht, :vs, :tvs, :ovs, :bbr, :nof, :seen, :payload, :first, :now) "
                                  "ON CONFLICT (account, offer_id) DO UPDATE SET part_number = excluded.part_number, "
                                  "part_number_key = excluded.part_number_key, ean = excluded.ean, name = "
                                  "excluded.name, brand = excluded.brand, status = excluded.status, sale_price_x4 = "
                                  "excluded.sale_price_x4, recommended_price_x4 = excluded.recommended_price_x4, "
                                  "min_sale_price_x4 = excluded.min_sale_price_x4, max_sale_price_x4 = "
                                  "excluded.max_sale_price_x4, best_offer_sale_price_x4 = "
                                  "excluded.best_offer_sale_price_x4, currency = excluded.currency, vat_id = "
                                  "excluded.vat_id, stock = excluded.stock, general_stock = excluded.general_stock, "
                                  "estimated_stock = excluded.estimated_stock, handling_time = "
                                  "excluded.handling_time, validation_status = excluded.validation_status, "
                                  "translation_validation_status = excluded.translation_validation_status, "
                                  "offer_validation_status = excluded.offer_validation_status, buy_button_rank = "
                                  "excluded.buy_button_rank, number_of_offers = excluded.number_of_offers, "
                                  "last_seen_at = excluded.last_seen_at, payload = excluded.payload, updated_at = "
                                  "excluded.updated_at",
                   soci::use(account_), soci::use(id_), soci::use(o_.part_number), soci::use(o_.part_number_key),
                   soci::use(o_.ean_json), soci::use(o_.name), soci::use(o_.brand),
                   soci::use(status_.value, status_.ind), soci::use(sale_.value, sale_.ind),
                   soci::use(rec_.value, rec_.ind), soci::use(min_.value, min_.ind), soci::use(max_.value, max_.ind),
                   soci::use(best_.value, best_.ind), soci::use(o_.currency), soci::use(vat_.value, vat_.ind),
                   soci::use(o_.stock_json), soci::use(gs_.value, gs_.ind), soci::use(es_.value, es_.ind),
                   soci::use(o_.handling_time_json), soci::use(vs_.value, vs_.ind), soci::use(tvs_.value, tvs_.ind),
                   soci::use(ovs_.value, ovs_.ind), soci::use(bbr_.value, bbr_.ind), soci::use(nof_.value, nof_.ind),
                   soci::use(now_), soci::use(o_.payload), soci::use(now_), soci::use(now_))),
          release_((sql.prepare << "DELETE FROM emag_offer_quarantine WHERE account = :account AND offer_key = :key",
                    soci::use(account_), soci::use(key_))) {}

    void write(const OfferRow& o, OfferBatchResult& r) {
        o_ = o;
        id_ = o.offer_id;
        status_ = NInt(o.status);
        sale_ = NBig(o.sale_price_x4);
        rec_ = NBig(o.recommended_price_x4);
        min_ = NBig(o.min_sale_price_x4);
        max_ = NBig(o.max_sale_price_x4);
        best_ = NBig(o.best_offer_sale_price_x4);
        vat_ = NInt(o.vat_id);
        gs_ = NBig(o.general_stock);
        es_ = NBig(o.estimated_stock);
        vs_ = NInt(o.validation_status);
        tvs_ = NInt(o.translation_validation_status);
        ovs_ = NInt(o.offer_validation_status);
        bbr_ = NInt(o.buy_button_rank);
        nof_ = NInt(o.number_of_offers);
        upsert_.execute(true);
        ++r.stored;
        key_ = std::to_string(o.offer_id);
        release_.execute(true);
        r.released += release_.get_affected_rows() > 0 ? 1 : 0;
    }

  private:
    std::string account_, now_, key_;
    long long id_ = 0;
    OfferRow o_;
    NInt status_, vat_, vs_, tvs_, ovs_, bbr_, nof_;
    NBig sale_, rec_, min_, max_, best_, gs_, es_;
    soci::statement upsert_, release_;
};

} // namespace

OfferStore::OfferStore(const std::string& db_url) : session_(open_store_session(db_url)) {}

OfferStore::~OfferStore() = default;

OfferBatchResult OfferStore::store_batch(const std::string& account, const std::vector<OfferRow>& offers,
                                         const std::vector<QuarantinedOffer>& invalid, std::string_view now_iso) {
    const std::lock_guard lock(mutex_);
    soci::session& sql = *session_;
    const std::string now(now_iso);
    OfferBatchResult r;
    WriteTransaction tr(sql);
    if (!offers.empty()) {
        OfferWriter writer(sql, account, now);
        for (const OfferRow& o : offers) {
            writer.write(o, r);
        }
    }
    for (const QuarantinedOffer& q : invalid) {
        NBig id(q.offer_id);
        sql << "INSERT INTO emag_offer_quarantine (account, offer_key, offer_id, errors, payload, first_seen_at, "
               "last_seen_at) VALUES (:account, :key, :id, :errors, :payload, :first, :last) ON CONFLICT (account, "
               "offer_key) DO UPDATE SET offer_id = excluded.offer_id, errors = excluded.errors, payload = "
               "excluded.payload, last_seen_at = excluded.last_seen_at",
            soci::use(account), soci::use(q.offer_key), soci::use(id.value, id.ind), soci::use(q.errors_json),
            soci::use(q.payload), soci::use(now), soci::use(now);
        ++r.quarantined;
    }
    tr.commit();
    return r;
}

std::optional<OfferRow> OfferStore::find(const std::string& account, std::int64_t offer_id) {
    const std::lock_guard lock(mutex_);
    long long id = offer_id;
    soci::rowset<soci::row> rows =
        (session_->prepare << "SELECT " << kColumns
                           << ", payload FROM emag_offers WHERE account = :account AND offer_id = :id",
         soci::use(account), soci::use(id));
    for (const soci::row& row : rows) {
        OfferRow o = read_row(row);
        o.payload = text_at(row, 25);
        return o;
    }
    return std::nullopt;
}

namespace {

// The WHERE clause of a listing: the account, and the search text when given
// (its id form only when it is a number). Bound in order of appearance.
struct OfferQuery {
    std::string where = "account = :account";
    std::string pattern;
    long long id = 0;
    bool has_text = false, has_id = false;

    explicit OfferQuery(const std::string& text) {
        if (text.empty()) {
            return;
        }
        has_text = true;
        pattern = contains_pattern(text);
        where += " AND (";
        if (text.size() <= 10 && text.find_first_not_of("0123456789") == std::string::npos) {
            has_id = true;
            id = std::stoll(text);
            where += "offer_id = :id OR ";
        }
        where += "LOWER(name) LIKE :p1 ESCAPE '!' OR LOWER(part_number) LIKE :p2 ESCAPE '!' OR "
                 "LOWER(part_number_key) LIKE :p3 ESCAPE '!')";
    }

    void bind(soci::details::prepare_temp_type& pt, const std::string& account) {
        pt, soci::use(account);
        if (has_id) {
            pt, soci::use(id);
        }
        if (has_text) {
            pt, soci::use(pattern), soci::use(pattern), soci::use(pattern);
        }
    }
};

} // namespace

std::vector<OfferRow> OfferStore::list(const std::string& account, std::int64_t limit, std::int64_t offset,
                                       const std::string& text) {
    const std::lock_guard lock(mutex_);
    long long lim = limit, off = offset;
    OfferQuery q(text);
    std::vector<OfferRow> out;
    soci::details::prepare_temp_type pt = session_->prepare << "SELECT " << kColumns << " FROM emag_offers WHERE "
                                                            << q.where << " ORDER BY offer_id LIMIT :lim OFFSET :off";
    q.bind(pt, account);
    pt, soci::use(lim), soci::use(off);
    soci::rowset<soci::row> rows(pt);
    for (const soci::row& row : rows) {
        out.push_back(read_row(row));
    }
    return out;
}

std::int64_t OfferStore::count(const std::string& account, const std::string& text) {
    const std::lock_guard lock(mutex_);
    long long n = 0;
    OfferQuery q(text);
    soci::details::prepare_temp_type pt = session_->prepare << "SELECT COUNT(*) FROM emag_offers WHERE " << q.where;
    q.bind(pt, account);
    pt, soci::into(n);
    soci::statement st(pt);
    st.execute(true);
    return n;
}

std::vector<QuarantinedOffer> OfferStore::quarantine(const std::string& account) {
    const std::lock_guard lock(mutex_);
    std::vector<QuarantinedOffer> out;
    soci::rowset<soci::row> rows = (session_->prepare << "SELECT offer_key, offer_id, errors, payload FROM "
                                                         "emag_offer_quarantine WHERE account = :account ORDER BY "
                                                         "offer_key",
                                    soci::use(account));
    for (const soci::row& row : rows) {
        out.push_back({text_at(row, 0), int_at(row, 1), text_at(row, 2), text_at(row, 3)});
    }
    return out;
}

} // namespace erp::emag
