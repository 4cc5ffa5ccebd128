// The plugin's tables, declared as versioned DB mappings (the portable JSON
// of erp_db_mapping in erp_plugin.h) that the host realizes on SQLite or
// PostgreSQL. A released version's text is checksummed by the host: never
// edit one, append a new version.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace erp::emag {

struct SchemaVersion {
    uint32_t version;
    std::string_view description;
    std::string_view declaration_json;
};

// Every version, in increasing order.
std::span<const SchemaVersion> schema_versions() noexcept;

} // namespace erp::emag
