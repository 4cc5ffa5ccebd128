#include "core/api_params.hpp"

#include <algorithm>
#include <cmath>

#include "core/json_writer.hpp"

namespace emag::sandbox {

namespace {

std::optional<int64_t> parse_int_text(std::string_view s) {
    if (s.empty() || s.size() > 19)
        return std::nullopt;
    bool negative = s.front() == '-';
    if (negative)
        s.remove_prefix(1);
    if (s.empty())
        return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
}

bool numeric_keys(const nlohmann::json& obj) {
    if (obj.empty())
        return false;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const auto v = parse_int_text(it.key());
        if (!v || *v < 0)
            return false;
    }
    return true;
}

std::vector<nlohmann::json> values_by_numeric_key(const nlohmann::json& obj) {
    std::vector<std::pair<int64_t, const nlohmann::json*>> items;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        items.emplace_back(*parse_int_text(it.key()), &it.value());
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<nlohmann::json> out;
    for (auto& [k, v] : items)
        out.push_back(*v);
    return out;
}

} // namespace

std::optional<int64_t> as_int(const nlohmann::json& value) {
    if (value.is_number_unsigned()) { // checked first: is_number_integer() is true for unsigned too
        const auto u = value.get<uint64_t>();
        return u > uint64_t(INT64_MAX) ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(u));
    }
    if (value.is_number_integer())
        return value.get<int64_t>();
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
            return static_cast<int64_t>(d);
        return std::nullopt;
    }
    if (value.is_string())
        return parse_int_text(value.get_ref<const std::string&>());
    return std::nullopt;
}

int64_t int_param(const nlohmann::json* p) {
    if (!p)
        return kAbsent;
    const auto v = as_int(*p);
    return v ? *v : kInvalid;
}

std::optional<std::vector<int64_t>> as_int_list(const nlohmann::json& value) {
    std::vector<int64_t> out;
    auto add_all = [&](const auto& items) -> bool {
        for (const auto& item : items) {
            const auto v = as_int(item);
            if (!v)
                return false;
            out.push_back(*v);
        }
        return true;
    };
    if (value.is_array()) {
        if (value.empty() || !add_all(value))
            return std::nullopt;
        return out;
    }
    if (value.is_object()) {
        if (!numeric_keys(value) || !add_all(values_by_numeric_key(value)))
            return std::nullopt;
        return out;
    }
    const auto v = as_int(value);
    if (!v)
        return std::nullopt;
    out.push_back(*v);
    return out;
}

std::optional<std::vector<nlohmann::json>> as_entity_list(const nlohmann::json& value) {
    if (value.is_array())
        return std::vector<nlohmann::json>(value.begin(), value.end());
    if (value.is_object()) {
        if (numeric_keys(value))
            return values_by_numeric_key(value);
        return std::vector<nlohmann::json>{value};
    }
    return std::nullopt;
}

const nlohmann::json* find_param(const nlohmann::json& data, std::string_view key) {
    if (!data.is_object())
        return nullptr;
    const auto it = data.find(key);
    if (it == data.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::optional<std::string> parse_page(const nlohmann::json& data, Page& page) {
    if (const auto* p = find_param(data, "currentPage")) {
        const auto v = as_int(*p);
        if (!v || *v < 1 || *v > 65535)
            return "currentPage must be an integer between 1 and 65535";
        page.current = *v;
    }
    if (const auto* p = find_param(data, "itemsPerPage")) {
        const auto v = as_int(*p);
        if (!v || *v < 1)
            return "itemsPerPage must be an integer between 1 and 100";
        page.per_page = std::min<int64_t>(*v, 100); // over the cap: silently capped
    }
    return std::nullopt;
}

std::string envelope(bool is_error, const std::vector<std::string>& messages, std::string_view results_json) {
    std::string out;
    out.reserve(results_json.size() + 64);
    JsonWriter w(out);
    w.begin_object();
    w.field("isError", is_error);
    w.key("messages");
    w.begin_array();
    for (const auto& m : messages)
        w.string(m);
    w.end_array();
    w.key("results");
    w.raw(results_json);
    w.end_object();
    return out;
}

ApiResult ok(std::string_view results_json) {
    return ApiResult{200, "application/json", envelope(false, {}, results_json), {}};
}

ApiResult error(std::vector<std::string> messages, unsigned http_status) {
    return ApiResult{http_status, "application/json", envelope(true, messages, "[]"), {}};
}

} // namespace emag::sandbox
