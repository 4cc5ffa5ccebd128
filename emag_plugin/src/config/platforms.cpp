#include "config/platforms.hpp"

#include <array>

namespace erp::emag {
namespace {

// emag-api.md §1.1 (API v4.4.9). The Fashion Days hosts changed in 4.4.8:
// keep these in step with the documentation, never with older samples.
constexpr std::array<Platform, 5> kPlatforms{{
    {"ro", "eMAG Romania", "https://marketplace-api.emag.ro/api-3", "ro_RO", "RON", "Europe/Bucharest"},
    {"bg", "eMAG Bulgaria", "https://marketplace-api.emag.bg/api-3", "bg_BG", "BGN", "Europe/Sofia"},
    {"hu", "eMAG Hungary", "https://marketplace-api.emag.hu/api-3", "hu_HU", "HUF", "Europe/Budapest"},
    {"fd-ro", "Fashion Days Romania", "https://marketplace-ro-api.fashiondays.com/api-3", "ro_RO", "RON",
     "Europe/Bucharest"},
    {"fd-bg", "Fashion Days Bulgaria", "https://marketplace-bg-api.fashiondays.com/api-3", "bg_BG", "BGN",
     "Europe/Sofia"},
}};

} // namespace

std::span<const Platform> all_platforms() noexcept {
    return kPlatforms;
}

const Platform* find_platform(std::string_view id) noexcept {
    for (const Platform& p : kPlatforms) {
        if (p.id == id) {
            return &p;
        }
    }
    return nullptr;
}

std::string platform_ids_text() {
    std::string out;
    for (const Platform& p : kPlatforms) {
        if (!out.empty()) {
            out += ", ";
        }
        out += p.id;
    }
    return out;
}

} // namespace erp::emag
