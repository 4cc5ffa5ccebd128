// Benchmark: how long loading a plugin takes, step by step — manifest check
// with sha256 of the library, dlopen + erp_plugin_entry + negotiation, init
// (registrations) — for the staged eMAG and hello_c plugins. Prints numbers;
// never passes or fails on time.
//
//   bench_plugin_load [--iterations N] [--plugins-dir DIR]
#include "event_bus.hpp"
#include "host_services.hpp"
#include "manifest.hpp"
#include "plugin_loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

struct Stats {
    std::vector<double> v;
    double pct(double p) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
    }
};

} // namespace

int main(int argc, char** argv) {
    int iterations = 200;
    std::filesystem::path dir = ERP_PLUGIN_STAGE_DIR;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--iterations") {
            iterations = std::max(1, std::atoi(argv[i + 1]));
        } else if (a == "--plugins-dir") {
            dir = argv[i + 1];
        }
    }
    spdlog::set_level(spdlog::level::warn);
    ::setenv("BENCH_EMAG_PASSWORD", "bench-password", 1);
    const std::vector<std::pair<std::string, std::string>> plugins{
        {"hello_c", R"({"greeting":"hello"})"},
        {"emag",
         R"({"accounts":[{"name":"bench-ro","platform":"ro","username":"u","password_env":"BENCH_EMAG_PASSWORD"}]})"},
    };
    erp::host::EventBus bus;
    erp::host::HostServices services({"", std::filesystem::temp_directory_path() / "erp-bench", {}}, bus);

    std::printf("plugin load benchmark: %d iterations per plugin, plugins from %s\n", iterations, dir.c_str());
    std::printf("%-8s %-28s %10s %10s %10s\n", "plugin", "step", "p50 us", "p90 us", "max us");
    for (const auto& [id, config] : plugins) {
        Stats manifest, load, init, total, unload;
        const auto lib_size =
            std::filesystem::file_size(erp::host::load_manifest(dir / id / "manifest.json").library_path());
        for (int i = 0; i < iterations; ++i) {
            const auto t0 = Clock::now();
            auto m = erp::host::load_manifest(dir / id / "manifest.json");
            erp::host::verify_library(m);
            manifest.v.push_back(us_since(t0));
            // load_plugin repeats the manifest check; subtract it to isolate
            // dlopen + entry + negotiation.
            const auto t1 = Clock::now();
            auto p = erp::host::load_plugin(dir / id, services);
            load.v.push_back(std::max(0.0, us_since(t1) - manifest.v.back()));
            const auto t2 = Clock::now();
            p->init(config);
            init.v.push_back(us_since(t2));
            total.v.push_back(us_since(t1));
            const auto t3 = Clock::now();
            p->shutdown();
            unload.v.push_back(us_since(t3));
        }
        auto row = [&](const char* step, Stats& s) {
            std::printf("%-8s %-28s %10.1f %10.1f %10.1f\n", id.c_str(), step, s.pct(0.5), s.pct(0.9), s.pct(1.0));
        };
        row("manifest + sha256", manifest);
        row("dlopen + entry + checks", load);
        row("init (registrations)", init);
        row("total load (all above)", total);
        row("shutdown + dlclose", unload);
        std::printf("%-8s library size %ju bytes\n", id.c_str(), static_cast<uintmax_t>(lib_size));
    }
    return 0;
}
