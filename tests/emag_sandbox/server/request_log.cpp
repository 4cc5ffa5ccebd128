#include "request_log.hpp"

#include <cmath>
#include <ctime>
#include <stdexcept>

namespace emag::sandbox {

using json = nlohmann::json;

RequestLog::RequestLog(const std::string& path, std::size_t keep) : keep_(keep == 0 ? 1 : keep) {
    if (!path.empty()) {
        file_.open(path, std::ios::out | std::ios::app);
        if (!file_)
            throw std::runtime_error("cannot open request log '" + path + "' for appending");
    }
}

std::string RequestLog::iso8601_utc_ms(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64]; // ample for any int fields, keeps -Wformat-truncation quiet
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

uint64_t RequestLog::append(const RequestLogEntry& e) {
    json line = {
        {"seq", 0},
        {"time", iso8601_utc_ms(e.time)},
        {"account", e.account ? json(*e.account) : json(nullptr)},
        {"method", e.method},
        {"route", e.route},
        {"group", e.group.empty() ? json(nullptr) : json(e.group)},
        {"status", e.status},
        {"rate_limited", e.rate_limited},
        {"fault", e.fault ? json(*e.fault) : json(nullptr)},
        // Two decimals: enough for loopback latencies, short lines.
        {"latency_ms", std::round(e.latency_ms * 100.0) / 100.0},
    };
    std::lock_guard lock(mu_);
    line["seq"] = ++seq_;
    if (file_.is_open()) {
        // Routes come from the client: replace invalid UTF-8 rather than throw.
        file_ << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        file_.flush();
    }
    recent_.push_back(std::move(line));
    if (recent_.size() > keep_)
        recent_.pop_front();
    return seq_;
}

json RequestLog::since(uint64_t since) const {
    json entries = json::array();
    std::lock_guard lock(mu_);
    for (const auto& e : recent_)
        if (e["seq"].get<uint64_t>() > since)
            entries.push_back(e);
    return {{"next", seq_}, {"entries", std::move(entries)}};
}

} // namespace emag::sandbox
