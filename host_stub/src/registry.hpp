// Registry: what one plugin registered during init() through the C registrar,
// copied into host-owned values and checked (required callbacks, ids, JSON) at
// registration time, not at first call.
#pragma once

#include "migrations.hpp"

#include <erp_plugin/erp_plugin.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace erp::host {
class RegistrarContext;
}

// The ABI's opaque registrar context: points back at the RegistrarContext.
struct erp_registrar_ctx {
    erp::host::RegistrarContext* self;
};

namespace erp::host {

struct JobReg {
    std::string id;
    std::string description;
    uint32_t interval_seconds = 0;
    uint32_t jitter_seconds = 0;
    void* user = nullptr;
    decltype(erp_job_def::run) run = nullptr;
};

struct ValidatorReg {
    std::string kind;
    void* user = nullptr;
    decltype(erp_validator_def::validate) validate = nullptr;
};

struct MonitorReg {
    std::string id;
    void* user = nullptr;
    decltype(erp_monitor_def::collect) collect = nullptr;
    decltype(erp_monitor_def::health) health = nullptr;
};

struct RouteReg {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments; // pattern split on '/', "{name}" kept as is
    uint32_t flags = 0;
    void* user = nullptr;
    decltype(erp_route_def::handle) handle = nullptr;
};

struct StaticReg {
    std::string url_prefix; // normalized: begins with '/', no trailing '/' except "/"
    std::filesystem::path directory;
};

struct PluginRegistrations {
    std::vector<JobReg> jobs;
    std::vector<ValidatorReg> validators;
    std::vector<MonitorReg> monitors;
    std::vector<MigrationStep> migrations;
    std::vector<RouteReg> routes;
    std::vector<StaticReg> statics;
};

// The state behind one erp_registrar handed to a plugin's init().
class RegistrarContext {
  public:
    RegistrarContext(std::string plugin_id, std::filesystem::path plugin_dir, PluginRegistrations& out);
    RegistrarContext(const RegistrarContext&) = delete;
    RegistrarContext& operator=(const RegistrarContext&) = delete;
    // The C table; valid while this object lives and `open()` is true.
    const erp_registrar* table() const { return &table_; }
    // After init returns the registrar is closed: late calls are refused.
    void close() { open_ = false; }

    // Exposed for the C trampolines.
    erp_status add_job(const erp_job_def* def, erp_sink* error);
    erp_status add_validator(const erp_validator_def* def, erp_sink* error);
    erp_status add_monitor(const erp_monitor_def* def, erp_sink* error);
    erp_status add_db_mapping(const erp_db_mapping* def, erp_sink* error);
    erp_status add_route(const erp_route_def* def, erp_sink* error);
    erp_status add_static(const erp_static_def* def, erp_sink* error);

  private:
    erp_status refuse(erp_sink* error, erp_status status, const std::string& where, const std::string& message) const;
    bool check_open(erp_sink* error, const char* where) const;

    std::string plugin_id_;
    std::filesystem::path plugin_dir_;
    PluginRegistrations& out_;
    erp_registrar_ctx ctx_storage_{};
    erp_registrar table_{};
    bool open_ = true;
};

// Splits a route pattern; returns an empty string when valid, else why not.
std::string check_route_pattern(const std::string& pattern, std::vector<std::string>& segments);

// Writes the documented error JSON {"code","message","where"} into a sink.
void write_error_json(erp_sink* sink, const std::string& code, const std::string& message, const std::string& where);

} // namespace erp::host
