// bench_status: the enhanced status route under load, end to end. The real
// emag-sandbox binary (N orders, no added latency) and the real `erp-host
// serve` with the staged eMAG plugin against SQLite in a temp dir run as
// separate processes; one emag.orders.sync (POST /api/jobs/.../run with the
// admin token, then GET /api/jobs until it finished) gives the status real
// content. Scheduled syncs and backups are off (on demand only), so the load
// meets the route alone plus the monitor's own sampling.
//
// The load generator is open-loop: request i has an intended send time
// start + i / rate, goes out on keep-alive connection i % C (one thread per
// connection, HTTP/1.1 on loopback) and its latency is measured from that
// intended time, so a slow answer delays the requests queued behind it and
// that delay counts (no coordinated omission). "service" latency, from the
// actual send, is printed beside it to tell queueing from serving.
//
// Prints for GET /plugins/emag/api/status at --rate (default 1,000/s) for
// --seconds: achieved rate, count, errors / non-200s, latency p50 / p90 /
// p99 / p99.9 / max, the body size, erp-host's CPU (/proc/<pid>/stat) and
// peak RSS (VmHWM), and the verdict on "p99 < 200 ms at >= 1000 req/s"; then
// GET /metrics and GET /health at --low-rate for --low-seconds
// (informational). Never fails on the numbers.
//
//   bench_status [--rate 1000] [--seconds 10] [--connections 16] [--orders 3000]
//                [--low-rate 100] [--low-seconds 5] [--http-threads 2]
//                [--keep-dir]
#include "bench_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <optional>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

using erp::bench::cpu_seconds;
using erp::bench::Sandbox;
using erp::bench::status_mb;

constexpr const char* kStatusPath = "/plugins/emag/api/status";
constexpr const char* kAdminToken = "bench-status-admin-token-0123456789";

struct Options {
    double rate = 1000;
    double seconds = 10;
    unsigned connections = 16;
    std::size_t orders = 3000;
    double low_rate = 100;
    double low_seconds = 5;
    unsigned http_threads = 2;
    bool keep_dir = false;
};

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr,
                 "bench_status: %s\nusage: bench_status [--rate 1000] [--seconds 10] [--connections 16] "
                 "[--orders 3000] [--low-rate 100] [--low-seconds 5] [--http-threads 2] [--keep-dir]\n",
                 problem.c_str());
    std::exit(2);
}

double parse_positive(const std::string& flag, const std::string& text, double max) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used != text.size() || !(v > 0) || v > max) {
            throw std::out_of_range(text);
        }
        return v;
    } catch (const std::exception&) {
        usage(flag + " needs a number above 0 and at most " + std::to_string(static_cast<long long>(max)) + ", got '" +
              text + "'");
    }
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            usage("help");
        }
        if (flag == "--keep-dir") {
            o.keep_dir = true;
            continue;
        }
        if (i + 1 >= argc) {
            usage("missing value for " + flag);
        }
        const std::string value = argv[++i];
        if (flag == "--rate") {
            o.rate = parse_positive(flag, value, 1e6);
        } else if (flag == "--seconds") {
            o.seconds = parse_positive(flag, value, 3600);
        } else if (flag == "--connections") {
            o.connections = static_cast<unsigned>(parse_positive(flag, value, 1024));
        } else if (flag == "--orders") {
            o.orders = static_cast<std::size_t>(parse_positive(flag, value, 1e7));
        } else if (flag == "--low-rate") {
            o.low_rate = parse_positive(flag, value, 1e6);
        } else if (flag == "--low-seconds") {
            o.low_seconds = parse_positive(flag, value, 3600);
        } else if (flag == "--http-threads") {
            o.http_threads = static_cast<unsigned>(parse_positive(flag, value, 64));
        } else {
            usage("unknown option " + flag);
        }
    }
    return o;
}

// A free loopback port (bound and released: the host binds it right after).
uint16_t free_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

struct Reply {
    unsigned status = 0;
    std::string body;
};

// One request on a fresh connection (setup and polling only).
Reply http_call(uint16_t port, http::verb method, const std::string& target, const std::string& token = {}) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(30s);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) {
        req.set(http::field::authorization, "Bearer " + token);
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return {res.result_int(), std::move(res.body())};
}

// `erp-host --config FILE serve`, stdout/stderr into files in its dir.
struct Host {
    pid_t pid = -1;

