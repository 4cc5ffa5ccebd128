// The eMAG / Fashion Days platforms an account can belong to, with the API
// base URL, locale, default currency and the time zone the API's zone-less
// timestamps are read in (reference: emag-api.md §1.1, DESIGN.md §5.2).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace erp::emag {

struct Platform {
    std::string_view id;               // config value: "ro", "bg", "hu", "fd-ro", "fd-bg"
    std::string_view name;             // for people: "eMAG Romania"
    std::string_view base_url;         // MARKETPLACE_API_URL, ends in /api-3
    std::string_view locale;           // "ro_RO"
    std::string_view currency;         // ISO 4217, "RON"
    std::string_view default_timezone; // IANA, "Europe/Bucharest"
};

// Every platform, in the documentation's order.
std::span<const Platform> all_platforms() noexcept;

// The platform with this id, or nullptr.
const Platform* find_platform(std::string_view id) noexcept;

// "ro, bg, hu, fd-ro, fd-bg": for error messages.
std::string platform_ids_text();

} // namespace erp::emag
