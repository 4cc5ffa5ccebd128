#include "orders/local_time.hpp"

#include <array>
#include <cstdio>

namespace erp::emag {

namespace {

using namespace std::chrono;

struct ZoneEntry {
    std::string_view name;
    int standard_hours;
    bool summer_time;
};

// UTC first, then the EU-rule zones by standard offset. Europe/Chisinau is
// deliberately absent: Moldova switches at 02:00/03:00 local, not 01:00 UTC.
constexpr std::array<ZoneEntry, 27> kZones{{
    {"UTC", 0, false},
    {"Etc/UTC", 0, false},
    {"Europe/Bucharest", 2, true},
    {"Europe/Sofia", 2, true},
    {"Europe/Athens", 2, true},
    {"Europe/Helsinki", 2, true},
    {"Europe/Riga", 2, true},
    {"Europe/Vilnius", 2, true},
    {"Europe/Tallinn", 2, true},
    {"Europe/Budapest", 1, true},
    {"Europe/Berlin", 1, true},
    {"Europe/Vienna", 1, true},
    {"Europe/Prague", 1, true},
    {"Europe/Bratislava", 1, true},
    {"Europe/Warsaw", 1, true},
    {"Europe/Paris", 1, true},
    {"Europe/Rome", 1, true},
    {"Europe/Madrid", 1, true},
    {"Europe/Amsterdam", 1, true},
    {"Europe/Brussels", 1, true},
    {"Europe/Zagreb", 1, true},
    {"Europe/Ljubljana", 1, true},
    {"Europe/Copenhagen", 1, true},
    {"Europe/Stockholm", 1, true},
    {"Europe/London", 0, true},
    {"Europe/Dublin", 0, true},
    {"Europe/Lisbon", 0, true},
}};

// Summer time of year y: [last Sunday of March, last Sunday of October), both
// at 01:00 UTC.
sys_seconds summer_start(year y) {
    return sys_days{y / March / Sunday[last]} + 1h;
}
sys_seconds summer_end(year y) {
    return sys_days{y / October / Sunday[last]} + 1h;
}

// n decimal digits at text[pos], nothing else (no sign, no space).
bool read_digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > text.size())
        return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

// "YYYY-MM-DD<sep>HH:MM:SS<suffix>" of a count of seconds since the epoch.
std::string format_seconds(seconds since_epoch, char sep, const char* suffix) {
    const sys_seconds secs{since_epoch};
    const sys_days day = floor<days>(secs); // floor: correct before 1970 too
    const year_month_day ymd(day);
    const hh_mm_ss<seconds> hms(secs - day);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d%s", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sep,
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), suffix);
    return buf;
}

} // namespace

std::optional<TimeZone> TimeZone::find(std::string_view iana) {
    for (const ZoneEntry& z : kZones) {
        if (z.name == iana)
            return TimeZone(z.name, std::chrono::hours(z.standard_hours), z.summer_time);
    }
    return std::nullopt;
}

TimeZone TimeZone::utc() {
    return TimeZone(kZones[0].name, std::chrono::seconds(0), false);
}

std::vector<std::string_view> TimeZone::supported_zones() {
    std::vector<std::string_view> names;
    names.reserve(kZones.size());
    for (const ZoneEntry& z : kZones)
        names.push_back(z.name);
    return names;
}

std::string TimeZone::supported_zones_text() {
    std::string text;
    for (const ZoneEntry& z : kZones) {
        if (!text.empty())
            text += ", ";
        text += z.name;
    }
    return text;
}

bool TimeZone::is_summer_time(std::chrono::sys_seconds t) const {
    if (!summer_time_)
        return false;
    // The UTC year of t: the switches are months away from New Year.
    const year y = year_month_day(floor<days>(t)).year();
    return summer_start(y) <= t && t < summer_end(y);
}

std::chrono::seconds TimeZone::offset_at_utc(std::chrono::sys_seconds t) const {
    return is_summer_time(t) ? standard_ + std::chrono::hours(1) : standard_;
}

std::chrono::local_seconds TimeZone::to_local(std::chrono::sys_seconds t) const {
    return local_seconds{t.time_since_epoch() + offset_at_utc(t)};
}

LocalToUtc TimeZone::to_utc(std::chrono::local_seconds t) const {
    // Only two offsets exist; a reading is valid when the offset in force at
    // the instant it gives is the offset it was read with.
    const seconds std_off = standard_;
    const seconds summer_off = standard_ + std::chrono::hours(1);
    const sys_seconds as_standard{t.time_since_epoch() - std_off};
    const sys_seconds as_summer{t.time_since_epoch() - summer_off};
    const bool standard_ok = offset_at_utc(as_standard) == std_off;
    const bool summer_ok = summer_time_ && offset_at_utc(as_summer) == summer_off;

    LocalToUtc r;
    if (standard_ok && summer_ok) {
        // October: the summer reading is the earlier instant.
        r.utc = as_summer;
        r.later = as_standard;
        r.ambiguous = true;
    } else if (summer_ok) {
        r.utc = r.later = as_summer;
    } else {
        // Standard time, or the March gap: read with the pre-switch
        // (standard) offset, which lands after the gap.
        r.utc = r.later = as_standard;
        r.skipped = !standard_ok;
    }
    return r;
}

std::optional<std::chrono::local_seconds> parse_emag_datetime(std::string_view text) {
    constexpr std::size_t base_len = 19; // "YYYY-MM-DD HH:MM:SS"
    if (text.size() < base_len)
        return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d) ||
        !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) || !read_digits(text, 17, 2, s))
        return std::nullopt;
    if (text.size() > base_len) {
        const std::string_view fraction = text.substr(base_len + 1);
        if (text[base_len] != '.' || fraction.empty() || fraction.size() > 9)
            return std::nullopt;
        int ignored = 0;
        for (std::size_t i = 0; i < fraction.size(); ++i) {
            if (!read_digits(fraction, i, 1, ignored))
                return std::nullopt;
        }
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59)
        return std::nullopt;
    return local_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

std::string format_emag_datetime(std::chrono::local_seconds t) {
    return format_seconds(t.time_since_epoch(), ' ', "");
}

std::string iso8601_utc(std::chrono::sys_seconds t) {
    return format_seconds(t.time_since_epoch(), 'T', "Z");
}

} // namespace erp::emag
