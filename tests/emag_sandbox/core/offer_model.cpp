#include "core/offer_model.hpp"

#include <nlohmann/json.hpp>

namespace emag::sandbox {

std::string_view validation_status_text(int32_t value) {
    switch (value) {
    case 0:
        return "Draft";
    case 1:
        return "In Marketplace validation";
    case 2:
        return "Awaiting brand validation";
    case 3:
        return "Waiting for EAN approval";
    case 4:
        return "New documentation pending";
    case 5:
        return "Brand rejected";
    case 6:
        return "EAN rejected";
    case 8:
        return "Documentation rejected";
    case 9:
        return "Approved documentation";
    case 10:
        return "Blocked";
    case 11:
        return "Update awaiting approval";
    case 12:
        return "Update rejected";
    case 13:
        return "Waiting for saleable offer";
    case 14:
        return "Unsuccessful translation";
    case 15:
        return "Translation in progress";
    case 16:
        return "Translation pending";
    case 17:
        return "Partial translation";
    default:
        return "Unknown";
    }
}

namespace {

nlohmann::json warehouses(const std::vector<WarehouseValue>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : list)
        out.push_back({{"warehouse_id", w.warehouse_id}, {"value", w.value}});
    return out;
}

nlohmann::json parties(const std::vector<Party>& list, bool detailed) {
    if (!detailed)
        return !list.empty();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : list)
        out.push_back({{"name", p.name}, {"address", p.address}, {"email", p.email}});
    return out;
}

nlohmann::json status_list(int32_t value) {
    return nlohmann::json::array(
        {{{"value", value}, {"description", validation_status_text(value)}, {"errors", nullptr}}});
}

} // namespace

nlohmann::json render_offer(const Offer& o, bool detailed) {
    nlohmann::json j;
    j["id"] = o.id;
    j["part_number_key"] = o.part_number_key;
    j["part_number"] = o.part_number;
    j["name"] = o.name;
    j["brand"] = o.brand;
    j["description"] = o.description;
    j["url"] = o.url;
    j["category_id"] = o.category_id;
    j["vendor_category_id"] = o.vendor_category_id ? nlohmann::json(o.vendor_category_id) : nlohmann::json();
    j["ean"] = o.ean;
    j["warranty"] = o.warranty;
    j["status"] = o.status;
    j["sale_price"] = format_money(o.sale_price);
    j["recommended_price"] = format_money(o.recommended_price);
    j["min_sale_price"] = format_money(o.min_sale_price);
    j["max_sale_price"] = format_money(o.max_sale_price);
    j["currency"] = o.currency;
    j["vat_id"] = o.vat_id;
    j["images"] = nlohmann::json::array({{{"display_type", 1}, {"url", o.image_url}}});
    j["characteristics"] = nlohmann::json::array();
    j["family"] = {{"id", 0}, {"name", ""}};
    j["stock"] = warehouses(o.stock);
    j["handling_time"] = warehouses(o.handling_time);
    j["general_stock"] = o.general_stock();
    j["estimated_stock"] = std::max<int64_t>(0, o.general_stock() - o.reserved);
    j["supply_lead_time"] = o.supply_lead_time;
    j["emag_club"] = o.emag_club;
    j["number_of_offers"] = o.number_of_offers;
    j["buy_button_rank"] = o.buy_button_rank;
    j["best_offer_sale_price"] = format_money(o.best_offer_sale_price);
    j["best_offer_recommended_price"] = format_money(o.best_offer_recommended_price);
    j["ownership"] = o.ownership;
    j["validation_status"] = status_list(o.validation_status);
    j["translation_validation_status"] = status_list(o.translation_validation_status);
    j["offer_validation_status"] = {{"value", o.offer_validation_status},
                                    {"description", o.offer_validation_status == 1 ? "Valid" : "Invalid price"}};
    j["genius_eligibility"] = o.genius_eligibility;
    j["genius_eligibility_type"] = o.genius_eligibility_type;
    j["genius_computed"] = o.genius_computed;
    j["safety_information"] = o.safety_information;
    j["manufacturer"] = parties(o.manufacturer, detailed);
    j["eu_representative"] = parties(o.eu_representative, detailed);
    j["doc_errors"] = nullptr;
    return j;
}

} // namespace emag::sandbox
