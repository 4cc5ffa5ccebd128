#include "config/config_fields.hpp"

#include "config/plugin_config.hpp" // ConfigError

namespace erp::emag {

using nlohmann::json;

std::string json_quoted(std::string_view s) {
    return json(std::string(s)).dump();
}

const char* type_name(const json& j) {
    return j.type_name();
}

void refuse_unknown_keys(const json& obj, const std::set<std::string>& known, const std::string& path) {
    for (const auto& [key, value] : obj.items()) {
        (void)value;
        if (key == "password" && known.count("password_env") != 0) {
            throw ConfigError(path + ".password", "inline secrets are not allowed; use password_env or password_file");
        }
        if (known.count(key) == 0) {
            std::string expected;
            for (const auto& k : known) {
                expected += (expected.empty() ? "" : ", ") + k;
            }
            throw ConfigError(path.empty() ? key : path + "." + key, "unknown key (expected one of: " + expected + ")");
        }
    }
}

// The string at obj[key], or nullptr when absent. Throws when not a string.
const std::string* optional_string(const json& obj, const char* key, const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return nullptr;
    }
    if (!it->is_string()) {
        throw ConfigError(path + "." + key, std::string("expected a string, got ") + type_name(*it));
    }
    return it->get_ptr<const std::string*>();
}

const std::string& required_string(const json& obj, const char* key, const std::string& path) {
    const std::string* s = optional_string(obj, key, path);
    if (s == nullptr) {
        throw ConfigError(path + "." + key, "is required");
    }
    if (s->empty()) {
        throw ConfigError(path + "." + key, "must not be empty");
    }
    return *s;
}

// A whole number in [min, max] at obj[key], or `fallback` when absent.
long long bounded_integer(const json& obj, const char* key, long long min, long long max, long long fallback,
                          const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    const std::string where = path + "." + key;
    if (!it->is_number_integer()) {
        throw ConfigError(where, std::string("expected an integer, got ") + type_name(*it));
    }
    const long long v = it->get<long long>();
    if (v < min || v > max) {
        throw ConfigError(where, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                                     std::to_string(v));
    }
    return v;
}

double bounded_number(const json& obj, const char* key, double min, double max, double fallback,
                      const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    const std::string where = path + "." + key;
    if (!it->is_number()) {
        throw ConfigError(where, std::string("expected a number, got ") + type_name(*it));
    }
    const double v = it->get<double>();
    if (!(v >= min && v <= max)) {
        throw ConfigError(where,
                          "must be between " + json(min).dump() + " and " + json(max).dump() + ", got " + it->dump());
    }
    return v;
}

bool optional_bool(const json& obj, const char* key, bool fallback, const std::string& path) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    if (!it->is_boolean()) {
        throw ConfigError(path + "." + key, std::string("expected true or false, got ") + type_name(*it));
    }
    return it->get<bool>();
}

void require_object(const json& obj, const std::string& path) {
    if (!obj.is_object()) {
        throw ConfigError(path, std::string("expected an object, got ") + type_name(obj));
    }
}

} // namespace erp::emag
