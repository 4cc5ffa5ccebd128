// The seller's offers and the offer routes: product_offer/read|count|save
// (§8.3, 8.6), the light offer/save (§8.4), PATCH offer_stock/{id}, vat/read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/marketplace.hpp"
#include "core/offer_model.hpp"
#include "core/platform.hpp"

namespace emag::sandbox {

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

  private:
    const PlatformInfo& platform_;
    std::vector<Offer> offers_; // ascending id
};

} // namespace emag::sandbox
