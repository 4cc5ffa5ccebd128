#include "manifest.hpp"

#include "sha256.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace erp::host {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const fs::path& p, const std::string& field, const std::string& reason) {
    throw ManifestError(p.string() + ": " + (field.empty() ? "" : "\"" + field + "\": ") + reason);
}

std::string required_string(const json& j, const fs::path& p, const char* field) {
    if (!j.contains(field)) {
        fail(p, field, "required field is missing");
    }
    if (!j[field].is_string() || j[field].get<std::string>().empty()) {
        fail(p, field, "must be a non-empty string");
    }
    return j[field].get<std::string>();
}

// Minimal JSON Schema walker (the subset documented in the header).
void check_node(const json& schema, const json& value, const std::string& path, std::vector<std::string>& out) {
    if (!schema.is_object()) {
        return;
    }
    const std::string where = path.empty() ? "(root)" : path;
    if (schema.contains("type") && schema["type"].is_string()) {
        const std::string t = schema["type"];
        const bool ok = (t == "object" && value.is_object()) || (t == "array" && value.is_array()) ||
                        (t == "string" && value.is_string()) || (t == "boolean" && value.is_boolean()) ||
                        (t == "integer" && value.is_number_integer()) || (t == "number" && value.is_number()) ||
                        (t == "null" && value.is_null());
        if (!ok) {
            out.push_back(where + ": must be of type " + t);
            return;
        }
    }
    if (schema.contains("enum") && schema["enum"].is_array()) {
        bool found = false;
        for (const auto& e : schema["enum"]) {
            found = found || e == value;
        }
        if (!found) {
            out.push_back(where + ": must be one of " + schema["enum"].dump());
        }
    }
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (schema.contains("minLength") && schema["minLength"].is_number_integer() &&
            s.size() < schema["minLength"].get<size_t>()) {
            out.push_back(where + ": must be at least " + schema["minLength"].dump() + " characters");
        }
        if (schema.contains("pattern") && schema["pattern"].is_string()) {
            try {
                if (!std::regex_search(s, std::regex(schema["pattern"].get<std::string>()))) {
                    out.push_back(where + ": does not match pattern " + schema["pattern"].dump());
                }
            } catch (const std::regex_error&) {
                // An unsupported pattern in the schema is not the admin's fault: skip it.
            }
        }
    }
    if (value.is_object()) {
        const json props = schema.value("properties", json::object());
        if (schema.contains("required") && schema["required"].is_array()) {
            for (const auto& r : schema["required"]) {
                if (r.is_string() && !value.contains(r.get<std::string>())) {
                    out.push_back((path.empty() ? "" : path + ".") + r.get<std::string>() +
                                  ": required key is missing");
                }
            }
        }
        for (const auto& [k, v] : value.items()) {
            const std::string child = path.empty() ? k : path + "." + k;
            if (props.contains(k)) {
                check_node(props[k], v, child, out);
            } else if (schema.contains("additionalProperties") && schema["additionalProperties"] == false) {
                out.push_back(child + ": unknown key");
            } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
                check_node(schema["additionalProperties"], v, child, out);
            }
        }
    }
    if (value.is_array()) {
        if (schema.contains("minItems") && schema["minItems"].is_number_integer() &&
            value.size() < schema["minItems"].get<size_t>()) {
            out.push_back(where + ": must have at least " + schema["minItems"].dump() + " items");
        }
        if (schema.contains("items")) {
            for (size_t i = 0; i < value.size(); ++i) {
                check_node(schema["items"], value[i], path + "[" + std::to_string(i) + "]", out);
            }
        }
    }
}

} // namespace

Manifest parse_manifest(const std::string& text, const fs::path& p) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        fail(p, "", std::string("malformed JSON: ") + e.what());
    }
    if (!j.is_object()) {
        fail(p, "", "must be a JSON object");
    }
    Manifest m;
    m.path = p;
    m.dir = p.parent_path();
    m.id = required_string(j, p, "id");
    static const std::regex id_re("^[a-z][a-z0-9_]*$");
    if (!std::regex_match(m.id, id_re)) {
        fail(p, "id", "\"" + m.id + "\" is not a plugin id ([a-z][a-z0-9_]*)");
    }
    m.name = required_string(j, p, "name");
    m.version = required_string(j, p, "version");
    m.description = j.value("description", "");
    const std::string abi = required_string(j, p, "abi_version");
    static const std::regex abi_re("^([0-9]{1,4})\\.([0-9]{1,4})$");
    std::smatch mm;
    if (!std::regex_match(abi, mm, abi_re)) {
        fail(p, "abi_version", "must be \"MAJOR.MINOR\", e.g. \"1.0\", got \"" + abi + "\"");
    }
    m.abi_major = static_cast<uint32_t>(std::stoul(mm[1]));
    m.abi_minor = static_cast<uint32_t>(std::stoul(mm[2]));
    m.library = required_string(j, p, "library");
    if (m.library.find('/') != std::string::npos || m.library == "." || m.library == "..") {
        fail(p, "library", "must be a file name in the manifest's directory, got \"" + m.library + "\"");
    }
    m.sha256 = required_string(j, p, "sha256");
    static const std::regex sha_re("^[0-9a-fA-F]{64}$");
    if (!std::regex_match(m.sha256, sha_re)) {
        fail(p, "sha256", "must be 64 hex digits (sha256sum of the library)");
    }
    for (auto& c : m.sha256) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!j.contains("capabilities")) {
        fail(p, "capabilities", "required field is missing");
    }
    if (!j["capabilities"].is_array()) {
        fail(p, "capabilities", "must be an array of strings");
    }
    for (const auto& c : j["capabilities"]) {
        if (!c.is_string()) {
            fail(p, "capabilities", "must be an array of strings");
        }
        m.capabilities.push_back(c.get<std::string>());
    }
    if (!j.contains("config_schema")) {
        fail(p, "config_schema", "required field is missing");
    }
    if (!j["config_schema"].is_object()) {
        fail(p, "config_schema", "must be a JSON Schema object");
    }
    m.config_schema_json = j["config_schema"].dump();
    return m;
}

Manifest load_manifest(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        fail(p, "", "cannot read the manifest (missing or unreadable)");
    }
    std::ostringstream os;
    os << in.rdbuf();
    return parse_manifest(os.str(), p);
}

void verify_library(const Manifest& m) {
    const fs::path lib = m.library_path();
    std::error_code ec;
    if (!fs::is_regular_file(lib, ec)) {
        throw ManifestError("library " + lib.string() + " not found");
    }
    const std::string actual = sha256_file_hex(lib.string());
    if (actual != m.sha256) {
        throw ManifestError("sha256 mismatch for " + lib.string() + ": manifest says " + m.sha256 + ", the file has " +
                            actual);
    }
}

std::vector<std::string> check_config_against_schema(const std::string& schema_json, const std::string& config_json) {
    std::vector<std::string> out;
    json schema;
    json value;
    try {
        schema = json::parse(schema_json);
        value = json::parse(config_json);
    } catch (const json::parse_error& e) {
        out.push_back(std::string("(root): malformed JSON: ") + e.what());
        return out;
    }
    check_node(schema, value, "", out);
    return out;
}

} // namespace erp::host
