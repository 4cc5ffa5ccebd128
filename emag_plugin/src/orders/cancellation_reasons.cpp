#include "orders/cancellation_reasons.hpp"

#include "orders/decimal.hpp"

#include <algorithm>
#include <array>
#include <climits>

namespace erp::emag {

namespace {

// English: the doc's table (§4.10), kept close to its wording. Romanian:
// written for the seller's screens, not a translation of eMAG's own portal.
constexpr std::array<CancellationReason, 32> kReasons{{
    {1, "Out of stock", "Stoc epuizat"},
    {2, "Cancelled by the customer", "Anulată de client"},
    {3, "Customer cannot be reached", "Clientul nu poate fi contactat"},
    {15, "Courier delivery time too long", "Termen de livrare prin curier prea lung"},
    {16, "Shipping cost too high", "Cost de transport prea mare"},
    {17, "Delivery time too long (product not yet in seller warehouse)",
     "Termen de livrare prea lung (produsul nu este încă în depozitul vânzătorului)"},
    {18, "Better offer in another shop", "Ofertă mai bună în alt magazin"},
    {19, "Payment order not paid", "Ordinul de plată nu a fost achitat"},
    {20, "Not delivered (courier reasons)", "Nelivrată din motive ce țin de curier"},
    {21, "Others", "Altele"},
    {22, "Incomplete order (automatic cancellation)", "Comandă incompletă (anulare automată)"},
    {23, "Customer changed their mind", "Clientul s-a răzgândit"},
    {24, "At customer's request", "La cererea clientului"},
    {25, "Failed delivery", "Livrare eșuată"},
    {26, "Late shipment", "Expediere întârziată"},
    {27, "Irrelevant order", "Comandă irelevantă"},
    {28, "Cancelled by SuperAdmin at seller's request", "Anulată de SuperAdmin la cererea vânzătorului"},
    {29, "Blacklisted customer", "Client pe lista neagră"},
    {30, "No VAT invoice", "Fără factură cu TVA"},
    {31, "Marketplace partner (seller) requested cancellation",
     "Anulare solicitată de partenerul Marketplace (vânzător)"},
    {32, "Delivery estimate too long", "Termen estimat de livrare prea lung"},
    {33, "Product no longer in the partner's stock", "Produsul nu mai este în stocul partenerului"},
    {34, "Other reasons", "Alte motive"},
    {35, "Delivery too expensive", "Livrare prea scumpă"},
    {36, "Customer found a better price elsewhere", "Clientul a găsit un preț mai bun în altă parte"},
    {37, "Customer placed another eMAG order with a similar product",
     "Clientul a plasat altă comandă eMAG cu un produs similar"},
    {38, "Customer changed their mind, no longer needs the product",
     "Clientul s-a răzgândit, nu mai are nevoie de produs"},
    {39, "Customer can only buy in instalments", "Clientul poate cumpăra doar în rate"},
    {40, "Other reasons EIS", "Alte motive EIS"}, // the doc does not explain "EIS"
    {41, "Out of stock (instalments)", "Stoc epuizat (rate)"},
    {42, "Product no longer in the partner's stock (instalments)",
     "Produsul nu mai este în stocul partenerului (rate)"},
    // The doc gives 43 the very same text as 32; kept identical on purpose
    // (the code, not the label, tells them apart).
    {43, "Delivery estimate too long", "Termen estimat de livrare prea lung"},
}};

constexpr bool sorted_unique() {
    for (std::size_t i = 1; i < kReasons.size(); ++i)
        if (kReasons[i - 1].code >= kReasons[i].code)
            return false;
    return true;
}
static_assert(sorted_unique(), "kReasons must be sorted by code, without duplicates");

std::optional<int> code_at(const nlohmann::json& order, const char* key) {
    const auto it = order.find(key);
    if (it == order.end())
        return std::nullopt;
    const std::optional<std::int64_t> v = int_from_json_in(*it, 0, INT_MAX);
    if (!v)
        return std::nullopt;
    return static_cast<int>(*v);
}

} // namespace

std::span<const CancellationReason> cancellation_reasons() {
    return kReasons;
}

const CancellationReason* find_cancellation_reason(int code) {
    const auto it = std::lower_bound(kReasons.begin(), kReasons.end(), code,
                                     [](const CancellationReason& r, int c) { return r.code < c; });
    if (it == kReasons.end() || it->code != code)
        return nullptr;
    return &*it;
}

std::string cancellation_label(std::optional<int> code, std::string_view lang) {
    if (!code)
        return {};
    const bool ro = lang == "ro";
    if (const CancellationReason* r = find_cancellation_reason(*code))
        return std::string(ro ? r->ro : r->en);
    std::string out(ro ? "necunoscut (" : "unknown (");
    out.append(std::to_string(*code));
    out.push_back(')');
    return out;
}

std::optional<int> reason_code_from_order(const nlohmann::json& order) {
    if (!order.is_object())
        return std::nullopt;
    if (std::optional<int> c = code_at(order, "reason_cancellation"))
        return c;
    return code_at(order, "cancellation_reason");
}

} // namespace erp::emag
