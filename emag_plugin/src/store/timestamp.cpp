#include "store/timestamp.hpp"

#include <chrono>
#include <cstdio>

namespace erp::emag {

std::string iso8601_utc(int64_t unix_ms) {
    using namespace std::chrono;
    // floor, not truncation toward zero, so times before 1970 stay correct.
    const sys_seconds secs = floor<seconds>(sys_time<milliseconds>(milliseconds(unix_ms)));
    const sys_days day = floor<days>(secs);
    const year_month_day ymd(day);
    const hh_mm_ss<seconds> hms(secs - day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

} // namespace erp::emag
