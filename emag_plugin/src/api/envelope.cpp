#include "api/envelope.hpp"

#include <algorithm>
#include <cctype>

namespace erp::emag {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool looks_like_html(const std::string& body, const std::string& content_type) {
    if (lower(content_type).find("html") != std::string::npos) {
        return true;
    }
    const auto first = body.find_first_not_of(" \t\r\n");
    return first != std::string::npos && body[first] == '<';
}

ErrorInfo make_error(ErrorKind kind, const std::string& route, const HttpResponse& r, unsigned attempt,
                     std::string detail, std::vector<std::string> messages = {}) {
    ErrorInfo e;
    e.kind = kind;
    e.route = route;
    e.http_status = r.status;
    e.attempt = attempt;
    e.detail = std::move(detail);
    e.messages = std::move(messages);
    return e;
}

Classified fail(ErrorInfo e) {
    Classified c;
    c.error = std::move(e);
    return c;
}

// What an error body says, whatever its shape: the envelope's messages, a
// bare {"message": ...}, and any top-level "errors".
std::vector<std::string> body_messages(const json& body) {
    std::vector<std::string> out;
    if (!body.is_object()) {
        return out;
    }
    if (auto it = body.find("messages"); it != body.end()) {
        out = message_texts(*it);
    }
    if (auto it = body.find("message"); it != body.end() && it->is_string()) {
        out.push_back(it->get<std::string>());
    }
    if (auto it = body.find("errors"); it != body.end()) {
        for (auto& m : message_texts(*it)) {
            out.push_back(std::move(m));
        }
    }
    return out;
}

struct Parsed {
    bool ok = false;
    json value;
    bool truncated = false;
    std::size_t error_byte = 0;
};

Parsed parse_body(const std::string& body) {
    Parsed p;
    try {
        p.value = json::parse(body);
        p.ok = true;
    } catch (const json::parse_error& e) {
        // nlohmann reports the byte after the last one read: at or past the
        // end means the text simply stopped — a cut body, not garbage.
        p.error_byte = e.byte;
        p.truncated = e.byte >= body.size();
    }
    return p;
}

std::string size_text(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

} // namespace

std::vector<std::string> message_texts(const json& messages) {
    std::vector<std::string> out;
    if (!messages.is_array()) {
        if (messages.is_string()) {
            out.push_back(messages.get<std::string>());
        }
        return out;
    }
    for (const auto& m : messages) {
        if (m.is_string()) {
            out.push_back(m.get<std::string>());
        } else if (m.is_object() && m.contains("message") && m["message"].is_string()) {
            std::string text = m["message"].get<std::string>();
            if (m.contains("field") && m["field"].is_string()) {
                text += " (field " + m["field"].get<std::string>() + ")";
            }
            out.push_back(std::move(text));
        } else {
            out.push_back(m.dump(-1, ' ', false, json::error_handler_t::replace));
        }
    }
    return out;
}

bool reads_as_transient(const std::vector<std::string>& messages) {
    static const char* const phrases[] = {"please retry", "try again", "internal error", "temporar",
                                          "unavailable",  "timeout",   "timed out"};
    for (const auto& m : messages) {
        const std::string l = lower(m);
        for (const char* p : phrases) {
            if (l.find(p) != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const HttpResponse& response) {
    const std::string* v = response.header("retry-after");
    if (v == nullptr || v->empty() || v->size() > 6) {
        return std::nullopt;
    }
    long seconds = 0;
    for (char c : *v) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        seconds = seconds * 10 + (c - '0');
    }
    return std::chrono::milliseconds(seconds * 1000);
}

Classified classify_response(const std::string& route, const std::string& method, const HttpResponse& r,
                             unsigned attempt) {
    if (r.transport_failed) {
        return fail(make_error(ErrorKind::transient, route, r, attempt,
                               r.timed_out ? "no response within the request timeout"
                                           : "no HTTP response: " + (r.error.empty() ? "connection failed" : r.error)));
    }
    const Parsed parsed = r.body.empty() ? Parsed{} : parse_body(r.body);
    const std::vector<std::string> messages = parsed.ok ? body_messages(parsed.value) : std::vector<std::string>{};

    // Statuses that decide the kind whatever the body says.
    if (r.status == 401) {
        return fail(make_error(ErrorKind::auth, route, r, attempt,
                               "eMAG refused the credentials: wrong username or password, or this machine's IP "
                               "address is not whitelisted for the API",
                               messages));
    }
    if (r.status == 403) {
        return fail(make_error(ErrorKind::auth, route, r, attempt,
                               "the API user is not allowed to use this API (check its API rights in the seller "
                               "account)",
                               messages));
    }
    if (r.status == 429) {
        ErrorInfo e =
            make_error(ErrorKind::rate_limited, route, r, attempt, "eMAG's rate limit was exceeded", messages);
        e.retry_after = parse_retry_after(r);
        return fail(std::move(e));
    }
    if (r.status >= 500 || r.status == 408) {
        std::string detail = "eMAG answered HTTP " + std::to_string(r.status);
        if (!parsed.ok && looks_like_html(r.body, r.content_type)) {
            detail += " with an HTML error page";
        }
        return fail(make_error(ErrorKind::transient, route, r, attempt, detail, messages));
    }
    const bool success_status = r.status >= 200 && r.status < 300;
    const bool is_patch = method == "PATCH";

    if (r.body.empty()) {
        if (success_status && is_patch) {
            Classified c; // offer_stock answers 204 with no body on success
            c.result = ApiResult{r.status, json(), {}, json(), attempt};
            return c;
        }
        if (success_status) {
            return fail(make_error(ErrorKind::transient, route, r, attempt, "empty body (the answer was cut off)"));
        }
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               "unexpected HTTP " + std::to_string(r.status) + " with an empty body"));
    }
    if (!parsed.ok) {
        if (looks_like_html(r.body, r.content_type)) {
            return fail(make_error(ErrorKind::protocol, route, r, attempt,
                                   "an HTML page instead of JSON (HTTP " + std::to_string(r.status) + ", " +
                                       size_text(r.body.size()) + ")"));
        }
        if (parsed.truncated) {
            return fail(make_error(ErrorKind::transient, route, r, attempt,
                                   "truncated JSON body (ends after " + size_text(r.body.size()) + ")"));
        }
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               "unparseable JSON body (error at byte " + std::to_string(parsed.error_byte) + " of " +
                                   size_text(r.body.size()) + ")"));
    }
    const json& body = parsed.value;
    if (!body.is_object()) {
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               std::string("the body is a JSON ") + body.type_name() + ", not an object"));
    }

    if (!success_status) {
        // 4xx other than auth and rate limit: eMAG refused the request.
        // PATCH offer_stock answers 400/404 {"message": ...} for data it
        // refuses; a 404 on a POST route means the route does not exist.
        if (r.status == 404 && !is_patch) {
            return fail(make_error(ErrorKind::protocol, route, r, attempt, "unknown route (HTTP 404)", messages));
        }
        if (r.status >= 400 && r.status < 500) {
            return fail(make_error(ErrorKind::validation, route, r, attempt, "eMAG refused the request", messages));
        }
        return fail(make_error(ErrorKind::protocol, route, r, attempt, "unexpected HTTP " + std::to_string(r.status),
                               messages));
    }

    const auto is_error = body.find("isError");
    if (is_error == body.end()) {
        if (is_patch) { // offer_stock's 200 may come without an envelope
            Classified c;
            c.result = ApiResult{r.status, body, messages, body.value("errors", json()), attempt};
            return c;
        }
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               "the answer has no isError field, so it cannot be taken as a success"));
    }
    if (!is_error->is_boolean()) {
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               std::string("isError is a ") + is_error->type_name() + ", not a boolean"));
    }
    if (auto m = body.find("messages"); m != body.end() && !m->is_array() && !m->is_null()) {
        return fail(make_error(ErrorKind::protocol, route, r, attempt,
                               std::string("messages is a ") + m->type_name() + ", not an array"));
    }
    if (is_error->get<bool>()) {
        if (reads_as_transient(messages)) {
            return fail(
                make_error(ErrorKind::transient, route, r, attempt, "eMAG reported a temporary error", messages));
        }
        return fail(
            make_error(ErrorKind::validation, route, r, attempt, "eMAG refused the request (isError true)", messages));
    }
    Classified c;
    ApiResult res;
    res.http_status = r.status;
    res.results = body.contains("results") ? body["results"] : json();
    res.messages = message_texts(body.value("messages", json::array()));
    res.errors = body.contains("errors") ? body["errors"] : json();
    res.attempts = attempt;
    c.result = std::move(res);
    return c;
}

} // namespace erp::emag
