// eMAG's order cancellation reasons (`reason_cancellation`, API v4.4.9,
// reference §4.10): codes 1, 2, 3 and 15–43, with the doc's English meaning
// and a Romanian seller-portal label. Codes 4–14 are not in the doc and, like
// any code missing here, are "unknown" rather than an error: eMAG may add codes.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace erp::emag {

struct CancellationReason {
    int code;
    std::string_view en; // the doc's meaning
    std::string_view ro; // Romanian label (UTF-8)
};

// All documented reasons, ordered by code.
std::span<const CancellationReason> cancellation_reasons();

// The reason with this code, or nullptr.
const CancellationReason* find_cancellation_reason(int code);

// The label in `lang` ("ro"; anything else gives English): "" when there is no
// code, "unknown (7)" / "necunoscut (7)" for a code not in the table.
std::string cancellation_label(std::optional<int> code, std::string_view lang);

// The order's cancellation reason from `reason_cancellation` or, failing that,
// the pre-4.4.7 key `cancellation_reason`: a JSON integer or canonical integer
// string in 0..INT_MAX. Absent, null or unreadable (and a non-object order):
// nullopt.
std::optional<int> reason_code_from_order(const nlohmann::json& order);

} // namespace erp::emag