    void start(const fs::path& dir, const fs::path& config) {
        std::vector<std::string> args = {ERP_HOST_BIN, "--config", config.string(), "serve"};
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const std::string out = (dir / "erp-host.out").string();
        const std::string err = (dir / "erp-host.err").string();
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            pid = -1;
            throw std::runtime_error(std::string("cannot start ") + ERP_HOST_BIN + ": " + std::strerror(rc));
        }
    }

    bool alive() const { return pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0; }

    void stop() {
        if (pid <= 0) {
            return;
        }
        kill(pid, SIGTERM);
        const auto deadline = Clock::now() + 30s;
        int status = 0;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (Clock::now() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for(20ms); // poll interval
        }
        pid = -1;
    }

    ~Host() { stop(); }
};

std::string tail_of(const fs::path& file, std::size_t max = 2000) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > max ? text.substr(text.size() - max) : text;
}

// ---------------------------------------------------------------------------
// The open-loop load generator.

struct ConnResult {
    std::vector<uint32_t> latency_us; // from the intended send time, 200s only
    std::vector<uint32_t> service_us; // from the actual send, 200s only
    uint64_t ok = 0;
    uint64_t non200 = 0;
    uint64_t errors = 0; // connect / io failures
    uint64_t unsent = 0; // not started before the drain deadline
    std::map<unsigned, uint64_t> statuses;
    std::string first_error;
    std::size_t body_bytes = 0;
    Clock::time_point last_done{};
};

struct LoadResult {
    std::string path;
    double rate = 0;
    double seconds = 0;
    unsigned connections = 0;
    uint64_t planned = 0;
    uint64_t ok = 0, non200 = 0, errors = 0, unsent = 0;
    std::map<unsigned, uint64_t> statuses;
    std::string first_error;
    std::size_t body_bytes = 0;
    double elapsed = 0;                           // start to the last answer
    std::vector<uint32_t> latency_us, service_us; // sorted
    double host_cpu = 0, bench_cpu = 0;           // seconds over the run
};

// Connection `c` of `conns` sends requests c, c + conns, ... of `total`; the
// i-th is due at start + i / rate.
void run_connection(uint16_t port, const std::string& path, unsigned c, unsigned conns, uint64_t total, double rate,
                    Clock::time_point start, Clock::time_point drain_deadline, std::latch& ready, ConnResult& out) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    bool connected = false;
    auto note = [&](const std::string& what) {
        if (out.first_error.empty()) {
            out.first_error = what;
        }
    };
    auto connect = [&]() {
        beast::error_code ec;
        stream.socket().close(ec);
        stream.socket().connect(ep, ec);
        if (!ec) {
            stream.socket().set_option(tcp::no_delay(true), ec);
        }
        connected = !ec;
        buffer.clear();
        if (ec) {
            note("connect: " + ec.message());
        }
    };
    http::request<http::empty_body> req{http::verb::get, path, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "erp-bench-status");
    req.keep_alive(true);

    const uint64_t mine = total / conns + (c < total % conns ? 1 : 0);
    out.latency_us.reserve(mine);
    out.service_us.reserve(mine);
    connect(); // before the schedule starts: measure requests, not handshakes
    ready.count_down();

    for (uint64_t k = 0; k < mine; ++k) {
        const uint64_t i = k * conns + c;
        const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(static_cast<double>(i) / rate));
        if (Clock::now() > drain_deadline) {
            out.unsent += mine - k;
            break;
        }
        std::this_thread::sleep_until(due);
        if (!connected) {
            connect();
            if (!connected) {
                ++out.errors;
                continue;
            }
        }
        const auto sent = Clock::now();
        beast::error_code ec;
        http::write(stream, req, ec);
        http::response<http::string_body> res;
        if (!ec) {
            http::read(stream, buffer, res, ec);
        }
        const auto done = Clock::now();
        out.last_done = done;
        if (ec) {
            ++out.errors;
            note("io: " + ec.message());
            connected = false;
            continue;
        }
        ++out.statuses[res.result_int()];
        if (res.result_int() != 200) {
            ++out.non200;
            note("status " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 200));
        } else {
            ++out.ok;
            out.body_bytes = res.body().size();
            out.latency_us.push_back(
                static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(done - due).count()));
            out.service_us.push_back(
                static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(done - sent).count()));
        }
        if (!res.keep_alive()) {
            connected = false;
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

LoadResult run_load(uint16_t port, pid_t host_pid, const std::string& path, double rate, double seconds,
                    unsigned conns) {
    LoadResult r;
    r.path = path;
    r.rate = rate;
    r.seconds = seconds;
    r.planned = std::max<uint64_t>(1, static_cast<uint64_t>(rate * seconds + 0.5));
    r.connections = static_cast<unsigned>(std::min<uint64_t>(conns, r.planned));
    std::vector<ConnResult> results(r.connections);
    std::latch ready(r.connections);
    // Far enough ahead for every thread to connect and reach its first sleep.
    const auto start = Clock::now() + 500ms;
    // Requests not started this long after the schedule ended are unsent.
    const auto drain_deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) + 30s;
    std::vector<std::thread> threads;
    threads.reserve(r.connections);
    for (unsigned c = 0; c < r.connections; ++c) {
        threads.emplace_back(run_connection, port, std::cref(path), c, r.connections, r.planned, rate, start,
                             drain_deadline, std::ref(ready), std::ref(results[c]));
    }
    ready.wait();
    std::this_thread::sleep_until(start);
    const double host_cpu0 = cpu_seconds(host_pid);
    const double bench_cpu0 = cpu_seconds();
    for (auto& t : threads) {
        t.join();
    }
    r.host_cpu = cpu_seconds(host_pid) - host_cpu0;
    r.bench_cpu = cpu_seconds() - bench_cpu0;
    Clock::time_point last = start;
    for (auto& c : results) {
        r.ok += c.ok;
        r.non200 += c.non200;
        r.errors += c.errors;
        r.unsent += c.unsent;
        for (const auto& [s, n] : c.statuses) {
            r.statuses[s] += n;
        }
        if (r.first_error.empty()) {
            r.first_error = c.first_error;
        }
        r.body_bytes = std::max(r.body_bytes, c.body_bytes);
        last = std::max(last, c.last_done);
        r.latency_us.insert(r.latency_us.end(), c.latency_us.begin(), c.latency_us.end());
        r.service_us.insert(r.service_us.end(), c.service_us.begin(), c.service_us.end());
    }
    r.elapsed = std::chrono::duration<double>(last - start).count();
    std::sort(r.latency_us.begin(), r.latency_us.end());
    std::sort(r.service_us.begin(), r.service_us.end());
    return r;
}

