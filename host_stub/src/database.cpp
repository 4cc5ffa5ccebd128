#include "database.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <vector>

// Declared by SOCI's backend headers; declared here so that libpq's and
// sqlite3's headers stay out of this file.
extern "C" {
void register_factory_sqlite3();
void register_factory_postgresql();
}

namespace erp::host {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

std::string resolve_sqlite_path(const std::string& raw, const std::string& base_dir) {
    if (raw.empty()) {
        throw std::invalid_argument("sqlite3 url names no database file");
    }
    if (raw == ":memory:") {
        return raw;
    }
    std::filesystem::path p(raw);
    if (p.is_relative() && !base_dir.empty()) {
        p = std::filesystem::path(base_dir) / p;
    }
    return p.lexically_normal().string();
}

// libpq's own test: a conninfo string begins with "keyword =", a URI never
// does. Looking for '/' or '@' instead misreads valid conninfo strings such as
// "host=/var/run/postgresql" (a socket directory) or "password=a@b".
bool is_conninfo(const std::string& s) {
    std::size_t i = s.find_first_not_of(" \t");
    const std::size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) {
        ++i;
    }
    i = s.find_first_not_of(" \t", i);
    return start != std::string::npos && i != start && i != std::string::npos && s[i] == '=';
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            throw std::invalid_argument("postgresql url has a bad %-escape");
        }
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
    }
    return out;
}

// One "key=value" of a conninfo string as SOCI 4.0 passes it on: SOCI splits
// the string at spaces (to find its own options) and rebuilds it, so a value
// with a space cannot get through even when quoted; quotes and backslashes can.
std::string conninfo_pair(const std::string& key, const std::string& value) {
    if (value.find_first_of(" \t\r\n") != std::string::npos) {
        throw std::invalid_argument("postgresql url: the " + key +
                                    " contains a space, which SOCI 4.0 cannot pass to libpq");
    }
    if (!value.empty() && value.find_first_of("'\\") == std::string::npos) {
        return key + "=" + value;
    }
    std::string quoted = key + "='";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "'";
}

// libpq URI -> conninfo. SOCI 4.0 rebuilds the connection string from
// space-separated key=value pairs before calling PQconnectdb, which turns a
// URI into "URI=" (libpq then reads the database name as "name="), so the URI
// is translated here. Handles postgresql://[user[:password]@][host][:port]
// [,host[:port]...][/dbname][?key=value&...] with %-escapes and [IPv6] hosts.
std::string uri_to_conninfo(std::string_view uri) {
    std::vector<std::string> pairs;
    std::string_view query;
    if (const auto q = uri.find('?'); q != std::string_view::npos) {
        query = uri.substr(q + 1);
        uri = uri.substr(0, q);
    }
    std::string dbname;
    if (const auto slash = uri.find('/'); slash != std::string_view::npos) {
        dbname = percent_decode(uri.substr(slash + 1));
        uri = uri.substr(0, slash);
    }
    if (const auto at = uri.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = uri.substr(0, at);
        uri = uri.substr(at + 1);
        const auto colon = userinfo.find(':');
        if (const std::string_view user = userinfo.substr(0, colon); !user.empty()) {
            pairs.push_back(conninfo_pair("user", percent_decode(user)));
        }
        if (colon != std::string_view::npos) {
            pairs.push_back(conninfo_pair("password", percent_decode(userinfo.substr(colon + 1))));
        }
    }
    // One entry per host, in order; libpq takes an empty one as its default.
    std::vector<std::string> hosts;
    std::vector<std::string> ports;
    while (!uri.empty()) {
        const auto comma = uri.find(',');
        const std::string_view part = uri.substr(0, comma);
        uri = comma == std::string_view::npos ? std::string_view{} : uri.substr(comma + 1);
        std::string_view host = part;
        std::string_view port;
        if (!part.empty() && part[0] == '[') {
            const auto close = part.find(']');
            if (close == std::string_view::npos) {
                throw std::invalid_argument("postgresql url has an unterminated [IPv6] host");
            }
            host = part.substr(1, close - 1);
            if (close + 1 < part.size() && part[close + 1] == ':') {
                port = part.substr(close + 2);
            }
        } else if (const auto colon = part.find(':'); colon != std::string_view::npos) {
            host = part.substr(0, colon);
            port = part.substr(colon + 1);
        }
        hosts.push_back(percent_decode(host));
        ports.emplace_back(port);
    }
    const auto join_if_any = [&](const char* key, const std::vector<std::string>& items) {
        if (std::any_of(items.begin(), items.end(), [](const std::string& v) { return !v.empty(); })) {
            std::string joined;
            for (std::size_t i = 0; i < items.size(); ++i) {
                joined += (i == 0 ? "" : ",") + items[i];
            }
            pairs.push_back(conninfo_pair(key, joined));
        }
    };
    join_if_any("host", hosts);
    join_if_any("port", ports);
    if (!dbname.empty()) {
        pairs.push_back(conninfo_pair("dbname", dbname));
    }
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = param.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            throw std::invalid_argument("postgresql url has a query parameter without key=value");
        }
        pairs.push_back(conninfo_pair(percent_decode(param.substr(0, eq)), percent_decode(param.substr(eq + 1))));
    }
    if (pairs.empty()) {
        throw std::invalid_argument("postgresql url has no connection parameters");
    }
    std::string out;
    for (const auto& p : pairs) {
        out += (out.empty() ? "" : " ") + p;
    }
    return out;
}

} // namespace

