// The one time format the plugin stores: ISO-8601 UTC text
// "YYYY-MM-DDTHH:MM:SSZ", identical on SQLite and PostgreSQL and sortable as
// text (the "timestamp" type of erp_db_mapping).
#pragma once

#include <cstdint>
#include <string>

namespace erp::emag {

// Milliseconds since the Unix epoch (e.g. HostApi::now_ms()) as
// "YYYY-MM-DDTHH:MM:SSZ"; sub-second digits are dropped, not rounded.
std::string iso8601_utc(int64_t unix_ms);

} // namespace erp::emag
