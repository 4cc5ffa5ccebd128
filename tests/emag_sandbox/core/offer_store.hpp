// The seller's offers and the offer routes: product_offer/read|count|save
// (§8.3, 8.6), the light offer/save (§8.4), PATCH offer_stock/{id}, vat/read.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/marketplace.hpp"
#include "core/offer_model.hpp"
#include "core/platform.hpp"

namespace emag::sandbox {

// The route that applied an offer update.
enum class OfferRoute : uint8_t { LightSave, ProductOfferSave, OfferStock };

// "offer/save", "product_offer/save", "offer_stock".
const char* offer_route_name(OfferRoute route);

// One applied update: the values it set (a field is present only when the
// request carried it). Refused updates are never recorded.
struct OfferUpdate {
    uint64_t seq = 0; // 1, 2, 3... per store
    uint64_t offer_id = 0;
    OfferRoute route = OfferRoute::LightSave;
    std::optional<Money> sale_price;
    std::optional<int32_t> status;
    std::optional<std::vector<WarehouseValue>> stock; // the resulting list
    std::optional<int32_t> vat_id;
};

class OfferStore {
  public:
    explicit OfferStore(const PlatformInfo& platform) : platform_(platform) {}

    void assign(std::vector<Offer> offers) { offers_ = std::move(offers); }
    const std::vector<Offer>& all() const { return offers_; }
    Offer* find(uint64_t id);

    ApiResult read(const nlohmann::json& data) const;
    ApiResult count(const nlohmann::json& data) const;
    ApiResult save(const nlohmann::json& data);       // product_offer/save
    ApiResult light_save(const nlohmann::json& data); // offer/save
    ApiResult patch_stock(const std::string& id, const std::string& body);
    ApiResult vat_read() const;
    std::string all_json() const;

    // The append-only history of applied offer updates, bounded to the last
    // `max_updates` entries (oldest dropped first, and counted).
    static constexpr std::size_t kDefaultMaxUpdates = 200000;
    void set_max_updates(std::size_t max_updates);
    const std::deque<OfferUpdate>& updates() const { return updates_; }
    uint64_t dropped_updates() const { return dropped_updates_; }
    // {"next": last seq (0 if none), "dropped": D, "entries": [{"seq", "id",
    // "route", and "sale_price" ("12.3400"), "status", "stock"
    // ([{"warehouse_id", "value"}]), "vat_id" when set}]}: seq > since, oldest first.
    std::string updates_json(uint64_t since) const;

  private:
    void record(const Offer& offer, OfferRoute route, bool sale_price, bool status, bool stock, bool vat_id);

    const PlatformInfo& platform_;
    std::vector<Offer> offers_;       // ascending id
    std::deque<OfferUpdate> updates_; // ascending, contiguous seq
    std::size_t max_updates_ = kDefaultMaxUpdates;
    uint64_t next_seq_ = 1;
    uint64_t dropped_updates_ = 0;
};

} // namespace emag::sandbox
