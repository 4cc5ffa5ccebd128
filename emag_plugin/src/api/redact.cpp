#include "api/redact.hpp"

#include <algorithm>
#include <cstdint>

namespace erp::emag {

namespace {

constexpr std::string_view kRedacted = "<redacted>";
constexpr std::string_view kEmail = "<email>";
constexpr std::string_view kPhone = "<phone>";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";    // U+2026 "…"
constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
    return is_digit(c) || is_alpha(c);
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Pass 1: every occurrence of a secret -> "<redacted>", on the raw bytes (a
// secret may hold anything). Longest secret first, so a secret that contains
// another one is replaced whole.
std::string replace_secrets(std::string_view in, const std::vector<std::string>& secrets) {
    std::vector<std::string_view> list;
    for (const auto& s : secrets) {
        if (!s.empty()) {
            list.emplace_back(s);
        }
    }
    if (list.empty()) {
        return std::string(in);
    }
    std::sort(list.begin(), list.end(), [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        bool hit = false;
        for (const auto s : list) {
            if (in.substr(i, s.size()) == s) {
                out += kRedacted;
                i += s.size();
                hit = true;
                break;
            }
        }
        if (!hit) {
            out += in[i++];
        }
    }
    return out;
}

// Length of the valid UTF-8 sequence starting at in[i] (1..4), or 0 when the
// bytes there are not one (stray continuation byte, overlong form, surrogate,
// code point above U+10FFFF, truncated sequence).
std::size_t utf8_sequence(std::string_view in, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(in[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) {
        return 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
    } else {
        return 0;
    }
    if (i + len > in.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if (!is_continuation(in[i + k])) {
            return 0;
        }
        cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

// Pass 2: control characters (C0, DEL, C1, U+2028/U+2029) -> ' ', invalid
// UTF-8 bytes -> U+FFFD. Afterwards the text is valid UTF-8 on one line.
std::string sanitize(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        const std::size_t len = utf8_sequence(in, i);
        if (len == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        const auto b0 = static_cast<unsigned char>(in[i]);
        const bool control = (len == 1 && (b0 < 0x20 || b0 == 0x7F)) ||
                             (len == 2 && b0 == 0xC2 && static_cast<unsigned char>(in[i + 1]) < 0xA0) ||
                             (len == 3 && in.substr(i, 3) == "\xE2\x80\xA8") ||
                             (len == 3 && in.substr(i, 3) == "\xE2\x80\xA9");
        if (control) {
            out += ' ';
        } else {
            out.append(in.substr(i, len));
        }
        i += len;
    }
    return out;
}

// Characters of an HTTP auth token (RFC 7235 token68, plus the bearer ones).
bool is_token_char(char c) {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

bool keyword_at(std::string_view in, std::size_t i, std::string_view keyword) {
    if (i + keyword.size() > in.size()) {
        return false;
    }
    for (std::size_t k = 0; k < keyword.size(); ++k) {
        if (lower(in[i + k]) != keyword[k]) {
            return false;
        }
    }
    return true;
}

// Length of "<scheme> <token>" at `i` when `keyword` (lower case) is there,
// followed by spaces and a non-empty token; 0 otherwise.
std::size_t auth_at(std::string_view in, std::size_t i, std::string_view keyword) {
    if (!keyword_at(in, i, keyword)) {
        return 0;
    }
    std::size_t j = i + keyword.size();
    const std::size_t space = j;
    while (j < in.size() && in[j] == ' ') {
        ++j;
    }
    const std::size_t token = j;
    if (token == space) {
        return 0; // "BasicAuth": not the scheme
    }
    while (j < in.size() && is_token_char(in[j])) {
        ++j;
    }
    return j == token ? 0 : j - i;
}

// Pass 3: "Basic <token>" / "Bearer <token>" (scheme matched case-insensitively
// as a whole word) -> the scheme as written + " <redacted>".
std::string replace_auth(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        if (i == 0 || !is_alnum(in[i - 1])) {
            std::size_t len = 0;
            std::size_t keyword = 0;
            for (const std::string_view kw : {std::string_view("basic"), std::string_view("bearer")}) {
                len = auth_at(in, i, kw);
                if (len != 0) {
                    keyword = kw.size();
                    break;
                }
            }
            if (len != 0) {
                out.append(in.substr(i, keyword));
                out += ' ';
                out += kRedacted;
                i += len;
                continue;
            }
        }
        out += in[i++];
    }
    return out;
}

bool is_local_char(char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain_char(char c) {
    return is_alnum(c) || c == '.' || c == '-';
}

// Pass 4: e-mail addresses -> "<email>". local@domain where local is
// [A-Za-z0-9._%+-]+ and domain is dot-separated labels of [A-Za-z0-9-] with
// at least two labels (a sentence's final '.' is not part of it).
std::string replace_emails(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        if (in[i] != '@') {
            out += in[i++];
            continue;
        }
        // Local part: already copied to `out`, scan it backwards.
        std::size_t local = out.size();
        while (local > 0 && is_local_char(out[local - 1])) {
            --local;
        }
        while (local < out.size() && out[local] == '.') {
            ++local;
        }
        // Domain: forward from the '@', trailing '.'/'-' not included.
        std::size_t end = i + 1;
        while (end < in.size() && is_domain_char(in[end])) {
            ++end;
        }
        while (end > i + 1 && (in[end - 1] == '.' || in[end - 1] == '-')) {
            --end;
        }
        const std::string_view domain = in.substr(i + 1, end - i - 1);
        const std::size_t dot = domain.find('.');
        const bool valid = local < out.size() && !domain.empty() && domain.front() != '.' &&
                           dot != std::string_view::npos && domain.find("..") == std::string_view::npos;
        if (!valid) {
            out += in[i++];
            continue;
        }
        out.resize(local);
        out += kEmail;
        i = end;
    }
    return out;
}

bool is_phone_separator(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '(' || c == ')';
}

// "dd.mm.yyyy" / "dd-mm-yyyy" at `i` (a date, not a phone starting with 0).
bool date_at(std::string_view in, std::size_t i) {
    if (i + 10 > in.size()) {
        return false;
    }
    const std::string_view d = in.substr(i, 10);
    const char sep = d[2];
    if ((sep != '.' && sep != '-') || d[5] != sep) {
        return false;
    }
    for (const std::size_t k : {0, 1, 3, 4, 6, 7, 8, 9}) {
        if (!is_digit(d[k])) {
            return false;
        }
    }
    return i + 10 == in.size() || !is_digit(in[i + 10]);
}

// End (exclusive, just after the last digit) of a phone number starting at
// `i`, or npos. `i` is at '+', '0' or a '(' followed by one of them.
std::size_t phone_end(std::string_view in, std::size_t i) {
    constexpr std::size_t kMinDigits = 9;
    constexpr std::size_t kMaxSeparatorRun = 3; // "(021) 555", "0722 - 123"
    std::size_t j = i;
    if (in[j] == '(') {
        ++j;
    }
    if (in[j] == '+') {
        ++j;
        if (j >= in.size() || !is_digit(in[j])) {
            return std::string_view::npos;
        }
    } else if (date_at(in, j)) {
        return std::string_view::npos;
    }
    std::size_t digits = 0;
    std::size_t last_digit_end = std::string_view::npos;
    while (j < in.size()) {
        if (is_digit(in[j])) {
            ++digits;
            ++j;
            last_digit_end = j;
            continue;
        }
        // Separators count only between digits.
        std::size_t k = j;
        while (k < in.size() && k - j < kMaxSeparatorRun && is_phone_separator(in[k])) {
            ++k;
        }
        if (k == j || k >= in.size() || !is_digit(in[k])) {
            break;
        }
        j = k;
    }
    return digits >= kMinDigits ? last_digit_end : std::string_view::npos;
}

// Pass 5: phone numbers -> "<phone>". A candidate starts at a '+' or '0' that
// does not continue a word or a number (the previous character is not a
// letter, digit, '.', '-', '_' or '+'), optionally preceded by '('.
std::string replace_phones(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        const char c = in[i];
        const bool boundary = i == 0 || !(is_alnum(in[i - 1]) || in[i - 1] == '.' || in[i - 1] == '-' ||
                                          in[i - 1] == '_' || in[i - 1] == '+');
        std::size_t start = std::string_view::npos;
        if (boundary && (c == '+' || c == '0')) {
            start = i;
        } else if (boundary && c == '(' && i + 1 < in.size() && (in[i + 1] == '+' || in[i + 1] == '0')) {
            start = i;
        }
        if (start == std::string_view::npos) {
            out += c;
            ++i;
            continue;
        }
        const std::size_t end = phone_end(in, start);
        if (end == std::string_view::npos) {
            out += c;
            ++i;
            continue;
        }
        if (in[start] == '(' && in.substr(start, end - start).find(')') == std::string_view::npos) {
            // "(0722 123 456)": the parenthesis encloses the number, keep it
            // (the closing one is after the last digit, so it stays too).
            out += '(';
        }
        out += kPhone;
        i = end;
    }
    return out;
}

// Cuts valid UTF-8 `s` to at most `max_len` bytes on a character boundary,
// ending with "…" when something was cut and the ellipsis fits.
void truncate(std::string& s, std::size_t max_len) {
    if (s.size() <= max_len) {
        return;
    }
    const bool ellipsis = max_len >= kEllipsis.size();
    std::size_t cut = ellipsis ? max_len - kEllipsis.size() : max_len;
    while (cut > 0 && is_continuation(s[cut])) {
        --cut;
    }
    s.resize(cut);
    if (ellipsis) {
        s += kEllipsis;
    }
}

} // namespace

std::string redact(std::string_view text, const std::vector<std::string>& secrets, std::size_t max_len) {
    std::string s = replace_secrets(text, secrets);
    s = sanitize(s);
    s = replace_auth(s);
    s = replace_emails(s);
    s = replace_phones(s);
    truncate(s, max_len);
    return s;
}

} // namespace erp::emag
