#include "api/form_encode.hpp"

#include <cmath>
#include <string_view>

namespace erp::emag {

namespace {

using json = nlohmann::json;

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// RFC 3986 percent-encoding of every byte but the unreserved ones (so UTF-8
// sequences become %XX runs, a space %20, '[' and ']' %5B and %5D).
void append_encoded(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
}

// The decimal text of a scalar, or false when it is not sent (null, a
// non-finite float, a binary value).
bool scalar_text(const json& v, std::string& text) {
    switch (v.type()) {
    case json::value_t::string:
        text = v.get_ref<const std::string&>();
        return true;
    case json::value_t::boolean:
        text.assign(1, v.get<bool>() ? '1' : '0');
        return true;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        text = v.dump();
        return true;
    case json::value_t::number_float:
        if (!std::isfinite(v.get<double>())) {
            return false; // dump() would say "null"; PHP has no such number either
        }
        text = v.dump(); // shortest round-trip form, e.g. 19.99, 1e+20
        return true;
    default:
        return false;
    }
}

// `name` is already percent-encoded (brackets included).
void encode_value(EncodedForm& out, const std::string& name, const json& value) {
    if (value.is_object() || value.is_array()) {
        std::size_t index = 0;
        for (auto it = value.begin(); it != value.end(); ++it, ++index) {
            std::string child = name;
            child += "%5B";
            if (value.is_object()) {
                append_encoded(child, it.key());
            } else {
                child += std::to_string(index);
            }
            child += "%5D";
            encode_value(out, child, *it);
        }
        return; // an empty container adds nothing, as with PHP
    }
    std::string text;
    if (!scalar_text(value, text)) {
        return;
    }
    if (!out.body.empty()) {
        out.body.push_back('&');
    }
    out.body += name;
    out.body.push_back('=');
    append_encoded(out.body, text);
    ++out.variables;
}

} // namespace

EncodedForm form_encode(const std::string& name, const nlohmann::json& value) {
    EncodedForm out;
    std::string encoded_name;
    append_encoded(encoded_name, name);
    encode_value(out, encoded_name, value);
    return out;
}

} // namespace erp::emag
