// Reading the plugin config's JSON fields with messages that say where and
// what is wrong ("monitor.sample_interval_ms: must be between ..."). Every
// function throws ConfigError (config/plugin_config.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <string_view>

namespace erp::emag {

std::string json_quoted(std::string_view s);
const char* type_name(const nlohmann::json& j);

// Throws for a key of `obj` not in `known` (and for an inline "password"
// where password_env is expected), listing the known keys.
void refuse_unknown_keys(const nlohmann::json& obj, const std::set<std::string>& known, const std::string& path);

// The string at obj[key], or nullptr when absent. Throws when not a string.
const std::string* optional_string(const nlohmann::json& obj, const char* key, const std::string& path);
// As optional_string, but absent or empty is an error.
const std::string& required_string(const nlohmann::json& obj, const char* key, const std::string& path);

// A whole number in [min, max] at obj[key], or `fallback` when absent.
long long bounded_integer(const nlohmann::json& obj, const char* key, long long min, long long max, long long fallback,
                          const std::string& path);
// A number in [min, max] at obj[key], or `fallback` when absent.
double bounded_number(const nlohmann::json& obj, const char* key, double min, double max, double fallback,
                      const std::string& path);
bool optional_bool(const nlohmann::json& obj, const char* key, bool fallback, const std::string& path);
void require_object(const nlohmann::json& obj, const std::string& path);

} // namespace erp::emag
