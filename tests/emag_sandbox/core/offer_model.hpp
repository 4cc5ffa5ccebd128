// A product offer as product_offer/read returns it (§8.6). Offers are few
// (tens of thousands) and edited field by field, so plain std::strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/money.hpp"

namespace emag::sandbox {

struct WarehouseValue {
    uint32_t warehouse_id = 1;
    int32_t value = 0;
};

struct Party { // GPSR manufacturer / EU representative
    std::string name, address, email;
};

struct Offer {
    uint64_t id = 0;
    std::string part_number, part_number_key, name, brand, description, url, image_url, safety_information;
    uint32_t category_id = 0;
    uint32_t vendor_category_id = 0; // 0 -> null
    std::vector<std::string> ean;
    int32_t warranty = 0;
    int32_t status = 1; // 0 inactive, 1 active, 2 end of life
    Money sale_price = 0, recommended_price = 0, min_sale_price = 0, max_sale_price = 0;
    std::string currency;
    int32_t vat_id = 1;
    std::vector<WarehouseValue> stock, handling_time;
    int32_t reserved = 0; // units held by unacknowledged orders (estimated_stock = general - reserved)
    int32_t number_of_offers = 1, buy_button_rank = 1;
    Money best_offer_sale_price = 0, best_offer_recommended_price = 0;
    int32_t ownership = 1;
    int32_t validation_status = 9, translation_validation_status = 9, offer_validation_status = 1;
    int32_t genius_eligibility = 0, genius_eligibility_type = 0, genius_computed = 0;
    int32_t supply_lead_time = 14;
    int32_t emag_club = 1;
    std::vector<Party> manufacturer, eu_representative;

    int64_t general_stock() const {
        int64_t sum = 0;
        for (const auto& w : stock)
            sum += w.value;
        return sum;
    }
};

std::string_view validation_status_text(int32_t value);

// `detailed`: manufacturer / eu_representative as arrays (a read filtered to
// one product) instead of presence booleans (§8.6).
nlohmann::json render_offer(const Offer& offer, bool detailed);

} // namespace emag::sandbox
