#include "store/schema.hpp"

#include <array>

namespace erp::emag {
namespace {

// v1: the configured accounts, refreshed from the config at every start so
// other tables can reference them and the admin can see what is configured.
// No password column, ever: credentials live in env variables or files only.
// Timestamps are "YYYY-MM-DDTHH:MM:SSZ" text on every backend (erp_plugin.h).
constexpr std::string_view kV1 = R"({"create_tables":[{"name":"emag_accounts","columns":[
{"name":"name","type":"string","size":64,"nullable":false},
{"name":"platform","type":"string","size":8},
{"name":"base_url","type":"string","size":255},
{"name":"username","type":"string","size":255},
{"name":"currency","type":"string","size":3},
{"name":"locale","type":"string","size":8},
{"name":"timezone","type":"string","size":64},
{"name":"created_at","type":"timestamp"},
{"name":"updated_at","type":"timestamp"}],
"primary_key":["name"]}]})";

constexpr std::array<SchemaVersion, 1> kVersions{{
    {1, "emag_accounts: configured eMAG accounts", kV1},
}};

} // namespace

std::span<const SchemaVersion> schema_versions() noexcept {
    return kVersions;
}

} // namespace erp::emag
