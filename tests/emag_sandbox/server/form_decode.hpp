// Request bodies → the `data` value the Marketplace reads.
//
// eMAG's official sample posts PHP http_build_query forms
// (`data[currentPage]=1&data[status][]=1&data[0][id]=5`); integrators also
// send JSON `{"data": ...}`. Both decode to the same nlohmann::json, so both
// get the same answer.
//
// Form decoding follows PHP's parse_str where it matters:
// - `a[b][c]=v` nests objects; `a[]=v` appends with the next integer key.
// - A node whose keys are exactly 0..n-1 (in that order) becomes an array.
// - '+' is a space; %XX escapes are decoded; a later duplicate key wins.
// - More than 4000 variables → eMAG's "Maximum input vars of 4000 exceeded"
//   (PHP's max_input_vars applies to forms only, not to JSON bodies).
// PHP leaves every value a string; the sandbox's core speaks typed JSON, so
// a value that is a canonical integer ("12", "-3", not "012" or "1.50")
// becomes a JSON integer. eMAG itself is loose about "1" vs 1 (reference
// §1.6), so this loses nothing a PHP server would keep.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace emag::sandbox {

struct DecodedBody {
    bool ok = true;
    std::string error;   // when !ok: the message for the envelope
    nlohmann::json data; // the `data` value; null when absent
};

// Decodes an application/x-www-form-urlencoded body into a JSON object of
// its top-level names (e.g. {"data": {...}}). Never throws.
DecodedBody decode_form(std::string_view body);

// Picks JSON or form by Content-Type (sniffing '{' when it is neither) and
// returns the top-level "data" member. An empty body is "no data" (null).
DecodedBody decode_request_body(std::string_view content_type, std::string_view body);

// Percent-decoding of one form component ('+' = space). False on a
// malformed escape.
bool form_unescape(std::string_view in, std::string& out);

} // namespace emag::sandbox
