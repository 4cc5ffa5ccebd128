// Redaction of text that may reach a log: eMAG's messages can echo what was
// sent (names, phones, e-mails of customers) and a stray credential must
// never be written. Used by the request log and by every log line the client
// writes about a response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace erp::emag {

// Returns `text` with, in this order:
// - every occurrence of each non-empty string in `secrets` -> "<redacted>"
//   (callers pass the password and the base64 Basic credential);
// - control characters (C0, DEL, C1, U+2028/U+2029) -> ' ' (one log line
//   stays one line) and invalid UTF-8 bytes -> U+FFFD;
// - "Basic <token>" / "Bearer <token>" (scheme case-insensitive, as a whole
//   word) -> "Basic <redacted>" / "Bearer <redacted>" (scheme kept as written);
// - e-mail addresses (local@domain.tld) -> "<email>";
// - phone numbers: a run of >= 9 digits (up to 3 spaces, dots, dashes or
//   parentheses allowed between them) that starts with '+' or '0' not
//   preceded by a letter, digit, '.', '-', '_' or '+' -> "<phone>". Order,
//   offer and product ids never start with 0, so they stay readable; a
//   "dd.mm.yyyy" / "dd-mm-yyyy" date is not a phone. A '(' just before the
//   leading 0/+ is part of the number when its ')' is too: "(021) 555.12.34"
//   -> "<phone>", but "(0722 123 456)" -> "(<phone>)".
// The result is cut to at most `max_len` bytes on a UTF-8 boundary, ending
// with "…" (3 bytes, counted in max_len) when something was cut. No regex:
// a few linear passes.
std::string redact(std::string_view text, const std::vector<std::string>& secrets = {}, std::size_t max_len = 500);

} // namespace erp::emag
