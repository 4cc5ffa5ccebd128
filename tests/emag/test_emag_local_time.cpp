// eMAG's zone-less local timestamps: the EU summer-time model of
// orders/local_time against exact expected values, against a brute-force
// search over offsets, and against the system's tz database when it exists.
#define BOOST_TEST_MODULE emag_local_time
#include <boost/test/unit_test.hpp>

#include "orders/local_time.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

using namespace erp::emag;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

TimeZone zone(std::string_view name) {
    const std::optional<TimeZone> z = TimeZone::find(name);
    BOOST_TEST_REQUIRE(z.has_value(), "zone " << name << " not found");
    return *z;
}

local_seconds local(std::string_view text) {
    const std::optional<local_seconds> t = parse_emag_datetime(text);
    BOOST_TEST_REQUIRE(t.has_value(), "cannot parse " << text);
    return *t;
}

// An instant from its ISO-8601 UTC text, via the local-time parser (which
// only knows the "YYYY-MM-DD HH:MM:SS" form).
sys_seconds utc(std::string text) {
    BOOST_TEST_REQUIRE(text.size() == 20u);
    BOOST_TEST_REQUIRE(text[10] == 'T');
    BOOST_TEST_REQUIRE(text[19] == 'Z');
    text[10] = ' ';
    text.pop_back();
    return sys_seconds{local(text).time_since_epoch()};
}

std::string fmt(local_seconds t) {
    return format_emag_datetime(t);
}

// A non-ambiguous, non-skipped local time: its one instant.
void expect_plain(const TimeZone& z, std::string_view local_text, const std::string& utc_text) {
    const LocalToUtc r = z.to_utc(local(local_text));
    BOOST_TEST_CONTEXT(z.name() << " " << local_text) {
        BOOST_TEST(!r.ambiguous);
        BOOST_TEST(!r.skipped);
        BOOST_TEST(iso8601_utc(r.utc) == utc_text);
        BOOST_TEST(iso8601_utc(r.later) == utc_text);
        BOOST_TEST(fmt(z.to_local(r.utc)) == std::string(local_text));
    }
}

// The repeated hour of October.
void expect_ambiguous(const TimeZone& z, std::string_view local_text, const std::string& earlier,
                      const std::string& later) {
    const LocalToUtc r = z.to_utc(local(local_text));
    BOOST_TEST_CONTEXT(z.name() << " " << local_text) {
        BOOST_TEST(r.ambiguous);
        BOOST_TEST(!r.skipped);
        BOOST_TEST(iso8601_utc(r.utc) == earlier);
        BOOST_TEST(iso8601_utc(r.later) == later);
        BOOST_TEST(fmt(z.to_local(r.utc)) == std::string(local_text));
        BOOST_TEST(fmt(z.to_local(r.later)) == std::string(local_text));
        BOOST_TEST(z.offset_at_utc(r.utc) == z.standard_offset() + 1h);
        BOOST_TEST(z.offset_at_utc(r.later) == z.standard_offset());
    }
}

