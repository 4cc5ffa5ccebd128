#include "host_services.hpp"

#include "job_run.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

// The ABI's opaque per-plugin context.
struct erp_host_ctx {
    erp::host::HostServices* services = nullptr;
    std::string plugin_id;
    std::filesystem::path data_dir;
    std::shared_ptr<spdlog::logger> logger;
};

namespace erp::host {
namespace {

erp_status write_string(erp_sink* out, const std::string& s) {
    if (out == nullptr || out->write == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    return out->write(out->ctx, s.data(), s.size());
}

spdlog::level::level_enum to_spdlog(uint32_t level) {
    switch (level) {
    case ERP_LOG_TRACE:
        return spdlog::level::trace;
    case ERP_LOG_DEBUG:
        return spdlog::level::debug;
    case ERP_LOG_INFO:
        return spdlog::level::info;
    case ERP_LOG_WARN:
        return spdlog::level::warn;
    default:
        return spdlog::level::err;
    }
}

// Every function below is called by plugins from any thread and must never
// throw back across the ABI.

void api_log(erp_host_ctx* ctx, uint32_t level, const char* msg, size_t len) {
    if (ctx == nullptr || msg == nullptr) {
        return;
    }
    try {
        ctx->logger->log(to_spdlog(level), "{}", std::string_view(msg, len));
    } catch (...) {
    }
}

erp_status api_database_url(erp_host_ctx* ctx, erp_sink* out) {
    if (ctx == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        const auto& url = ctx->services->options().soci_db_url;
        if (url.empty()) {
            return ERP_E_UNAVAILABLE;
        }
        return write_string(out, url);
    } catch (...) {
        return ERP_E_INTERNAL;
    }
}

erp_status api_data_dir(erp_host_ctx* ctx, erp_sink* out) {
    if (ctx == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        std::error_code ec;
        std::filesystem::create_directories(ctx->data_dir, ec);
        if (ec) {
            return ERP_E_IO;
        }
        return write_string(out, ctx->data_dir.string());
    } catch (...) {
        return ERP_E_INTERNAL;
    }
}

erp_status api_publish_event(erp_host_ctx* ctx, const char* topic, const char* json, size_t len) {
    if (ctx == nullptr || topic == nullptr || json == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        std::string t(topic);
        if (t.rfind(ctx->plugin_id + ".", 0) != 0 || t.size() == ctx->plugin_id.size() + 1) {
            ctx->logger->warn("publish_event refused: topic '{}' must begin with '{}.'", t, ctx->plugin_id);
            return ERP_E_INVALID_ARGUMENT;
        }
        std::string body(json, len);
        if (!nlohmann::json::accept(body)) {
            ctx->logger->warn("publish_event refused: payload for topic '{}' is not valid JSON", t);
            return ERP_E_INVALID_ARGUMENT;
        }
        ctx->services->events().publish(std::move(t), std::move(body));
        return ERP_OK;
    } catch (...) {
        return ERP_E_INTERNAL;
    }
}

int64_t api_now_unix_ms(erp_host_ctx* ctx) {
    return ctx == nullptr ? 0 : ctx->services->now_ms();
}

int api_job_is_cancelled(erp_host_ctx* ctx, erp_job* job) {
    if (ctx == nullptr || job == nullptr) {
        return 0;
    }
    // erp_job* is the scheduler's JobRun for this execution (see plugin_loader).
    return reinterpret_cast<JobRun*>(job)->cancelled.load() ? 1 : 0;
}

erp_status api_job_progress(erp_host_ctx* ctx, erp_job* job, const char* json, size_t len) {
    if (ctx == nullptr || job == nullptr || json == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        const auto progress = nlohmann::json::parse(std::string_view(json, len), nullptr, false);
        if (progress.is_discarded() || !progress.is_object()) {
            return ERP_E_INVALID_ARGUMENT;
        }
        const auto* run = reinterpret_cast<JobRun*>(job);
        publish_job_event(ctx->services->events(), run->job_id, "progress",
                          nlohmann::json{{"progress", progress}}.dump());
        return ERP_OK;
    } catch (...) {
        return ERP_E_INTERNAL;
    }
}

const void* api_get_extension(erp_host_ctx*, const char*, uint32_t) {
    // Host ABI 1.0 offers no optional services yet; NULL is the documented
    // "not available" answer.
    return nullptr;
}

class PluginHostApiImpl final : public HostServices::PluginHostApi {
  public:
    PluginHostApiImpl(HostServices& services, const std::string& plugin_id) {
        ctx_.services = &services;
        ctx_.plugin_id = plugin_id;
        ctx_.data_dir = services.options().data_dir / "plugins" / plugin_id;
        ctx_.logger = spdlog::default_logger()->clone("plugin:" + plugin_id);
        table_.struct_size = sizeof(erp_host_api);
        table_.abi_version = ERP_ABI_VERSION;
        table_.ctx = &ctx_;
        table_.log = &api_log;
        table_.database_url = &api_database_url;
        table_.data_dir = &api_data_dir;
        table_.publish_event = &api_publish_event;
        table_.now_unix_ms = &api_now_unix_ms;
        table_.job_is_cancelled = &api_job_is_cancelled;
        table_.job_progress = &api_job_progress;
        table_.get_extension = &api_get_extension;
    }
    const erp_host_api* table() const override { return &table_; }

  private:
    erp_host_ctx ctx_;
    erp_host_api table_{};
};

} // namespace

HostServices::HostServices(HostServicesOptions options, EventBus& events)
    : options_(std::move(options)), events_(events) {}

std::unique_ptr<HostServices::PluginHostApi> HostServices::make_api(const std::string& plugin_id) {
    return std::make_unique<PluginHostApiImpl>(*this, plugin_id);
}

int64_t HostServices::now_ms() const {
    if (options_.now_ms) {
        return options_.now_ms();
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void publish_job_event(EventBus& events, const std::string& job_id, const std::string& state,
                       const std::string& extra_json_object) {
    auto j = nlohmann::json::parse(extra_json_object, nullptr, false);
    if (!j.is_object()) {
        j = nlohmann::json::object();
    }
    j["job"] = job_id;
    j["state"] = state;
    events.publish("jobs", j.dump());
}

} // namespace erp::host
