#include "api/request_log.hpp"

#include "api/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace erp::emag {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "emag-requests-";
constexpr std::string_view kSuffix = ".jsonl";

// Broken-down UTC time of `t` plus its milliseconds (floored, so times before
// 1970 stay correct).
struct UtcTime {
    std::tm tm{};
    int ms = 0;
};

UtcTime utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto secs = floor<seconds>(ms);
    UtcTime u;
    u.ms = static_cast<int>((ms - secs).count());
    const std::time_t tt = system_clock::to_time_t(time_point_cast<system_clock::duration>(secs));
    ::gmtime_r(&tt, &u.tm);
    return u;
}

// "2026-11-29"
std::string utc_date(std::chrono::system_clock::time_point t) {
    const UtcTime u = utc(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", u.tm.tm_year + 1900, u.tm.tm_mon + 1, u.tm.tm_mday);
    return buf;
}

// "2026-11-29T22:48:07.123Z"
std::string utc_time(std::chrono::system_clock::time_point t) {
    const UtcTime u = utc(t);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", u.tm.tm_year + 1900, u.tm.tm_mon + 1,
                  u.tm.tm_mday, u.tm.tm_hour, u.tm.tm_min, u.tm.tm_sec, u.ms);
    return buf;
}

double round_tenth(double v) {
    return std::round(v * 10.0) / 10.0;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The day of a log file name "emag-requests-YYYY-MM-DD.jsonl", or nothing when
// the name is anything else (including an impossible date).
std::optional<std::chrono::sys_days> file_day(std::string_view name) {
    using namespace std::chrono;
    if (name.size() != kPrefix.size() + 10 + kSuffix.size() || !name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    const std::string_view d = name.substr(kPrefix.size(), 10);
    if (!all_digits(d.substr(0, 4)) || d[4] != '-' || !all_digits(d.substr(5, 2)) || d[7] != '-' ||
        !all_digits(d.substr(8, 2))) {
        return std::nullopt;
    }
    const auto number = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        for (const char c : d.substr(pos, len)) {
            v = v * 10 + (c - '0');
        }
        return v;
    };
    const year_month_day ymd{year(number(0, 4)), month(static_cast<unsigned>(number(5, 2))),
                             day(static_cast<unsigned>(number(8, 2)))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return sys_days(ymd);
}

std::string format_entry(const RequestLogEntry& e, const std::vector<std::string>& secrets) {
    // ordered_json: the keys stay in the documented order, easier to read.
    nlohmann::ordered_json j;
    j["time"] = utc_time(e.time);
    j["account"] = e.account;
    j["method"] = e.method;
    j["route"] = e.route;
    j["group"] = e.group;
    j["status"] = e.status;
    j["outcome"] = e.outcome;
    j["ms"] = round_tenth(e.ms);
    j["attempt"] = e.attempt;
    j["bytes_out"] = e.bytes_out;
    j["bytes_in"] = e.bytes_in;
    j["wait_ms"] = round_tenth(e.wait_ms);
    if (e.outcome != "ok") {
        auto messages = nlohmann::ordered_json::array();
        for (const auto& m : e.messages) {
            messages.push_back(redact(m, secrets));
        }
        j["messages"] = std::move(messages);
    }
    // Invalid UTF-8 (in a field redact() did not clean) becomes U+FFFD
    // instead of an exception.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace

RequestLog::RequestLog(fs::path dir, unsigned retention_days, std::vector<std::string> secrets, SystemNow now)
    : dir_(std::move(dir)), retention_days_(retention_days), now_(std::move(now)) {
    if (!now_) {
        now_ = [] { return std::chrono::system_clock::now(); };
    }
    add_secrets(secrets);
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
        throw std::runtime_error("eMAG request log: cannot create directory '" + dir_.string() + "': " + ec.message());
    }
    if (!fs::is_directory(dir_, ec)) {
        throw std::runtime_error("eMAG request log: '" + dir_.string() + "' is not a directory");
    }
    if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
        const int err = errno;
        throw std::runtime_error("eMAG request log: directory '" + dir_.string() +
                                 "' is not writable: " + std::generic_category().message(err));
    }
    std::lock_guard lock(mu_);
    prune_locked(now_());
}

void RequestLog::write(const RequestLogEntry& e) {
    try {
        std::lock_guard lock(mu_);
        try {
            const std::string line = format_entry(e, secrets_);
            const std::string date = utc_date(e.time);
            if (!file_.is_open() || date != file_date_) {
                const bool date_changed = !file_date_.empty() && date != file_date_;
                if (file_.is_open()) {
                    file_.close();
                }
                file_.clear();
                file_date_.clear();
                if (date_changed) {
                    prune_locked(now_());
                }
                file_.open(dir_ / file_name(e.time), std::ios::out | std::ios::app | std::ios::binary);
                if (!file_) {
                    file_.close();
                    file_.clear();
                    ++write_failures_;
                    return;
                }
                file_date_ = date;
            }
            file_.write(line.data(), static_cast<std::streamsize>(line.size()));
            file_.put('\n');
            file_.flush();
            if (!file_) {
                // Reopen on the next write (the disk may have room again).
                file_.close();
                file_.clear();
                file_date_.clear();
                ++write_failures_;
            }
        } catch (...) {
            ++write_failures_;
        }
    } catch (...) {
        // Even locking failed: nothing sensible is left to do.
    }
}

void RequestLog::add_secrets(const std::vector<std::string>& secrets) {
    std::lock_guard lock(mu_);
    for (const auto& s : secrets) {
        if (!s.empty() && std::find(secrets_.begin(), secrets_.end(), s) == secrets_.end()) {
            secrets_.push_back(s);
        }
    }
}

std::uint64_t RequestLog::write_failures() const {
    std::lock_guard lock(mu_);
    return write_failures_;
}

std::string RequestLog::file_name(std::chrono::system_clock::time_point t) {
    return std::string(kPrefix) + utc_date(t) + std::string(kSuffix);
}

std::string RequestLog::format(const RequestLogEntry& e) const {
    std::lock_guard lock(mu_);
    return format_entry(e, secrets_);
}

// Deletes the regular files named emag-requests-YYYY-MM-DD.jsonl whose date
// is before (UTC date of `now`) - retention_days. Best effort: an error skips
// the file (or the scan) and never throws.
void RequestLog::prune_locked(std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    const sys_days cutoff = floor<days>(now) - days(retention_days_);
    std::error_code ec;
    fs::directory_iterator it(dir_, ec);
    if (ec) {
        return;
    }
    const fs::directory_iterator end;
    for (; it != end; it.increment(ec)) {
        if (ec) {
            return;
        }
        try {
            const auto day = file_day(it->path().filename().string());
            if (!day || *day >= cutoff) {
                continue;
            }
            std::error_code sec;
            if (!fs::is_regular_file(it->symlink_status(sec)) || sec) {
                continue;
            }
            fs::remove(it->path(), sec);
        } catch (...) {
            // Skip this entry (e.g. allocation failure).
        }
    }
}

} // namespace erp::emag