DbUrl parse_db_url(const std::string& url, const std::string& base_dir) {
    DbUrl out;
    if (starts_with(url, "sqlite3://")) {
        // SOCI form: "sqlite3://db=PATH [timeout=N ...]"
        const std::string rest = url.substr(10);
        if (!starts_with(rest, "db=")) {
            throw std::invalid_argument("sqlite3 url must look like sqlite3://db=PATH or sqlite3:PATH");
        }
        const auto space = rest.find(' ');
        std::string path = rest.substr(3, space == std::string::npos ? std::string::npos : space - 3);
        std::string tail = space == std::string::npos ? "" : rest.substr(space);
        out.backend = DbBackend::sqlite3;
        out.sqlite_path = resolve_sqlite_path(path, base_dir);
        out.soci_url = "sqlite3://db=" + out.sqlite_path + tail;
        return out;
    }
    if (starts_with(url, "sqlite3:")) {
        out.backend = DbBackend::sqlite3;
        out.sqlite_path = resolve_sqlite_path(url.substr(8), base_dir);
        out.soci_url = "sqlite3://db=" + out.sqlite_path;
        return out;
    }
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
        out.backend = DbBackend::postgresql;
        const std::string rest = url.substr(url.find("://") + 3);
        if (rest.empty()) {
            throw std::invalid_argument("postgresql url has no connection parameters");
        }
        // libpq key=value form as is; the URI form translated (see
        // uri_to_conninfo for why SOCI cannot be handed the URI).
        out.soci_url = "postgresql://" + (is_conninfo(rest) ? rest : uri_to_conninfo(rest));
        return out;
    }
    throw std::invalid_argument("unsupported database url '" + url.substr(0, url.find(':')) +
                                ":...': expected sqlite3:PATH or postgresql://...");
}

void register_db_backends() {
    static std::once_flag once;
    std::call_once(once, [] {
        register_factory_sqlite3();
        register_factory_postgresql();
    });
}

std::unique_ptr<soci::session> open_session(const std::string& soci_url) {
    register_db_backends();
    auto s = std::make_unique<soci::session>(soci_url);
    if (s->get_backend_name() == "sqlite3") {
        *s << "PRAGMA journal_mode=WAL";
        *s << "PRAGMA busy_timeout=5000";
        *s << "PRAGMA foreign_keys=ON";
    }
    return s;
}

} // namespace erp::host
