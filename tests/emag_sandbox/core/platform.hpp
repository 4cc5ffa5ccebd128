// Per-platform constants: time zone, currency, country, VAT table (vat/read).
// VAT rates are those in force when v4.4.9 was published (September 2025):
// Romania 21 % / 11 % since 1 August 2025, Bulgaria 20 % / 9 %, Hungary
// 27 % / 18 % / 5 %. vat_id numbering is the sandbox's own (eMAG's is not
// documented).
#pragma once

#include <string_view>
#include <vector>

#include "core/local_time.hpp"
#include "core/money.hpp"

namespace emag::sandbox {

enum class Language { Ro, Bg, Hu };

struct VatRate {
    int32_t id;
    Money rate; // fraction x10^4: 0.2100 -> 2100
    bool is_default;
};

struct PlatformInfo {
    Zone zone;
    Language language;
    std::string_view currency;
    std::string_view country;
    std::string_view email_domain;
    std::vector<VatRate> vat;
};

inline const PlatformInfo& platform_info(std::string_view platform) {
    static const PlatformInfo ro{Zone::Bucharest, Language::Ro, "RON",
                                 "Romania",       "emag.ro",    {{1, 2100, true}, {2, 1100, false}, {3, 0, false}}};
    static const PlatformInfo bg{Zone::Sofia, Language::Bg, "BGN",
                                 "Bulgaria",  "emag.bg",    {{1, 2000, true}, {2, 900, false}, {3, 0, false}}};
    static const PlatformInfo hu{Zone::Budapest, Language::Hu,
                                 "HUF",          "Hungary",
                                 "emag.hu",      {{1, 2700, true}, {2, 1800, false}, {3, 500, false}, {4, 0, false}}};
    if (platform == "bg" || platform == "fd-bg")
        return bg;
    if (platform == "hu")
        return hu;
    return ro;
}

inline const VatRate* find_vat(const PlatformInfo& p, int64_t vat_id) {
    for (const auto& v : p.vat)
        if (v.id == vat_id)
            return &v;
    return nullptr;
}

} // namespace emag::sandbox
