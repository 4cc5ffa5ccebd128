// The request body eMAG's official sample sends: PHP's http_build_query of
// {"data": ...} (reference §1.2), e.g. data[currentPage]=1&data[status][]=...
// written with explicit indices: data[status][0]=1&data[status][1]=2.
//
//   object member  name[key]=...      array element  name[i]=...
//   string         percent-encoded (RFC 3986 unreserved kept, space as %20)
//   integer/float  decimal text (floats: shortest round-trip form)
//   true / false   1 / 0              null            omitted (PHP drops it)
//   empty array or object: omitted (PHP sends nothing for them)
//   NaN, infinity, binary values: omitted (nothing PHP could send)
// Names are percent-encoded like values, brackets included, as PHP does:
// data%5BcurrentPage%5D=1&data%5Bstatus%5D%5B0%5D=1.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace erp::emag {

struct EncodedForm {
    std::string body;
    std::size_t variables = 0; // name=value pairs: eMAG refuses more than 4000
};

// Encodes {name: value} for the top-level `name` (eMAG: "data").
EncodedForm form_encode(const std::string& name, const nlohmann::json& value);

// eMAG's "Maximum input vars of 4000 exceeded" limit (reference §1.5).
constexpr std::size_t kMaxFormVariables = 4000;

} // namespace erp::emag
