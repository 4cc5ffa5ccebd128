#include "backup/backup_manifest.hpp"

#include "store/timestamp.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace erp::emag {
namespace {

using nlohmann::json;

constexpr std::size_t kStampLength = 21; // "emag-" + "YYYYMMDDTHHMMSSZ"

bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The N of "-N", 1 for none.
unsigned long suffix(std::string_view name) {
    return name.size() > kStampLength ? std::stoul(std::string(name.substr(kStampLength + 1))) : 1;
}

[[noreturn]] void bad(const std::string& why) {
    throw std::runtime_error("manifest.json: " + why);
}

std::string text_field(const json& j, const char* key, bool required = true) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) {
            bad(std::string("\"") + key + "\" is missing");
        }
        return {};
    }
    if (!it->is_string()) {
        bad(std::string("\"") + key + "\" is not a string");
    }
    return it->get<std::string>();
}

std::uint64_t count_field(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
        bad(std::string("\"") + key + "\" is missing or not a whole number");
    }
    return it->get<std::uint64_t>();
}

bool sha256_hex(const std::string& s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

std::string manifest_json(const Manifest& m) {
    json tables = json::array();
    for (const ManifestTable& t : m.tables) {
        tables.push_back(json{{"name", t.name},
                              {"file", t.file},
                              {"rows", t.rows},
                              {"sha256", t.sha256},
                              {"bytes", t.bytes},
                              {"columns", t.columns}});
    }
    json j{{"format", kBackupFormat},
           {"created_at", m.created_at},
           {"schema_version", m.schema_version},
           {"tables", std::move(tables)}};
    if (!m.plugin_version.empty()) {
        j["plugin_version"] = m.plugin_version;
    }
    return j.dump(2) + "\n";
}

Manifest parse_manifest(std::string_view text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        bad("not a JSON object");
    }
    if (text_field(j, "format") != kBackupFormat) {
        bad("format is not \"" + std::string(kBackupFormat) + "\"");
    }
    Manifest m;
    m.plugin_version = text_field(j, "plugin_version", false);
    m.created_at = text_field(j, "created_at");
    if (!parse_iso8601_utc(m.created_at)) {
        bad("created_at is not YYYY-MM-DDTHH:MM:SSZ");
    }
    const std::uint64_t version = count_field(j, "schema_version");
    if (version > 0xffffffffu) {
        bad("schema_version is out of range");
    }
    m.schema_version = static_cast<std::uint32_t>(version);
    const auto tables = j.find("tables");
    if (tables == j.end() || !tables->is_array()) {
        bad("\"tables\" is missing or not an array");
    }
    for (const json& jt : *tables) {
        if (!jt.is_object()) {
            bad("an entry of \"tables\" is not an object");
        }
        ManifestTable t;
        t.name = text_field(jt, "name");
        t.file = text_field(jt, "file");
        // The file must be the table's own, in the backup's directory.
        if (t.file != t.name + ".jsonl.gz" || t.name.find_first_of("/\\.") != std::string::npos) {
            bad("table " + t.name + ": file must be <name>.jsonl.gz");
        }
        t.sha256 = text_field(jt, "sha256");
        if (!sha256_hex(t.sha256)) {
            bad("table " + t.name + ": sha256 is not 64 lower-case hex digits");
        }
        t.rows = count_field(jt, "rows");
        t.bytes = count_field(jt, "bytes");
        const auto cols = jt.find("columns");
        if (cols == jt.end() || !cols->is_array() || cols->empty()) {
            bad("table " + t.name + ": \"columns\" is missing or empty");
        }
        for (const json& c : *cols) {
            if (!c.is_string()) {
                bad("table " + t.name + ": a column name is not a string");
            }
            t.columns.push_back(c.get<std::string>());
        }
        if (std::any_of(m.tables.begin(), m.tables.end(), [&](const ManifestTable& o) { return o.name == t.name; })) {
            bad("table " + t.name + " is listed twice");
        }
        m.tables.push_back(std::move(t));
    }
    return m;
}

std::string backup_name(std::chrono::system_clock::time_point t) {
    // "YYYY-MM-DDTHH:MM:SSZ" without the separators.
    const std::string iso =
        iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
    std::string out = "emag-";
    for (char c : iso) {
        if (c != '-' && c != ':') {
            out += c;
        }
    }
    return out;
}

bool is_backup_name(std::string_view name) {
    if (name.size() < kStampLength || name.substr(0, 5) != "emag-" || !digits(name.substr(5, 8)) || name[13] != 'T' ||
        !digits(name.substr(14, 6)) || name[20] != 'Z') {
        return false;
    }
    if (name.size() == kStampLength) {
        return true;
    }
    const std::string_view n = name.substr(kStampLength + 1);
    return name[kStampLength] == '-' && digits(n) && n.size() <= 6 && n[0] != '0' && n != "1";
}

bool newer_backup(std::string_view a, std::string_view b) {
    const std::string_view sa = a.substr(0, kStampLength), sb = b.substr(0, kStampLength);
    if (sa != sb) {
        return sa > sb;
    }
    return suffix(a) > suffix(b);
}

} // namespace erp::emag
