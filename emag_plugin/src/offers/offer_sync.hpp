// emag.offers.sync for one account: every product_offer page into
// emag_offers (DESIGN.md §5.3), and the account's VAT ids (vat/read), which
// price changes are checked against.
//
// Always a full read: product_offer/read has no "modified since" filter
// (reference §8.6), so incremental is not possible. Pages are requested
// `concurrency` at a time and stored in page order, one transaction each;
// an offer whose JSON cannot be typed goes to emag_offer_quarantine with its
// problems and leaves it when a later read is valid.
#pragma once

#include "orders/order_sync.hpp" // SyncProgress: the same progress events as orders

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace erp::emag {

class EmagClient;
class OfferStore;
struct OfferRow;
struct QuarantinedOffer;

struct OfferSyncStats {
    std::uint64_t pages = 0, offers = 0, stored = 0, quarantined = 0;
    std::set<int> vat_ids;
    bool cancelled = false;
};

// A page's offers, typed: rows for emag_offers and quarantine entries.
struct SortedOffers {
    std::vector<OfferRow> valid;
    std::vector<QuarantinedOffer> invalid;
};
SortedOffers sort_offers(const std::string& account, nlohmann::json page);

// Reads the VAT ids vat/read lists for the account (§8).
std::set<int> read_vat_ids(EmagClient& client);

class OfferSync {
  public:
    using Progress = std::function<void(const SyncProgress&)>;
    OfferSync(EmagClient& client, OfferStore& store, std::string account, unsigned concurrency,
              std::function<std::chrono::system_clock::time_point()> now = {}, Progress progress = {},
              std::function<bool()> cancelled = {});

    // Throws ApiError when eMAG cannot be read (pages stored so far stay).
    OfferSyncStats run();

  private:
    EmagClient& client_;
    OfferStore& store_;
    std::string account_;
    unsigned concurrency_;
    std::function<std::chrono::system_clock::time_point()> now_;
    Progress progress_;
    std::function<bool()> cancelled_;
};

} // namespace erp::emag
