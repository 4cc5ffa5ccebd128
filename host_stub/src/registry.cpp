#include "registry.hpp"

#include "abi_structs.hpp"

#include <nlohmann/json.hpp>

#include <regex>
#include <set>

namespace erp::host {
namespace {

const std::set<std::string> kMethods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

bool has_prefix(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

// Ids of jobs, validators and monitors: "<plugin>.<name>" with [a-z0-9_.-].
bool valid_scoped_id(const std::string& plugin, const std::string& id) {
    static const std::regex re("^[a-z0-9_][a-z0-9_.-]*$");
    return has_prefix(id, plugin + ".") && id.size() > plugin.size() + 1 && id.size() <= 128 &&
           std::regex_match(id, re);
}

// The C trampolines: the registrar table points here; each forwards to the
// RegistrarContext and never lets an exception out.
template <auto Method, class Def>
erp_status trampoline(erp_registrar_ctx* ctx, const Def* def, erp_sink* error) {
    if (ctx == nullptr || ctx->self == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        return (ctx->self->*Method)(def, error);
    } catch (const std::exception& e) {
        write_error_json(error, "internal", e.what(), "registrar");
        return ERP_E_INTERNAL;
    } catch (...) {
        write_error_json(error, "internal", "unknown error", "registrar");
        return ERP_E_INTERNAL;
    }
}

} // namespace

void write_error_json(erp_sink* sink, const std::string& code, const std::string& message, const std::string& where) {
    if (sink == nullptr || sink->write == nullptr) {
        return;
    }
    const std::string text = nlohmann::json{{"code", code}, {"message", message}, {"where", where}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    sink->write(sink->ctx, text.data(), text.size());
}

std::string check_route_pattern(const std::string& pattern, std::vector<std::string>& segments) {
    if (pattern.empty() || pattern.front() != '/') {
        return "must begin with '/'";
    }
    segments.clear();
    std::set<std::string> names;
    size_t pos = 1;
    while (pos <= pattern.size()) {
        const size_t next = pattern.find('/', pos);
        const std::string seg = pattern.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (seg.empty() && next != std::string::npos) {
            return "has an empty segment";
        }
        if (!seg.empty()) {
            if (seg.front() == '{') {
                static const std::regex param("^\\{[a-zA-Z_][a-zA-Z0-9_]*\\}$");
                if (!std::regex_match(seg, param)) {
                    return "bad parameter segment '" + seg + "'";
                }
                if (!names.insert(seg).second) {
                    return "repeats parameter " + seg;
                }
            } else if (seg.find_first_of("{}?#") != std::string::npos) {
                return "segment '" + seg + "' contains one of {}?#";
            }
            segments.push_back(seg);
        }
        if (next == std::string::npos) {
            break;
        }
        pos = next + 1;
    }
    return "";
}

RegistrarContext::RegistrarContext(std::string plugin_id, std::filesystem::path plugin_dir, PluginRegistrations& out)
    : plugin_id_(std::move(plugin_id)), plugin_dir_(std::move(plugin_dir)), out_(out) {
    table_.struct_size = sizeof(erp_registrar);
    ctx_storage_.self = this;
    table_.ctx = &ctx_storage_;
    table_.add_job = &trampoline<&RegistrarContext::add_job, erp_job_def>;
    table_.add_validator = &trampoline<&RegistrarContext::add_validator, erp_validator_def>;
    table_.add_monitor = &trampoline<&RegistrarContext::add_monitor, erp_monitor_def>;
    table_.add_db_mapping = &trampoline<&RegistrarContext::add_db_mapping, erp_db_mapping>;
    table_.add_route = &trampoline<&RegistrarContext::add_route, erp_route_def>;
    table_.add_static = &trampoline<&RegistrarContext::add_static, erp_static_def>;
}

erp_status RegistrarContext::refuse(erp_sink* error, erp_status status, const std::string& where,
                                    const std::string& message) const {
    write_error_json(error, status == ERP_E_CONFLICT ? "conflict" : "invalid_argument", message, where);
    return status;
}

bool RegistrarContext::check_open(erp_sink* error, const char* where) const {
    if (!open_) {
        write_error_json(error, "invalid_state", "the registrar may only be used during init()", where);
    }
    return open_;
}

erp_status RegistrarContext::add_job(const erp_job_def* p, erp_sink* error) {
    if (!check_open(error, "add_job")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_job", "job definition is NULL or has no struct_size");
    }
    const std::string id = c_str_or_empty(def->id);
    if (!valid_scoped_id(plugin_id_, id)) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_job",
                      "job id '" + id + "' must be '" + plugin_id_ + ".<name>' using [a-z0-9_.-]");
    }
    if (def->run == nullptr) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_job", "job '" + id + "' has no run callback");
    }
    for (const auto& j : out_.jobs) {
        if (j.id == id) {
            return refuse(error, ERP_E_CONFLICT, "add_job", "job '" + id + "' is already registered");
        }
    }
    out_.jobs.push_back(
        JobReg{id, c_str_or_empty(def->description), def->interval_seconds, def->jitter_seconds, def->user, def->run});
    return ERP_OK;
}

