#include "orders/compact_json.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <charconv>

namespace erp::emag {
namespace {

using nlohmann::json;

// The plugin API's escaper: valid UTF-8 passes through as dump() leaves it.
void append_string(std::string& out, const std::string& s) {
    out += '"';
    erp::plugin::append_json_escaped(out, s);
    out += '"';
}

template <class T>
void append_integer(std::string& out, T v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

} // namespace

void append_compact_json(std::string& out, const json& j) {
    switch (j.type()) {
    case json::value_t::object: {
        out += '{';
        bool first = true;
        for (const auto& [key, value] : j.get_ref<const json::object_t&>()) {
            if (!first) {
                out += ',';
            }
            first = false;
            append_string(out, key);
            out += ':';
            append_compact_json(out, value);
        }
        out += '}';
        return;
    }
    case json::value_t::array: {
        out += '[';
        bool first = true;
        for (const json& e : j) {
            if (!first) {
                out += ',';
            }
            first = false;
            append_compact_json(out, e);
        }
        out += ']';
        return;
    }
    case json::value_t::string:
        append_string(out, j.get_ref<const std::string&>());
        return;
    case json::value_t::number_integer:
        append_integer(out, j.get<std::int64_t>());
        return;
    case json::value_t::number_unsigned:
        append_integer(out, j.get<std::uint64_t>());
        return;
    case json::value_t::boolean:
        out += j.get<bool>() ? "true" : "false";
        return;
    case json::value_t::null:
        out += "null";
        return;
    default: // floats (dump()'s shortest round-trip form) and the rest: rare
        out += j.dump();
        return;
    }
}

} // namespace erp::emag
