// Reading eMAG request data leniently but safely. The official client sends
// `data` form-encoded (PHP http_build_query), so every scalar may arrive as a
// string ("1") and every list as an object with numeric keys ({"0":..}); JSON
// clients send numbers and arrays. Both are accepted; anything else is a
// clear isError, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/marketplace.hpp"

namespace emag::sandbox {

// Integer from a JSON integer, an integral float (3.0) or a decimal string ("3", " 3" refused).
std::optional<int64_t> as_int(const nlohmann::json& value);

// Sentinel-returning form (std::optional trips GCC 12's -Wmaybe-uninitialized
// in long functions): kAbsent when p is null, kInvalid when not an integer.
inline constexpr int64_t kAbsent = INT64_MIN;
inline constexpr int64_t kInvalid = INT64_MIN + 1;
int64_t int_param(const nlohmann::json* p);

// A single integer or a list of them (array, or object with numeric keys).
std::optional<std::vector<int64_t>> as_int_list(const nlohmann::json& value);

// Array as-is; object whose keys are all numeric -> its values in key order;
// any other object -> [object] (one entity); else nullopt.
std::optional<std::vector<nlohmann::json>> as_entity_list(const nlohmann::json& value);

// Pointer to data[key] when data is an object holding it (and it's not null).
const nlohmann::json* find_param(const nlohmann::json& data, std::string_view key);

struct Page {
    int64_t current = 1;
    int64_t per_page = 100;
};

// currentPage 1..65535 (default 1); itemsPerPage default 100, above 100
// silently capped at 100, below 1 an error. Error -> message.
std::optional<std::string> parse_page(const nlohmann::json& data, Page& page);

// {"isError":..,"messages":[..],"results":<results_json>}
std::string envelope(bool is_error, const std::vector<std::string>& messages, std::string_view results_json);
ApiResult ok(std::string_view results_json);
ApiResult error(std::vector<std::string> messages, unsigned http_status = 200);

} // namespace emag::sandbox
