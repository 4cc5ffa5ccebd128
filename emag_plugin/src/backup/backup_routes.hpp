// The backup routes (served by the host under /plugins/emag), all behind the
// admin token (ERP_ROUTE_ADMIN, reads included: a backup holds every order):
//
//   GET  /api/backups
//        → {"dir", "keep", "backups": [backup...] newest first, "problems": ["<name>: <why>"...]}
//          backup = {"name", "created_at", "bytes", "tables": [{"name", "file", "rows", "sha256", "bytes"}]}
//   POST /api/backups
//        → 201 {"backup": backup, "pruned": [names deleted by retention]}
//   POST /api/backups/{name}/restore
//        → 200 {"name", "rows", "tables": [{"name", "rows"}]}
//
// Errors are {"error": {"kind", "message"}}: 400 a name that is not a
// backup name, 404 no such backup, 422 the backup failed verification
// (nothing changed), 500 the backup or restore failed, 503 before start.
#pragma once

#include <erp_plugin/erp_plugin.hpp>

#include <functional>
#include <memory>

namespace erp::emag {

class BackupService;

void register_backup_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<BackupService>()> service);

} // namespace erp::emag