double percentile_ms(const std::vector<uint32_t>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1] / 1000.0;
}

double achieved_rate(const LoadResult& r) {
    return r.elapsed > 0 ? static_cast<double>(r.ok + r.non200) / r.elapsed : 0.0;
}

void print_load(const LoadResult& r) {
    const double rate = achieved_rate(r);
    std::printf("GET %s: target %.0f req/s for %.1f s over %u keep-alive connections\n", r.path.c_str(), r.rate,
                r.seconds, r.connections);
    std::printf("  requests  %llu planned, %llu answered 200, %llu non-200, %llu errors, %llu unsent\n",
                static_cast<unsigned long long>(r.planned), static_cast<unsigned long long>(r.ok),
                static_cast<unsigned long long>(r.non200), static_cast<unsigned long long>(r.errors),
                static_cast<unsigned long long>(r.unsent));
    if (r.non200 > 0 || r.errors > 0) {
        std::string codes;
        for (const auto& [s, n] : r.statuses) {
            codes += " " + std::to_string(s) + "x" + std::to_string(n);
        }
        std::printf("  statuses %s; first problem: %s\n", codes.c_str(), r.first_error.c_str());
    }
    std::printf("  achieved  %.1f req/s (answers / %.2f s from the first due time to the last answer)\n", rate,
                r.elapsed);
    std::printf("  latency ms (from intended send)  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
                percentile_ms(r.latency_us, 50), percentile_ms(r.latency_us, 90), percentile_ms(r.latency_us, 99),
                percentile_ms(r.latency_us, 99.9), r.latency_us.empty() ? 0.0 : r.latency_us.back() / 1000.0);
    std::printf("  service ms (from actual send)    p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
                percentile_ms(r.service_us, 50), percentile_ms(r.service_us, 90), percentile_ms(r.service_us, 99),
                percentile_ms(r.service_us, 99.9), r.service_us.empty() ? 0.0 : r.service_us.back() / 1000.0);
    std::printf("  body      %zu bytes\n", r.body_bytes);
    std::printf("  CPU       erp-host %.2f s = %.0f%% of one core; this bench %.2f s = %.0f%%\n", r.host_cpu,
                r.elapsed > 0 ? 100.0 * r.host_cpu / r.elapsed : 0.0, r.bench_cpu,
                r.elapsed > 0 ? 100.0 * r.bench_cpu / r.elapsed : 0.0);
}

