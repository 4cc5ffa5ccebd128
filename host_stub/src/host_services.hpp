// HostServices: the host side of erp_host_api — what plugins may call from any
// thread: log, database url, data dir, events, clock, job cancellation and
// progress, extensions.
#pragma once

#include "event_bus.hpp"

#include <erp_plugin/erp_plugin.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace erp::host {

struct HostServicesOptions {
    std::string soci_db_url;         // "" when the host has no database
    std::filesystem::path data_dir;  // plugins get <data_dir>/plugins/<id>
    std::function<int64_t()> now_ms; // defaults to the system clock
};

class HostServices {
  public:
    HostServices(HostServicesOptions options, EventBus& events);
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    // A host table for one plugin; valid as long as the returned object lives.
    class PluginHostApi {
      public:
        virtual ~PluginHostApi() = default;
        virtual const erp_host_api* table() const = 0;
    };
    std::unique_ptr<PluginHostApi> make_api(const std::string& plugin_id);

    EventBus& events() { return events_; }
    int64_t now_ms() const;
    const HostServicesOptions& options() const { return options_; }

  private:
    HostServicesOptions options_;
    EventBus& events_;
};

// Publishes the host's own job lifecycle events on topic "jobs".
void publish_job_event(EventBus& events, const std::string& job_id, const std::string& state,
                       const std::string& extra_json_object = "{}");

} // namespace erp::host
