// eMAG timestamps ("YYYY-mm-dd HH:ii:ss") carry no zone: they are the
// platform's local time. GCC 12 ships no tz database, so the EU rules are
// coded here: standard offset UTC+2 (Europe/Bucharest, Europe/Sofia) or UTC+1
// (Europe/Budapest), +1 h of summer time from the last Sunday of March to the
// last Sunday of October, both switches at 01:00 UTC.
//
// Instants are int64 seconds since the Unix epoch (UTC) throughout the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emag::sandbox {

enum class Zone { Bucharest, Sofia, Budapest };

// ro, fd-ro -> Bucharest; bg, fd-bg -> Sofia; hu -> Budapest; else Bucharest.
Zone zone_for_platform(std::string_view platform);

// Seconds east of UTC in force at `utc` (7200/10800 or 3600/7200).
int utc_offset(Zone zone, int64_t utc);

// "2025-10-26 03:30:00".
std::string format_local(Zone zone, int64_t utc);

// Strict "YYYY-mm-dd HH:ii:ss" (exactly 19 chars, valid calendar fields).
// Repeated hour (clocks go back): the EARLIER instant (summer-time reading).
// Skipped hour (clocks go forward, e.g. 03:30 in Bucharest): read with the
// offset in force before the gap, so it lands one hour later after the switch
// (as Python fold=0 / most libraries do).
std::optional<int64_t> parse_local(Zone zone, std::string_view text);

// Calendar helpers shared with the generator.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
int64_t utc_from_fields(int y, int mo, int d, int h, int mi, int s);

} // namespace emag::sandbox
