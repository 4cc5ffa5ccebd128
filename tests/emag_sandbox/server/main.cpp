// emag-sandbox: a faithful local eMAG Marketplace API v4.4.9 server for
// tests, demos and integrators. Parses the command line, starts the server,
// prints exactly one line to stdout when ready ("emag-sandbox listening on
// http://HOST:PORT/api-3"; scripts wait for it), logs to stderr, and exits 0
// on SIGTERM or SIGINT after closing every connection.
#include "server/faults.hpp"
#include "server/sandbox_server.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>

int main(int argc, char** argv) {
    using namespace emag::sandbox;
    SandboxOptions o;
    std::vector<std::string> accounts, faults;
    long long latency_ms = 0, jitter_ms = 0, hang_ms = 60000;
    bool no_rate_limit = false;
    std::string log_level = "info";

    CLI::App app{"emag-sandbox: a local eMAG Marketplace API v4.4.9 server (orders, offers, rate limits, faults,\n"
                 "live mutation, new-order callbacks) for tests, demos and integrators. Point an eMAG client at\n"
                 "the printed base URL instead of https://marketplace-api.emag.ro/api-3.\n"
                 "Control routes (loopback, no auth): GET /_sandbox/{health,accounts,stats},\n"
                 "GET /_sandbox/orders|offers?account=NAME, GET /_sandbox/offer-updates?account=NAME&since=SEQ,\n"
                 "GET /_sandbox/requests?since=SEQ, POST /_sandbox/mutation/pause|resume,\n"
                 "POST /_sandbox/faults {\"faults\":[RULE...],\"latency_ms\":N,\"jitter_ms\":N},\n"
                 "POST /_sandbox/mutate?account=NAME&changes=N&creations=M.",
                 "emag-sandbox"};
    app.option_defaults()->always_capture_default();
    app.add_option("--host", o.host,
                   "IP address to listen on (loopback by default; /_sandbox routes answer loopback "
                   "clients only)");
    app.add_option("--port", o.port, "TCP port; 0 = any free port (the ready line shows which)");
    app.add_option("--seed", o.seed,
                   "Seed of all generated data, mutation and faults; each account's data is "
                   "derived from it and the account name");
    app.add_option("--orders", o.orders, "Orders generated per account (both types, every status)");
    app.add_option("--offers", o.offers, "Product offers generated per account");
    app.add_option("--invalid-fraction", o.invalid_fraction,
                   "Share of orders that break eMAG's validation rules (e.g. quantity 0, missing sale price)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--account", accounts,
                   "Account NAME:USER:PASSWORD[:PLATFORM], repeatable; PLATFORM ro|bg|hu|fd-ro|fd-bg (default ro). "
                   "Default: one account sandbox:sandbox:sandbox-password:ro")
        ->type_name("NAME:USER:PASSWORD[:PLATFORM]");
    app.add_option("--mutation-rate", o.mutation_rate,
                   "Order changes per second per account applied live (status moves, new orders); 0 = none")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--creation-ratio", o.creation_ratio, "Share of mutation steps that create a new order (status 1)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--callback-url", o.callback_url,
                   "New-order callback: GET URL?order_id=N for every created order (http:// only; '{account}' in "
                   "the URL is replaced by the account name); sent once, 2 s timeout, failures logged");
    app.add_option("--latency-ms", latency_ms, "Added to every API response")->check(CLI::NonNegativeNumber);
    app.add_option("--latency-jitter-ms", jitter_ms, "Latency varies uniformly by +/- this much (never below 0)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--fault", faults,
                   "ROUTE_GLOB:KIND:FRACTION, repeatable, e.g. 'order/*:503:0.1' or '*:hang:0.01'. KIND: 500 "
                   "(envelope), 502 / 503 (HTML gateway page), hang (response held --hang-ms), truncate (body cut in "
                   "half), iserror (200 with isError true), 401 (refused credentials), 429 (rate limit exceeded). "
                   "ROUTE is resource/action without the id; '*' matches "
                   "anything")
        ->type_name("GLOB:KIND:FRACTION");
    app.add_option("--hang-ms", hang_ms, "How long a 'hang' fault holds its response")->check(CLI::NonNegativeNumber);
    app.add_option("--request-log", o.request_log,
                   "Append one JSON line per API request (time, account, method, route, group, status, "
                   "rate_limited, fault, latency_ms) to FILE; never credentials or bodies")
        ->type_name("FILE");
    app.add_option("--threads", o.threads, "HTTP worker threads")->check(CLI::Range(1u, 256u));
    app.add_flag("--no-rate-limit", no_rate_limit,
                 "Disable eMAG's rate limits (benchmarks only: real eMAG answers 429 past 12/s orders, 3/s other)");
    app.add_option("--log-level", log_level, "stderr log level: trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    CLI11_PARSE(app, argc, argv);

    auto logger = spdlog::stderr_color_mt("emag-sandbox");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(log_level));

    // Signals are taken synchronously by this thread; the server's threads
    // (started below) inherit the blocked mask and never see them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        for (const auto& a : accounts)
            o.accounts.push_back(parse_account(a));
        for (const auto& f : faults)
            o.faults.push_back(parse_fault_rule(f));
        o.latency = std::chrono::milliseconds(latency_ms);
        o.latency_jitter = std::chrono::milliseconds(jitter_ms);
        o.hang = std::chrono::milliseconds(hang_ms);
        o.rate_limits = !no_rate_limit;
        if (no_rate_limit)
            spdlog::warn("rate limits are OFF: real eMAG would answer 429 to this traffic");

        const auto t0 = std::chrono::steady_clock::now();
        SandboxServer server(o);
        server.start();
        spdlog::info(
            "{} account(s), {} orders and {} offers each, ready in {} ms", o.accounts.empty() ? 1 : o.accounts.size(),
            o.orders, o.offers,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
        std::cout << "emag-sandbox listening on " << server.base_url() << std::endl; // endl flushes

        int sig = 0;
        sigwait(&signals, &sig);
        spdlog::info("signal {}: stopping", sig);
        server.stop();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    return 0;
}
