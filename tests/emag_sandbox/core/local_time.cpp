#include "core/local_time.hpp"

#include <cstdio>

namespace emag::sandbox {

// Howard Hinnant's days_from_civil: proleptic Gregorian, exact for any year.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

struct Civil {
    int64_t y;
    unsigned m, d;
};

Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Day number of the last Sunday of month m (March or October) in year y.
int64_t last_sunday(int64_t y, unsigned m) {
    const int64_t last = days_from_civil(y, m, 31);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday -> (days + 4) mod 7.
    const int64_t weekday = ((last + 4) % 7 + 7) % 7;
    return last - weekday;
}

bool is_summer(int64_t utc) {
    const int64_t y = civil_from_days(floor_div(utc, 86400)).y;
    const int64_t start = last_sunday(y, 3) * 86400 + 3600; // 01:00 UTC
    const int64_t end = last_sunday(y, 10) * 86400 + 3600;
    return utc >= start && utc < end;
}

int standard_offset(Zone zone) {
    return zone == Zone::Budapest ? 3600 : 7200;
}

} // namespace

int64_t utc_from_fields(int y, int mo, int d, int h, int mi, int s) {
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

Zone zone_for_platform(std::string_view platform) {
    if (platform == "bg" || platform == "fd-bg")
        return Zone::Sofia;
    if (platform == "hu")
        return Zone::Budapest;
    return Zone::Bucharest;
}

int utc_offset(Zone zone, int64_t utc) {
    return standard_offset(zone) + (is_summer(utc) ? 3600 : 0);
}

std::string format_local(Zone zone, int64_t utc) {
    const int64_t local = utc + utc_offset(zone, utc);
    const int64_t days = floor_div(local, 86400);
    const int64_t secs = local - days * 86400;
    const Civil c = civil_from_days(days);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(c.y), c.m, c.d,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60));
    return buf;
}

std::optional<int64_t> parse_local(Zone zone, std::string_view t) {
    if (t.size() != 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':')
        return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) -> int {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (t[i] < '0' || t[i] > '9')
                return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[mo - 1] + (mo == 2 && leap))
        return std::nullopt;
    const int64_t local = utc_from_fields(y, mo, d, h, mi, s);
    const int std_off = standard_offset(zone);
    const int64_t as_summer = local - std_off - 3600;
    const int64_t as_winter = local - std_off;
    // Both readings valid only in the repeated hour: summer time is the earlier instant.
    if (is_summer(as_summer))
        return as_summer;
    if (!is_summer(as_winter))
        return as_winter;
    // The skipped hour (neither reading is self-consistent): use the pre-gap (winter) offset.
    return as_winter;
}

} // namespace emag::sandbox
