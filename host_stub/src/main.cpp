// erp-host: the ERP host's command line. Wiring only; the work is in HostApp.
//
//   erp-host --config FILE serve         load plugins, run jobs, serve HTTP/WS until SIGINT/SIGTERM
//   erp-host --config FILE check-config  check the config, manifests, checksums and plugin configs
//   erp-host --config FILE plugins       load and initialize plugins, list what they registered
//   erp-host --config FILE run-job ID    start plugins and run one job now, in the foreground
//   erp-host --config FILE migrate       apply plugins' DB mappings and report
#include "config.hpp"
#include "host_app.hpp"
#include "manifest.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>

namespace {

using namespace erp::host;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitConfig = 2;

int check_config(const HostConfig& cfg) {
    int problems = 0;
    std::cout << "config " << cfg.file.string() << ": OK (listen " << cfg.listen_address << ":" << cfg.port
              << ", database " << cfg.database_url.substr(0, cfg.database_url.find(':')) << ", admin token "
              << (cfg.admin_token.empty() ? "not set" : "from " + cfg.admin_token_source) << ")\n";
    for (const auto& id : cfg.enabled) {
        const auto dir = cfg.plugins_dir / id;
        try {
            const Manifest m = load_manifest(dir / "manifest.json");
            if (m.id != id) {
                throw ManifestError("manifest id '" + m.id + "' does not match the enabled id '" + id + "'");
            }
            verify_library(m);
            const auto issues = check_config_against_schema(m.config_schema_json, cfg.plugin_config(id));
            if (!issues.empty()) {
                std::string msg;
                for (const auto& i : issues) {
                    msg += "\n    [plugins." + id + "] " + i;
                }
                throw ManifestError("config does not match the manifest's config_schema:" + msg);
            }
            std::cout << "plugin " << id << " " << m.version << " (ABI " << m.abi_string()
                      << "): manifest OK, sha256 OK, config OK\n";
        } catch (const std::exception& e) {
            ++problems;
            std::cout << "plugin " << id << ": ERROR: " << e.what() << "\n";
        }
    }
    return problems == 0 ? kExitOk : kExitFailure;
}

int report_failures(const HostApp& app) {
    int failed = 0;
    for (const auto& p : app.plugins()) {
        if (!p.failed_step.empty()) {
            ++failed;
        }
    }
    return failed == 0 ? kExitOk : kExitFailure;
}

int list_plugins(HostApp& app) {
    app.load_plugins(HostApp::LoadUntil::init);
    for (const auto& p : app.plugins()) {
        if (!p.failed_step.empty()) {
            std::cout << p.id << "  FAILED at " << p.failed_step << ": " << p.error << "\n";
            continue;
        }
        const auto& m = p.instance->manifest();
        const auto& r = p.instance->registrations();
        std::cout << p.id << "  " << m.name << " " << m.version << "  ABI " << m.abi_string() << "  "
                  << to_string(p.instance->state()) << "\n";
        for (const auto& j : r.jobs) {
            std::cout << "  job       " << j.id << "  every " << j.interval_seconds << " s (+0.." << j.jitter_seconds
                      << " s)" << (j.description.empty() ? "" : "  " + j.description) << "\n";
        }
        for (const auto& rt : r.routes) {
            std::cout << "  route     " << rt.method << " /plugins/" << p.id << rt.pattern << "\n";
        }
        for (const auto& s : r.statics) {
            std::cout << "  static    /plugins/" << p.id << s.url_prefix << " -> " << s.directory.string() << "\n";
        }
        for (const auto& v : r.validators) {
            std::cout << "  validator " << v.kind << "\n";
        }
        for (const auto& mo : r.monitors) {
            std::cout << "  monitor   " << mo.id << "\n";
        }
        for (const auto& mi : r.migrations) {
            std::cout << "  db        version " << mi.version << (mi.description.empty() ? "" : "  " + mi.description)
                      << "\n";
        }
    }
    return report_failures(app);
}

int migrate(HostApp& app) {
    app.load_plugins(HostApp::LoadUntil::migrate);
    for (const auto& p : app.plugins()) {
        if (!p.failed_step.empty()) {
            std::cout << p.id << ": FAILED at " << p.failed_step << ": " << p.error << "\n";
        } else {
            std::cout << p.id << ": schema up to date (" << p.instance->registrations().migrations.size()
                      << " version(s) declared)\n";
        }
    }
    return report_failures(app);
}

int run_job(HostApp& app, const std::string& job, const std::string& params) {
    if (!nlohmann::json::accept(params) || !nlohmann::json::parse(params).is_object()) {
        std::cerr << "erp-host: --params must be a JSON object\n";
        return kExitConfig;
    }
    app.load_plugins(HostApp::LoadUntil::start);
    const std::string err = app.run_job(job, params);
    if (!err.empty()) {
        std::cerr << "job " << job << ": FAILED: " << err << "\n";
        return kExitFailure;
    }
    std::cout << "job " << job << ": OK\n";
    return kExitOk;
}

int serve(HostApp& app, sigset_t& signals) {
    app.load_plugins(HostApp::LoadUntil::start);
    app.start_scheduler(true);
    app.start_http();
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("erp-host: {} received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    app.stop();
    spdlog::info("erp-host: stopped cleanly");
    return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
    // Block the stop signals before any thread starts, so every thread inherits
    // the mask and `serve` receives them with sigwait.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App cli{"erp-host: loads marketplace plugins, runs their jobs, serves their routes"};
    std::string config_path = "erp-host.toml";
    cli.add_option("-c,--config", config_path, "host config file (TOML)")->capture_default_str();
    cli.require_subcommand(1);
    auto* serve_cmd = cli.add_subcommand("serve", "load plugins, run jobs, serve HTTP and /ws until SIGINT/SIGTERM");
    auto* check_cmd = cli.add_subcommand("check-config", "check config, manifests, checksums and plugin configs");
    auto* plugins_cmd = cli.add_subcommand("plugins", "load plugins and list what each registered");
    auto* migrate_cmd = cli.add_subcommand("migrate", "apply plugins' DB mappings");
    auto* run_cmd = cli.add_subcommand("run-job", "run one job now in the foreground");
    std::string job_id;
    std::string params = "{}";
    run_cmd->add_option("ID", job_id, "job id, e.g. emag.orders.sync")->required();
    run_cmd->add_option("--params", params, "job parameters as a JSON object")->capture_default_str();
    CLI11_PARSE(cli, argc, argv);

    HostConfig cfg;
    try {
        cfg = load_config(config_path);
    } catch (const ConfigError& e) {
        std::cerr << "erp-host: config error: " << e.what() << "\n";
        return kExitConfig;
    }
    configure_logging(cfg.log_level);
    if (*check_cmd) {
        return check_config(cfg);
    }
    try {
        HostApp app(cfg);
        if (*serve_cmd) {
            return serve(app, signals);
        }
        if (*plugins_cmd) {
            return list_plugins(app);
        }
        if (*migrate_cmd) {
            return migrate(app);
        }
        if (*run_cmd) {
            return run_job(app, job_id, params);
        }
    } catch (const ConfigError& e) {
        std::cerr << "erp-host: config error: " << e.what() << "\n";
        return kExitConfig;
    } catch (const std::exception& e) {
        std::cerr << "erp-host: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitOk;
}