// The missing hour of March: read with standard time, lands after the gap.
void expect_skipped(const TimeZone& z, std::string_view local_text, const std::string& utc_text,
                    const std::string& lands_at) {
    const LocalToUtc r = z.to_utc(local(local_text));
    BOOST_TEST_CONTEXT(z.name() << " " << local_text) {
        BOOST_TEST(r.skipped);
        BOOST_TEST(!r.ambiguous);
        BOOST_TEST(iso8601_utc(r.utc) == utc_text);
        BOOST_TEST(iso8601_utc(r.later) == iso8601_utc(r.utc));
        BOOST_TEST(fmt(z.to_local(r.utc)) == lands_at);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(find_supported_and_unknown_zones) {
    BOOST_TEST(TimeZone::find("Europe/Bucharest")->name() == "Europe/Bucharest");
    BOOST_TEST(TimeZone::find("Europe/Bucharest")->standard_offset() == 2h);
    BOOST_TEST(TimeZone::find("Europe/Sofia")->standard_offset() == 2h);
    BOOST_TEST(TimeZone::find("Europe/Budapest")->standard_offset() == 1h);
    BOOST_TEST(TimeZone::find("Europe/London")->standard_offset() == 0h);
    BOOST_TEST(TimeZone::find("Europe/London")->has_summer_time());
    BOOST_TEST(TimeZone::find("Etc/UTC")->name() == "Etc/UTC");
    BOOST_TEST(!TimeZone::find("UTC")->has_summer_time());
    BOOST_TEST((TimeZone::utc() == *TimeZone::find("UTC")));

    BOOST_TEST(!TimeZone::find("Mars/Olympus").has_value());
    BOOST_TEST(!TimeZone::find("Europe/Chisinau").has_value());
    BOOST_TEST(!TimeZone::find("europe/bucharest").has_value());
    BOOST_TEST(!TimeZone::find("Europe/Bucharest ").has_value());
    BOOST_TEST(!TimeZone::find("").has_value());

    const std::vector<std::string_view> all = TimeZone::supported_zones();
    BOOST_TEST(all.size() == 27u);
    for (std::string_view name : all)
        BOOST_TEST(TimeZone::find(name).has_value(), name);
    const std::string text = TimeZone::supported_zones_text();
    BOOST_TEST(text.find("Europe/Bucharest") != std::string::npos);
    BOOST_TEST(text.find("Europe/Budapest") != std::string::npos);
    BOOST_TEST(text.find("Chisinau") == std::string::npos);
    BOOST_TEST(text.rfind("UTC, Etc/UTC, Europe/", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(bucharest_winter_and_summer) {
    const TimeZone z = zone("Europe/Bucharest");
    expect_plain(z, "2026-01-15 10:00:00", "2026-01-15T08:00:00Z");
    expect_plain(z, "2026-07-15 10:00:00", "2026-07-15T07:00:00Z");
    expect_plain(z, "2026-11-30 00:48:07", "2026-11-29T22:48:07Z");
    expect_plain(z, "2027-01-01 01:30:00", "2026-12-31T23:30:00Z");
    BOOST_TEST(z.offset_at_utc(utc("2026-01-15T08:00:00Z")) == 2h);
    BOOST_TEST(z.offset_at_utc(utc("2026-07-15T07:00:00Z")) == 3h);
    BOOST_TEST(fmt(z.to_local(utc("2026-07-15T07:00:00Z"))) == "2026-07-15 10:00:00");
}

BOOST_AUTO_TEST_CASE(switch_instants_are_exact) {
    // 2026: last Sundays are 29 March and 25 October; 01:00 UTC in every zone.
    for (std::string_view name : {"Europe/Bucharest", "Europe/Budapest", "Europe/London"}) {
        const TimeZone z = zone(name);
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(z.offset_at_utc(utc("2026-03-29T00:59:59Z")) == z.standard_offset());
            BOOST_TEST(z.offset_at_utc(utc("2026-03-29T01:00:00Z")) == z.standard_offset() + 1h);
            BOOST_TEST(z.offset_at_utc(utc("2026-10-25T00:59:59Z")) == z.standard_offset() + 1h);
            BOOST_TEST(z.offset_at_utc(utc("2026-10-25T01:00:00Z")) == z.standard_offset());
            // Other years: 2024 31 Mar / 27 Oct, 2025 30 Mar / 26 Oct, 2027 28 Mar / 31 Oct.
            BOOST_TEST(!z.is_summer_time(utc("2024-03-31T00:59:59Z")));
            BOOST_TEST(z.is_summer_time(utc("2024-03-31T01:00:00Z")));
            BOOST_TEST(z.is_summer_time(utc("2024-10-27T00:59:59Z")));
            BOOST_TEST(!z.is_summer_time(utc("2024-10-27T01:00:00Z")));
            BOOST_TEST(!z.is_summer_time(utc("2025-03-30T00:59:59Z")));
            BOOST_TEST(z.is_summer_time(utc("2025-03-30T01:00:00Z")));
            BOOST_TEST(z.is_summer_time(utc("2025-10-26T00:59:59Z")));
            BOOST_TEST(!z.is_summer_time(utc("2025-10-26T01:00:00Z")));
            BOOST_TEST(!z.is_summer_time(utc("2027-03-28T00:59:59Z")));
            BOOST_TEST(z.is_summer_time(utc("2027-03-28T01:00:00Z")));
            BOOST_TEST(z.is_summer_time(utc("2027-10-31T00:59:59Z")));
            BOOST_TEST(!z.is_summer_time(utc("2027-10-31T01:00:00Z")));
        }
    }
}

BOOST_AUTO_TEST_CASE(bucharest_2026_switches) {
    const TimeZone z = zone("Europe/Bucharest");
    // 29 March: 03:00 EET becomes 04:00 EEST; 03:00:00-03:59:59 do not exist.
    expect_plain(z, "2026-03-29 02:59:59", "2026-03-29T00:59:59Z");
    expect_skipped(z, "2026-03-29 03:00:00", "2026-03-29T01:00:00Z", "2026-03-29 04:00:00");
    expect_skipped(z, "2026-03-29 03:30:00", "2026-03-29T01:30:00Z", "2026-03-29 04:30:00");
    expect_skipped(z, "2026-03-29 03:59:59", "2026-03-29T01:59:59Z", "2026-03-29 04:59:59");
    expect_plain(z, "2026-03-29 04:00:00", "2026-03-29T01:00:00Z");
    // 25 October: 04:00 EEST becomes 03:00 EET; 03:00:00-03:59:59 occur twice.
    expect_plain(z, "2026-10-25 02:59:59", "2026-10-24T23:59:59Z");
    expect_ambiguous(z, "2026-10-25 03:00:00", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z");
    expect_ambiguous(z, "2026-10-25 03:30:00", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z");
    expect_ambiguous(z, "2026-10-25 03:59:59", "2026-10-25T00:59:59Z", "2026-10-25T01:59:59Z");
    expect_plain(z, "2026-10-25 04:00:00", "2026-10-25T02:00:00Z");
    // Sofia is the same.
    expect_ambiguous(zone("Europe/Sofia"), "2026-10-25 03:30:00", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z");
    expect_skipped(zone("Europe/Sofia"), "2026-03-29 03:30:00", "2026-03-29T01:30:00Z", "2026-03-29 04:30:00");
}

BOOST_AUTO_TEST_CASE(budapest) {
    const TimeZone z = zone("Europe/Budapest");
    expect_plain(z, "2026-01-15 10:00:00", "2026-01-15T09:00:00Z");
    expect_plain(z, "2026-07-15 10:00:00", "2026-07-15T08:00:00Z");
    expect_plain(z, "2026-03-29 01:59:59", "2026-03-29T00:59:59Z");
    expect_skipped(z, "2026-03-29 02:00:00", "2026-03-29T01:00:00Z", "2026-03-29 03:00:00");
    expect_skipped(z, "2026-03-29 02:30:00", "2026-03-29T01:30:00Z", "2026-03-29 03:30:00");
    expect_plain(z, "2026-03-29 03:00:00", "2026-03-29T01:00:00Z");
    expect_plain(z, "2026-10-25 01:59:59", "2026-10-24T23:59:59Z");
    expect_ambiguous(z, "2026-10-25 02:30:00", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z");
    expect_plain(z, "2026-10-25 03:00:00", "2026-10-25T02:00:00Z");
}

BOOST_AUTO_TEST_CASE(london) {
    const TimeZone z = zone("Europe/London");
    expect_plain(z, "2026-01-15 10:00:00", "2026-01-15T10:00:00Z");
    expect_plain(z, "2026-07-15 10:00:00", "2026-07-15T09:00:00Z");
    expect_plain(z, "2026-03-29 00:59:59", "2026-03-29T00:59:59Z");
    expect_skipped(z, "2026-03-29 01:30:00", "2026-03-29T01:30:00Z", "2026-03-29 02:30:00");
    expect_plain(z, "2026-03-29 02:00:00", "2026-03-29T01:00:00Z");
    expect_plain(z, "2026-10-25 00:59:59", "2026-10-24T23:59:59Z");
    expect_ambiguous(z, "2026-10-25 01:30:00", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z");
    expect_plain(z, "2026-10-25 02:00:00", "2026-10-25T02:00:00Z");
}

BOOST_AUTO_TEST_CASE(utc_is_identity) {
    for (std::string_view name : {"UTC", "Etc/UTC"}) {
        const TimeZone z = zone(name);
        expect_plain(z, "2026-01-15 10:00:00", "2026-01-15T10:00:00Z");
        expect_plain(z, "2026-07-15 10:00:00", "2026-07-15T10:00:00Z");
        expect_plain(z, "2026-03-29 01:30:00", "2026-03-29T01:30:00Z");
        expect_plain(z, "2026-10-25 00:30:00", "2026-10-25T00:30:00Z");
        BOOST_TEST(z.offset_at_utc(utc("2026-07-15T10:00:00Z")) == 0s);
        BOOST_TEST(!z.is_summer_time(utc("2026-07-15T10:00:00Z")));
    }
}

BOOST_AUTO_TEST_CASE(round_trips_every_hour_2024_to_2027) {
    for (std::string_view name : {"Europe/Bucharest", "Europe/Budapest", "Europe/London", "UTC"}) {
        const TimeZone z = zone(name);
        const local_seconds from = local_days{year{2024} / January / 1};
        const local_seconds to = local_days{year{2028} / January / 1};
        int skipped = 0, ambiguous = 0, mismatches = 0;
        for (local_seconds t = from; t < to; t += 1h) {
            const LocalToUtc r = z.to_utc(t);
            if (r.skipped) {
                ++skipped;
                if (z.to_local(r.utc) != t + 1h)
                    ++mismatches;
            } else if (r.ambiguous) {
                ++ambiguous;
                if (z.to_local(r.utc) != t || z.to_local(r.later) != t || r.later - r.utc != 1h)
                    ++mismatches;
            } else if (z.to_local(r.utc) != t || r.later != r.utc) {
                ++mismatches;
                BOOST_TEST_MESSAGE(name << ": " << fmt(t) << " -> " << iso8601_utc(r.utc) << " -> "
                                        << fmt(z.to_local(r.utc)));
            }
        }
        // And the other way: every UTC hour reads back to itself.
        for (sys_seconds u = sys_days{year{2024} / January / 1}; u < sys_days{year{2028} / January / 1}; u += 1h) {
            const LocalToUtc r = z.to_utc(z.to_local(u));
            if (r.skipped || (r.utc != u && r.later != u))
                ++mismatches;
        }
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(mismatches == 0);
            BOOST_TEST(skipped == (z.has_summer_time() ? 4 : 0));
            BOOST_TEST(ambiguous == (z.has_summer_time() ? 4 : 0));
        }
    }
}

BOOST_AUTO_TEST_CASE(to_utc_matches_brute_force_over_offsets) {
    // Every quarter hour of 2026 (and the New Year edges): the instants that
    // read as t, found by trying every offset from -12h to +14h.
    for (std::string_view name : {"Europe/Bucharest", "Europe/Budapest", "Europe/London", "UTC"}) {
        const TimeZone z = zone(name);
        int failures = 0;
        for (local_seconds t = local_days{year{2025} / December / 31}; t < local_days{year{2027} / January / 2};
             t += 15min) {
            std::vector<sys_seconds> found; // ascending
            for (seconds off = -14h; off <= 14h; off += 15min) {
                const sys_seconds u{t.time_since_epoch() - off};
                if (z.to_local(u) == t)
                    found.insert(found.begin(), u); // larger offsets give earlier instants
            }
            const LocalToUtc r = z.to_utc(t);
            bool ok = false;
            if (found.empty())
                ok = r.skipped && !r.ambiguous && r.utc == sys_seconds{t.time_since_epoch() - z.standard_offset()};
            else if (found.size() == 1)
                ok = !r.skipped && !r.ambiguous && r.utc == found[0] && r.later == found[0];
            else if (found.size() == 2)
                ok = !r.skipped && r.ambiguous && r.utc == found[0] && r.later == found[1];
            if (!ok && ++failures <= 5)
                BOOST_ERROR(name << " " << fmt(t) << ": " << found.size() << " readings, to_utc gave "
                                 << iso8601_utc(r.utc) << (r.skipped ? " skipped" : "")
                                 << (r.ambiguous ? " ambiguous" : ""));
        }
        BOOST_TEST(failures == 0, name);
    }
}

BOOST_AUTO_TEST_CASE(parse_and_format) {
    const std::optional<local_seconds> t = parse_emag_datetime("2026-01-05 10:07:09");
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST((*t == local_days{year{2026} / January / 5} + 10h + 7min + 9s));
    BOOST_TEST(format_emag_datetime(*t) == "2026-01-05 10:07:09");

    const std::optional<local_seconds> frac = parse_emag_datetime("2026-01-05 10:00:00.000000");
    BOOST_TEST_REQUIRE(frac.has_value());
    BOOST_TEST(format_emag_datetime(*frac) == "2026-01-05 10:00:00");
    BOOST_TEST(format_emag_datetime(*parse_emag_datetime("2026-01-05 10:00:00.999999")) == "2026-01-05 10:00:00");
    BOOST_TEST(format_emag_datetime(*parse_emag_datetime("2024-02-29 23:59:59")) == "2024-02-29 23:59:59");
    BOOST_TEST(format_emag_datetime(*parse_emag_datetime("2026-12-31 00:00:00")) == "2026-12-31 00:00:00");

    for (const char* bad : {"2026-02-30 10:00:00",
                            "2025-02-29 10:00:00",
                            "2026-04-31 10:00:00",
                            "2026-13-01 10:00:00",
                            "2026-00-10 10:00:00",
                            "2026-01-00 10:00:00",
                            "0000-00-00 00:00:00",
                            "2026-1-5 10:00:00",
                            "2026-01-05T10:00:00",
                            "2026-01-05 24:00:00",
                            "2026-01-05 10:60:00",
                            "2026-01-05 10:00:60",
                            "2026-01-05 10:00",
                            "2026-01-05",
                            "2026-01-05 10:00:00Z",
                            "2026-01-05 10:00:00+02:00",
                            "2026-01-05 10:00:00.",
                            "2026-01-05 10:00:00.12a",
                            "2026-01-05 10:00:00.1234567890",
                            " 2026-01-05 10:00:00",
                            "2026-01-05 10:00:00 ",
                            "2026-01-05  10:00:00",
                            "+026-01-05 10:00:00",
                            "2026-01-05 1 :00:00",
                            "2026/01/05 10:00:00",
                            ""})
        BOOST_TEST(!parse_emag_datetime(bad).has_value(), "accepted '" << bad << "'");
}

BOOST_AUTO_TEST_CASE(iso8601_formatting) {
    BOOST_TEST(iso8601_utc(sys_days{year{2026} / November / 29} + 22h + 48min + 7s) == "2026-11-29T22:48:07Z");
    BOOST_TEST(iso8601_utc(sys_seconds{0s}) == "1970-01-01T00:00:00Z");
    BOOST_TEST(iso8601_utc(sys_seconds{-1s}) == "1969-12-31T23:59:59Z");
    BOOST_TEST(format_emag_datetime(local_seconds{-1s}) == "1969-12-31 23:59:59");
    // The full path: eMAG's Bucharest text to the stored UTC text.
    BOOST_TEST(iso8601_utc(zone("Europe/Bucharest").to_utc(local("2026-11-30 00:48:07")).utc) ==
               "2026-11-29T22:48:07Z");
}

namespace {

// Sets TZ for the process and restores it (and tzset) when destroyed.
class TzGuard {
  public:
    TzGuard() {
        if (const char* old = std::getenv("TZ"))
            saved_ = old;
    }
    ~TzGuard() {
        if (saved_)
            ::setenv("TZ", saved_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }
    TzGuard(const TzGuard&) = delete;
    TzGuard& operator=(const TzGuard&) = delete;

    void set(std::string_view name) {
        ::setenv("TZ", (":" + std::string(name)).c_str(), 1);
        ::tzset();
    }

  private:
    std::optional<std::string> saved_;
};

// The offset the C library's tz database gives at t.
std::optional<seconds> system_offset(sys_seconds t) {
    const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm tm{};
    if (::localtime_r(&tt, &tm) == nullptr)
        return std::nullopt;
    return seconds(tm.tm_gmtoff);
}

} // namespace

// One test case, single-threaded: it changes the process's TZ.
BOOST_AUTO_TEST_CASE(matches_system_tz_database) {
    const std::filesystem::path zoneinfo = "/usr/share/zoneinfo";
    if (!std::filesystem::exists(zoneinfo)) {
        BOOST_TEST_MESSAGE("no " << zoneinfo << ": tz database cross-check skipped");
        return;
    }
    TzGuard guard;
    int checked_zones = 0;
    for (std::string_view name : TimeZone::supported_zones()) {
        if (!std::filesystem::exists(zoneinfo / std::string(name))) {
            BOOST_TEST_MESSAGE("no " << (zoneinfo / std::string(name)) << ": " << name << " not cross-checked");
            continue;
        }
        const TimeZone z = zone(name);
        guard.set(name);
        int mismatches = 0;
        auto compare = [&](sys_seconds t) {
            const std::optional<seconds> sys = system_offset(t);
            if (!sys || *sys != z.offset_at_utc(t)) {
                if (++mismatches <= 3)
                    BOOST_ERROR(name << " at " << iso8601_utc(t) << ": ours " << z.offset_at_utc(t).count()
                                     << "s, system " << (sys ? std::to_string(sys->count()) : "none"));
            }
        };
        // Every hour of 2025.
        for (sys_seconds t = sys_days{year{2025} / January / 1}; t < sys_days{year{2026} / January / 1}; t += 1h)
            compare(t);
        // Both sides of every switch, 2003 (when the Baltic zones rejoined
        // the EU rule) to 2037.
        for (int y = 2003; y <= 2037; ++y) {
            for (const sys_days d :
                 {sys_days{year{y} / March / Sunday[last]}, sys_days{year{y} / October / Sunday[last]}}) {
                compare(d + 1h - 1s);
                compare(d + 1h);
            }
        }
        BOOST_TEST(mismatches == 0, name);
        ++checked_zones;
    }
    BOOST_TEST_MESSAGE("cross-checked " << checked_zones << " zones against " << zoneinfo);
}
