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

std::optional<std::chrono::sys_seconds> parse_iso8601_utc(std::string_view t) {
    using namespace std::chrono;
    if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') {
        return std::nullopt;
    }
    const auto num = [&](std::size_t at, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') {
                return false;
            }
            out = out * 10 + (t[i] - '0');
        }
        return true;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, s) ||
        h > 23 || mi > 59 || s > 59) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace erp::emag