void write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + file.string());
    }
}

// Waits until GET /health answers 200 (the host bound its port and started
// its plugins).
void wait_ready(uint16_t port, const Host& host, const fs::path& dir) {
    const auto deadline = Clock::now() + 60s;
    while (Clock::now() < deadline) {
        if (!host.alive()) {
            throw std::runtime_error("erp-host exited during start-up: " + tail_of(dir / "erp-host.err"));
        }
        try {
            if (http_call(port, http::verb::get, "/health").status == 200) {
                return;
            }
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(50ms); // poll interval
    }
    throw std::runtime_error("erp-host did not answer /health within 60 s: " + tail_of(dir / "erp-host.err"));
}

// Runs emag.orders.sync once and waits for it to end; returns its last_error.
std::string run_order_sync(uint16_t port) {
    const auto t0 = std::chrono::system_clock::now();
    const auto t0_ms = std::chrono::duration_cast<std::chrono::milliseconds>(t0.time_since_epoch()).count();
    const Reply run = http_call(port, http::verb::post, "/api/jobs/emag.orders.sync/run", kAdminToken);
    if (run.status != 202) {
        throw std::runtime_error("POST /api/jobs/emag.orders.sync/run: " + std::to_string(run.status) + " " + run.body);
    }
    const auto deadline = Clock::now() + 120s;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(100ms); // poll interval
        const Reply jobs = http_call(port, http::verb::get, "/api/jobs");
        const json j = json::parse(jobs.body, nullptr, false);
        if (!j.is_object() || !j.contains("jobs")) {
            continue;
        }
        for (const auto& job : j["jobs"]) {
            if (job.value("id", "") != "emag.orders.sync") {
                continue;
            }
            const auto& end = job["last_end_ms"];
            if (!job.value("running", true) && end.is_number() && end.get<long long>() >= t0_ms) {
                return job.value("last_error", "");
            }
        }
    }
    throw std::runtime_error("emag.orders.sync did not finish within 120 s");
}

// Streams in a status body that have processed orders (0 before the
// monitor's first sample after the sync).
int synced_streams(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    int n = 0;
    if (!j.is_object() || !j.contains("accounts") || !j["accounts"].is_array()) {
        return 0;
    }
    for (const auto& a : j["accounts"]) {
        if (!a.is_object() || !a.contains("streams") || !a["streams"].is_array()) {
            continue;
        }
        for (const auto& s : a["streams"]) {
            if (s.is_object() && s.contains("processed") && s["processed"].is_number() &&
                s["processed"].get<double>() > 0) {
                ++n;
            }
        }
    }
    return n;
}

} // namespace