erp_status RegistrarContext::add_validator(const erp_validator_def* p, erp_sink* error) {
    if (!check_open(error, "add_validator")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_validator", "validator definition is NULL");
    }
    const std::string kind = c_str_or_empty(def->kind);
    if (!valid_scoped_id(plugin_id_, kind)) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_validator",
                      "validator kind '" + kind + "' must be '" + plugin_id_ + ".<entity>'");
    }
    if (def->validate == nullptr) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_validator",
                      "validator '" + kind + "' has no validate callback");
    }
    for (const auto& v : out_.validators) {
        if (v.kind == kind) {
            return refuse(error, ERP_E_CONFLICT, "add_validator", "validator '" + kind + "' is already registered");
        }
    }
    out_.validators.push_back(ValidatorReg{kind, def->user, def->validate});
    return ERP_OK;
}

erp_status RegistrarContext::add_monitor(const erp_monitor_def* p, erp_sink* error) {
    if (!check_open(error, "add_monitor")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_monitor", "monitor definition is NULL");
    }
    const std::string id = c_str_or_empty(def->id);
    if (!valid_scoped_id(plugin_id_, id)) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_monitor",
                      "monitor id '" + id + "' must be '" + plugin_id_ + ".<name>'");
    }
    // Fields beyond the plugin's struct_size read as NULL: an older plugin
    // without `health` simply reports no health.
    if (def->collect == nullptr && def->health == nullptr) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_monitor",
                      "monitor '" + id + "' has neither a collect nor a health callback");
    }
    for (const auto& m : out_.monitors) {
        if (m.id == id) {
            return refuse(error, ERP_E_CONFLICT, "add_monitor", "monitor '" + id + "' is already registered");
        }
    }
    out_.monitors.push_back(MonitorReg{id, def->user, def->collect, def->health});
    return ERP_OK;
}

erp_status RegistrarContext::add_db_mapping(const erp_db_mapping* p, erp_sink* error) {
    if (!check_open(error, "add_db_mapping")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_db_mapping", "mapping is NULL");
    }
    if (def->version == 0) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_db_mapping", "mapping versions start at 1");
    }
    if (def->declaration_json == nullptr) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_db_mapping",
                      "mapping version " + std::to_string(def->version) + " has no declaration_json");
    }
    for (const auto& m : out_.migrations) {
        if (m.version == def->version) {
            return refuse(error, ERP_E_CONFLICT, "add_db_mapping",
                          "mapping version " + std::to_string(def->version) + " is registered twice");
        }
    }
    MigrationStep step{def->version, c_str_or_empty(def->description), def->declaration_json};
    const std::string problem = validate_declaration(plugin_id_, step.declaration_json);
    if (!problem.empty()) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_db_mapping",
                      "mapping version " + std::to_string(def->version) + ": " + problem);
    }
    out_.migrations.push_back(std::move(step));
    return ERP_OK;
}

erp_status RegistrarContext::add_route(const erp_route_def* p, erp_sink* error) {
    if (!check_open(error, "add_route")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_route", "route definition is NULL");
    }
    RouteReg r;
    r.method = c_str_or_empty(def->method);
    r.pattern = c_str_or_empty(def->pattern);
    if (kMethods.count(r.method) == 0) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_route",
                      "route '" + r.pattern + "': unsupported method '" + r.method + "'");
    }
    const std::string problem = check_route_pattern(r.pattern, r.segments);
    if (!problem.empty()) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_route", "route pattern '" + r.pattern + "' " + problem);
    }
    if (def->handle == nullptr) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_route",
                      "route " + r.method + " " + r.pattern + " has no handle callback");
    }
    for (const auto& existing : out_.routes) {
        if (existing.method == r.method && existing.pattern == r.pattern) {
            return refuse(error, ERP_E_CONFLICT, "add_route",
                          "route " + r.method + " " + r.pattern + " is already registered");
        }
    }
    r.flags = def->flags;
    r.user = def->user;
    r.handle = def->handle;
    out_.routes.push_back(std::move(r));
    return ERP_OK;
}

erp_status RegistrarContext::add_static(const erp_static_def* p, erp_sink* error) {
    if (!check_open(error, "add_static")) {
        return ERP_E_INVALID_ARGUMENT;
    }
    const auto def = read_foreign(p);
    if (!def) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_static", "static definition is NULL");
    }
    std::string prefix = c_str_or_empty(def->url_prefix);
    if (prefix.empty() || prefix.front() != '/') {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_static", "url_prefix must begin with '/'");
    }
    while (prefix.size() > 1 && prefix.back() == '/') {
        prefix.pop_back();
    }
    std::filesystem::path dir(c_str_or_empty(def->directory));
    if (dir.empty()) {
        return refuse(error, ERP_E_INVALID_ARGUMENT, "add_static", "directory is empty");
    }
    if (dir.is_relative()) {
        dir = plugin_dir_ / dir;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return refuse(error, ERP_E_NOT_FOUND, "add_static", "directory " + dir.string() + " does not exist");
    }
    for (const auto& s : out_.statics) {
        if (s.url_prefix == prefix) {
            return refuse(error, ERP_E_CONFLICT, "add_static", "static prefix '" + prefix + "' is already registered");
        }
    }
    out_.statics.push_back(StaticReg{prefix, std::filesystem::canonical(dir)});
    return ERP_OK;
}

} // namespace erp::host
