// eMAG's local wall-clock time. The Marketplace API sends and expects
// timestamps as "YYYY-mm-dd HH:ii:ss" with no zone; the plugin reads them in
// the account's zone (Europe/Bucharest for ro and fd-ro, Europe/Sofia for bg
// and fd-bg, Europe/Budapest for hu, or a configured one) and stores UTC.
//
// GCC 12's <chrono> has the calendar but no tz database, so this is a small,
// exact model of the zones eMAG sellers use: UTC, and European zones that
// follow the EU summer-time rule (summer time, standard offset + 1h, from the
// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC; the
// same instant in every zone). The rule is applied to every year. It agrees
// with the tz database hour by hour from 1997 to 2037 for every supported
// zone, except Europe/Riga, Vilnius and Tallinn before 2003 (they had years
// without summer time); earlier instants may be off by an hour (in 1996
// Bucharest and Sofia still switched at local midnight). If the EU ever
// drops summer time, this is the one place to change.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace erp::emag {

// A local time read in a zone (TimeZone::to_utc).
struct LocalToUtc {
    // The instant. For an ambiguous local time, the earlier of the two (the
    // summer-time reading); for a skipped one, the reading with the offset in
    // force before the switch (standard time), which lands after the gap:
    // 03:30 on the March switch day in Bucharest is 01:30 UTC = 04:30 local.
    std::chrono::sys_seconds utc{};
    // The second instant of an ambiguous local time (the standard-time
    // reading, one hour after `utc`); equal to `utc` otherwise.
    std::chrono::sys_seconds later{};
    // The local time occurs twice (the repeated hour of the October switch).
    bool ambiguous = false;
    // The local time does not exist (the missing hour of the March switch).
    bool skipped = false;
};

class TimeZone {
  public:
    // The zone of an IANA name, matched exactly (case-sensitive): "UTC",
    // "Etc/UTC" and the EU-rule zones listed by supported_zones(); nullopt
    // for any other (e.g. "Europe/Chisinau", which switches at other hours).
    static std::optional<TimeZone> find(std::string_view iana);
    static TimeZone utc();

    // Every name find() accepts, in a fixed order.
    static std::vector<std::string_view> supported_zones();
    // "UTC, Etc/UTC, Europe/Bucharest, ..." for error messages.
    static std::string supported_zones_text();

    // The IANA name it was found by ("Etc/UTC" stays "Etc/UTC").
    std::string_view name() const noexcept { return name_; }
    // The offset from UTC in winter: +2h for Bucharest.
    std::chrono::seconds standard_offset() const noexcept { return standard_; }
    // Whether the zone has summer time (false for UTC).
    bool has_summer_time() const noexcept { return summer_time_; }

    // The offset from UTC in force at t: standard_offset(), or one hour more
    // in summer time.
    std::chrono::seconds offset_at_utc(std::chrono::sys_seconds t) const;
    // Whether t falls in summer time.
    bool is_summer_time(std::chrono::sys_seconds t) const;

    // The instant a local wall-clock time denotes; see LocalToUtc for the
    // repeated and the missing hour.
    LocalToUtc to_utc(std::chrono::local_seconds t) const;
    // The wall-clock time at t. to_local(to_utc(x).utc) == x for every x that
    // is neither ambiguous nor skipped (and for ambiguous ones, also with
    // .later).
    std::chrono::local_seconds to_local(std::chrono::sys_seconds t) const;

    friend bool operator==(const TimeZone&, const TimeZone&) = default;

  private:
    TimeZone(std::string_view name, std::chrono::seconds standard, bool summer_time) noexcept
        : name_(name), standard_(standard), summer_time_(summer_time) {}

    std::string_view name_; // points into the static zone table
    std::chrono::seconds standard_{0};
    bool summer_time_ = false;
};

// eMAG's "YYYY-MM-DD HH:MM:SS", exactly: four-digit year, two-digit month,
// day, hour, minute and second, one space; a trailing fraction of 1 to 9
// digits after a '.' ("...:SS.000000") is accepted and dropped. The date must
// exist (no 2026-02-30), hour 0-23, minute and second 0-59. Anything else
// ("2026-1-5 ...", a 'T', a zone, "24:00:00", "0000-00-00 00:00:00", "")
// gives nullopt.
std::optional<std::chrono::local_seconds> parse_emag_datetime(std::string_view text);

// "YYYY-MM-DD HH:MM:SS", the form eMAG expects.
std::string format_emag_datetime(std::chrono::local_seconds t);

// "YYYY-MM-DDTHH:MM:SSZ" (the stored form, like iso8601_utc(int64_t) in
// store/timestamp.hpp): "2026-11-29T22:48:07Z".
std::string iso8601_utc(std::chrono::sys_seconds t);

} // namespace erp::emag