int main(int argc, char** argv) {
    const Options o = parse_args(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);

    char dir_template[] = "/tmp/bench_status.XXXXXX";
    const char* dir_c = mkdtemp(dir_template);
    if (dir_c == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path dir = dir_c;
    int rc = 0;
    {
        Sandbox sandbox;
        Host host;
        try {
            auto t0 = Clock::now();
            sandbox.start(
                {"--port", "0", "--orders", std::to_string(o.orders), "--offers", "100", "--log-level", "warn"});
            std::printf("bench_status: emag-sandbox (pid %d) with %zu orders ready in %.1f s at %s\n",
                        static_cast<int>(sandbox.pid), o.orders,
                        std::chrono::duration<double>(Clock::now() - t0).count(), sandbox.base_url.c_str());

            // The host's dir: the staged plugin, the config, SQLite.
            fs::create_directories(dir / "plugins");
            fs::create_directories(dir / "data");
            fs::copy(fs::path(ERP_PLUGIN_STAGE_DIR) / "emag", dir / "plugins" / "emag", fs::copy_options::recursive);
            ::setenv("ERP_BENCH_ADMIN_TOKEN", kAdminToken, 1);
            ::setenv("ERP_BENCH_SANDBOX_PASSWORD", "sandbox-password", 1);
            const uint16_t port = free_port();
            write_text(dir / "erp-host.toml",
                       "[host]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                           "\"\ndata_dir = \"data\"\nlog_level = \"warn\"\n"
                           "admin_token_env = \"ERP_BENCH_ADMIN_TOKEN\"\nhttp_threads = " +
                           std::to_string(o.http_threads) +
                           "\nworker_threads = 4\n\n"
                           "[database]\nurl = \"sqlite3:data/erp.db\"\n\n"
                           "[plugins]\ndir = \"plugins\"\nenabled = [\"emag\"]\n\n"
                           "[plugins.emag]\n"
                           "[plugins.emag.orders]\nfirst_run_days = 100\nsettle_s = 0\nsync_interval_s = 0\n"
                           "[plugins.emag.offers]\nsync_interval_s = 0\n"
                           "[plugins.emag.backup]\ninterval_s = 0\n"
                           "[[plugins.emag.accounts]]\nname = \"sandbox\"\nplatform = \"ro\"\n"
                           "username = \"sandbox\"\npassword_env = \"ERP_BENCH_SANDBOX_PASSWORD\"\n"
                           "base_url = \"" +
                           sandbox.base_url + "\"\n");

            t0 = Clock::now();
            host.start(dir, dir / "erp-host.toml");
            wait_ready(port, host, dir);
            std::printf("erp-host (pid %d, http_threads %u) ready in %.1f s on 127.0.0.1:%u; dir %s\n",
                        static_cast<int>(host.pid), o.http_threads,
                        std::chrono::duration<double>(Clock::now() - t0).count(), port, dir.c_str());

            t0 = Clock::now();
            const std::string sync_error = run_order_sync(port);
            std::printf("emag.orders.sync: %s in %.1f s\n",
                        sync_error.empty() ? "finished" : ("FAILED: " + sync_error).c_str(),
                        std::chrono::duration<double>(Clock::now() - t0).count());

            // The monitor rebuilds its cached status every sample interval
            // (5 s by default), so the body fetched now may predate the
            // sync's end: wait for the next rebuild (the body changes) that
            // shows synced orders.
            const std::string before = http_call(port, http::verb::get, kStatusPath).body;
            Reply status;
            const auto until = Clock::now() + 20s;
            do {
                std::this_thread::sleep_for(250ms); // poll interval
                status = http_call(port, http::verb::get, kStatusPath);
                if (status.status == 200 && status.body != before && synced_streams(status.body) > 0) {
                    break;
                }
            } while (Clock::now() < until);
            std::printf("status before the load: HTTP %u, %zu bytes, %d synced stream(s): %.300s%s\n", status.status,
                        status.body.size(), synced_streams(status.body), status.body.c_str(),
                        status.body.size() > 300 ? "..." : "");
            std::printf("erp-host after setup: RSS %.1f MB, peak %.1f MB, CPU %.1f s\n\n", status_mb("VmRSS", host.pid),
                        status_mb("VmHWM", host.pid), cpu_seconds(host.pid));

            const LoadResult main_run = run_load(port, host.pid, kStatusPath, o.rate, o.seconds, o.connections);
            print_load(main_run);
            std::printf("  erp-host  RSS %.1f MB, peak (VmHWM) %.1f MB\n\n", status_mb("VmRSS", host.pid),
                        status_mb("VmHWM", host.pid));

            const unsigned low_conns = std::max(1u, std::min(o.connections, 4u));
            const LoadResult metrics = run_load(port, host.pid, "/metrics", o.low_rate, o.low_seconds, low_conns);
            print_load(metrics);
            std::printf("\n");
            const LoadResult health = run_load(port, host.pid, "/health", o.low_rate, o.low_seconds, low_conns);
            print_load(health);
            std::printf("\n");

            const double p99 = percentile_ms(main_run.latency_us, 99);
            const double achieved = achieved_rate(main_run);
            const bool clean = main_run.non200 == 0 && main_run.errors == 0 && main_run.unsent == 0;
            std::printf("summary: status p99 %.2f ms at %.1f req/s (%llu problems); /metrics p99 %.2f ms, /health "
                        "p99 %.2f ms at %.0f req/s; erp-host peak RSS %.1f MB\n",
                        p99, achieved,
                        static_cast<unsigned long long>(main_run.non200 + main_run.errors + main_run.unsent),
                        percentile_ms(metrics.latency_us, 99), percentile_ms(health.latency_us, 99), o.low_rate,
                        status_mb("VmHWM", host.pid));
            // 1% slack on the rate: the last answer lands a little after the
            // last due time even when nothing queues.
            std::printf("target p99 < 200 ms at >= 1000 req/s: %s\n",
                        (p99 < 200 && achieved >= 990 && clean) ? "met" : "NOT met");
        } catch (const std::exception& e) {
            std::printf("bench_status: failed: %s\n", e.what());
            rc = 1;
        }
        host.stop();
        sandbox.stop();
    }
    if (o.keep_dir) {
        std::printf("kept %s\n", dir.c_str());
    } else {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    return rc;
}
