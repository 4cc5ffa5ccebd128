// The one time format the plugin stores: ISO-8601 UTC text
// "YYYY-MM-DDTHH:MM:SSZ", identical on SQLite and PostgreSQL and sortable as
// text (the "timestamp" type of erp_db_mapping).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace erp::emag {

// Milliseconds since the Unix epoch (e.g. HostApi::now_ms()) as
// "YYYY-MM-DDTHH:MM:SSZ"; sub-second digits are dropped, not rounded.
std::string iso8601_utc(int64_t unix_ms);

// "YYYY-MM-DDTHH:MM:SSZ" back to an instant; nullopt for anything else
// (including impossible dates).
std::optional<std::chrono::sys_seconds> parse_iso8601_utc(std::string_view text);

} // namespace erp::emag
