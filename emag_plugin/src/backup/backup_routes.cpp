#include "backup/backup_routes.hpp"

#include "backup/backup_service.hpp"
#include "routes/route_helpers.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {
namespace {

using erp::plugin::Request;
using erp::plugin::Response;
using nlohmann::json;

json backup_json(const BackupInfo& b) {
    json tables = json::array();
    for (const BackupTable& t : b.tables) {
        tables.push_back(
            {{"name", t.name}, {"file", t.file}, {"rows", t.rows}, {"sha256", t.sha256}, {"bytes", t.bytes}});
    }
    return {{"name", b.name}, {"created_at", b.created_at}, {"bytes", b.bytes}, {"tables", std::move(tables)}};
}

class Routes {
  public:
    explicit Routes(std::function<std::shared_ptr<BackupService>()> service) : service_(std::move(service)) {}

    void handle(Response& resp, const std::function<void(BackupService&)>& f) const {
        guarded(resp, [&] { f(*require_running<BackupService>(service_, "the eMAG plugin")); });
    }

    void list(Response& resp) const {
        handle(resp, [&](BackupService& s) {
            std::vector<std::string> problems;
            json backups = json::array();
            for (const BackupInfo& b : s.list(&problems)) {
                backups.push_back(backup_json(b));
            }
            send(resp, 200,
                 {{"dir", s.options().dir.string()},
                  {"keep", s.options().keep},
                  {"backups", std::move(backups)},
                  {"problems", problems}});
        });
    }

    void create(Response& resp) const {
        handle(resp, [&](BackupService& s) {
            const BackupInfo b = s.create();
            send(resp, 201, {{"backup", backup_json(b)}, {"pruned", b.pruned}});
        });
    }

    void restore(const Request& req, Response& resp) const {
        handle(resp, [&](BackupService& s) {
            RestoreReport r;
            try {
                r = s.restore(path_param(req, "name"));
            } catch (const std::invalid_argument& e) {
                throw bad_request(e.what());
            } catch (const BackupNotFound& e) {
                throw HttpError{404, "not_found", e.what()};
            } catch (const BackupDamaged& e) {
                throw HttpError{422, "backup_damaged", e.what()};
            }
            json tables = json::array();
            for (const auto& [table, rows] : r.rows_per_table) {
                tables.push_back({{"name", table}, {"rows", rows}});
            }
            send(resp, 200, {{"name", r.name}, {"rows", r.rows}, {"tables", std::move(tables)}});
        });
    }

  private:
    std::function<std::shared_ptr<BackupService>()> service_;
};

} // namespace

void register_backup_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<BackupService>()> service) {
    auto routes = std::make_shared<const Routes>(std::move(service));
    reg.add_route("GET", "/api/backups", ERP_ROUTE_ADMIN,
                  [routes](const Request&, Response& resp) { routes->list(resp); });
    reg.add_route("POST", "/api/backups", ERP_ROUTE_ADMIN,
                  [routes](const Request&, Response& resp) { routes->create(resp); });
    reg.add_route("POST", "/api/backups/{name}/restore", ERP_ROUTE_ADMIN,
                  [routes](const Request& req, Response& resp) { routes->restore(req, resp); });
}

} // namespace erp::emag
