// The offers tables (emag_offers, emag_offer_quarantine; docs/schema.md):
// what product_offer/read returned, per account. All offer SQL is here.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

// One emag_offers row. Money in 1/10000 units (_x4), lists as JSON text.
struct OfferRow {
    std::string account;
    std::int64_t offer_id = 0;
    std::string part_number, part_number_key, ean_json = "[]", name, brand, currency;
    std::optional<int> status, vat_id, validation_status, translation_validation_status, offer_validation_status,
        buy_button_rank, number_of_offers;
    std::optional<std::int64_t> sale_price_x4, recommended_price_x4, min_sale_price_x4, max_sale_price_x4,
        best_offer_sale_price_x4, general_stock, estimated_stock;
    std::string stock_json = "[]", handling_time_json = "[]";
    std::string payload; // the offer's JSON as read
    std::string last_seen_at;
};

struct QuarantinedOffer {
    std::string offer_key; // the id as text, or "payload:<hash>" without a usable id
    std::optional<std::int64_t> offer_id;
    std::string errors_json;
    std::string payload;
};

struct OfferBatchResult {
    unsigned stored = 0, quarantined = 0, released = 0;
};

class OfferStore {
  public:
    explicit OfferStore(const std::string& db_url);
    ~OfferStore();
    OfferStore(const OfferStore&) = delete;
    OfferStore& operator=(const OfferStore&) = delete;

    // Upserts a page of offers (last_seen_at = now) and quarantines the
    // invalid ones, in one transaction; a valid read releases the offer from
    // quarantine.
    OfferBatchResult store_batch(const std::string& account, const std::vector<OfferRow>& offers,
                                 const std::vector<QuarantinedOffer>& invalid, std::string_view now_iso);

    std::optional<OfferRow> find(const std::string& account, std::int64_t offer_id);
    // Ordered by offer id, without payloads. `text` (optional) keeps the
    // offers whose id is it (when it is a number), or whose name, part number
    // or part_number_key contains it (ASCII case-insensitive).
    std::vector<OfferRow> list(const std::string& account, std::int64_t limit, std::int64_t offset,
                               const std::string& text = {});
    std::int64_t count(const std::string& account, const std::string& text = {});
    std::vector<QuarantinedOffer> quarantine(const std::string& account);

  private:
    std::mutex mutex_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
