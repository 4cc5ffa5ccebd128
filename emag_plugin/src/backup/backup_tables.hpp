// Which tables a backup holds, derived from the plugin's schema declarations
// (store/schema.hpp) so a table or column added by a later schema version is
// backed up without touching this code: every declared table but
// emag_metrics (monitoring history, not seller data).
#pragma once

#include "store/table_dump.hpp"

#include <cstdint>
#include <vector>

namespace erp::emag {

// The tables as the latest schema version leaves them (create_tables plus
// add_columns of every version), in declaration order. Throws
// std::logic_error for a column type a backup cannot carry (none today).
std::vector<DumpTable> backup_tables();

// The highest schema version the plugin declares.
std::uint32_t latest_schema_version();

} // namespace erp::emag
