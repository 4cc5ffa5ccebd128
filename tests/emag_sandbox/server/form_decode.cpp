#include "form_decode.hpp"

#include <charconv>
#include <map>
#include <memory>
#include <vector>

namespace emag::sandbox {

namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxInputVars = 4000; // eMAG's documented limit
constexpr std::size_t kMaxDepth = 64;       // PHP's max_input_nesting_level

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// PHP's ordered array: insertion order kept, integer keys tracked for `[]`.
struct Node {
    bool leaf = false;
    std::string value;
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> children;
    std::map<std::string, std::size_t> index;
    long long next_int = 0;

    Node& child(const std::string& key) {
        if (leaf) { // PHP: a later `a[b]=` replaces an earlier scalar `a=`
            leaf = false;
            value.clear();
        }
        if (auto it = index.find(key); it != index.end())
            return *children[it->second].second;
        long long k = 0;
        const auto* end = key.data() + key.size();
        if (auto [p, ec] = std::from_chars(key.data(), end, k); ec == std::errc() && p == end && k >= next_int)
            next_int = k + 1;
        index.emplace(key, children.size());
        children.emplace_back(key, std::make_unique<Node>());
        return *children.back().second;
    }
    Node& append() { return child(std::to_string(next_int)); }
};

bool canonical_integer(const std::string& s) {
    if (s.empty() || s.size() > 18)
        return false;
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size() || (s[i] == '0' && s.size() > i + 1) || (s == "-0"))
        return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

json to_json(const Node& n) {
    if (n.leaf) {
        if (canonical_integer(n.value))
            return json(std::stoll(n.value));
        return json(n.value);
    }
    bool is_array = true;
    for (std::size_t i = 0; i < n.children.size() && is_array; ++i)
        is_array = n.children[i].first == std::to_string(i);
    if (is_array) {
        json arr = json::array();
        for (const auto& [k, c] : n.children)
            arr.push_back(to_json(*c));
        return arr;
    }
    json obj = json::object();
    for (const auto& [k, c] : n.children)
        obj[k] = to_json(*c);
    return obj;
}

// Splits `data[a][][b]` into {"data", "a", "", "b"}. PHP keeps a name with an
// unbalanced '[' literally; the sandbox refuses it instead, since no client
// sends one on purpose.
bool split_name(const std::string& name, std::vector<std::string>& parts, std::string& error) {
    parts.clear();
    const auto open = name.find('[');
    parts.push_back(name.substr(0, open));
    if (parts.front().empty()) {
        error = "empty variable name in form body";
        return false;
    }
    std::size_t pos = open;
    while (pos != std::string::npos && pos < name.size()) {
        if (name[pos] != '[') {
            error = "unexpected characters after ']' in form variable '" + name + "'";
            return false;
        }
        const auto close = name.find(']', pos);
        if (close == std::string::npos) {
            error = "unbalanced '[' in form variable '" + name + "'";
            return false;
        }
        parts.push_back(name.substr(pos + 1, close - pos - 1));
        if (parts.size() > kMaxDepth) {
            error = "form variable nested too deeply";
            return false;
        }
        pos = close + 1;
    }
    return true;
}

DecodedBody fail(std::string message) {
    DecodedBody out;
    out.ok = false;
    out.error = std::move(message);
    return out;
}

} // namespace

bool form_unescape(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c == '+' ? ' ' : c);
        }
    }
    return true;
}

DecodedBody decode_form(std::string_view body) {
    Node root;
    std::size_t vars = 0;
    std::vector<std::string> parts;
    std::string name, value, error;
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find('&', start);
        if (end == std::string_view::npos)
            end = body.size();
        const auto pair = body.substr(start, end - start);
        start = end + 1;
        if (pair.empty())
            continue;
        if (++vars > kMaxInputVars)
            return fail("Maximum input vars of 4000 exceeded");
        const auto eq = pair.find('=');
        if (!form_unescape(pair.substr(0, eq), name) ||
            !form_unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), value))
            return fail("malformed percent-encoding in form body");
        if (!split_name(name, parts, error))
            return fail(error);
        Node* node = &root;
        for (const auto& part : parts)
            node = part.empty() ? &node->append() : &node->child(part);
        node->children.clear();
        node->index.clear();
        node->leaf = true;
        node->value = value;
    }
    DecodedBody out;
    out.data = to_json(root);
    if (out.data.is_array()) // only possible for an empty form
        out.data = json::object();
    return out;
}

DecodedBody decode_request_body(std::string_view content_type, std::string_view body) {
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {}; // no body: data absent
    const bool says_json = content_type.find("json") != std::string_view::npos;
    const bool says_form = content_type.find("x-www-form-urlencoded") != std::string_view::npos;
    const bool looks_json = body[first] == '{' || body[first] == '[';
    DecodedBody out;
    if (says_json || (!says_form && looks_json)) {
        json parsed = json::parse(body.begin(), body.end(), nullptr, false);
        if (parsed.is_discarded())
            return fail("Invalid JSON body");
        if (!parsed.is_object())
            return fail("The request body must be a JSON object with a \"data\" key");
        if (auto it = parsed.find("data"); it != parsed.end())
            out.data = std::move(*it);
        return out;
    }
    out = decode_form(body);
    if (!out.ok)
        return out;
    json all = std::move(out.data);
    out.data = nullptr;
    if (auto it = all.find("data"); it != all.end())
        out.data = std::move(*it);
    return out;
}

} // namespace emag::sandbox
