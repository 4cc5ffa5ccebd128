#include "sandbox_server.hpp"

#include "api_handler.hpp"
#include "control_routes.hpp"
#include "http_types.hpp"
#include "seeds.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace emag::sandbox {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

// A keep-alive connection may sit idle (or dribble one request) this long.
constexpr auto kReadTimeout = 60s;
// A client that stops reading its response is dropped after this.
constexpr auto kWriteTimeout = 30s;
constexpr std::size_t kHeaderLimit = 16 * 1024;
// stop() lets sessions finish writing for this long, then cuts them.
constexpr auto kStopGrace = 3s;
const std::string kServerName = "emag-sandbox";
const std::set<std::string> kPlatforms = {"ro", "bg", "hu", "fd-ro", "fd-bg"};

bool is_http_parse_error(const error_code& ec) {
    return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

} // namespace

AccountConfig parse_account(const std::string& spec) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto colon = spec.find(':', start);
        parts.push_back(spec.substr(start, colon - start));
        if (colon == std::string::npos)
            break;
        start = colon + 1;
    }
    if (parts.size() < 3)
        throw std::invalid_argument("--account '" + spec + "': expected NAME:USER:PASSWORD[:PLATFORM]");
    AccountConfig a;
    a.name = parts[0];
    a.user = parts[1];
    std::size_t pass_end = parts.size();
    if (parts.size() >= 4 && kPlatforms.count(parts.back())) {
        a.platform = parts.back();
        --pass_end;
    }
    for (std::size_t i = 2; i < pass_end; ++i)
        a.password += (i > 2 ? ":" : "") + parts[i];
    if (a.name.empty() || a.user.empty() || a.password.empty())
        throw std::invalid_argument("--account '" + spec + "': NAME, USER and PASSWORD must not be empty");
    return a;
}

// ---------------------------------------------------------------------------

struct SandboxServer::Impl {
    struct Session;

    explicit Impl(SandboxOptions o) : options(std::move(o)), acceptor(net::make_strand(ioc)) {}

    std::optional<uint64_t> add_session(std::weak_ptr<Session> s) {
        std::lock_guard lock(reg_mu);
        if (stopping)
            return std::nullopt;
        const auto id = ++next_session_id;
        sessions.emplace(id, std::move(s));
        return id;
    }
    void remove_session(uint64_t id) {
        std::lock_guard lock(reg_mu);
        sessions.erase(id);
    }

    SandboxResponse dispatch(const SandboxRequest& req);
    void do_accept();
    void run_thread();

    SandboxOptions options;
    SandboxState state;

    std::mutex reg_mu;
    bool stopping = false;
    uint64_t next_session_id = 0;
    std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;

    std::mutex run_mu;
    std::condition_variable run_cv;
    unsigned running_threads = 0;
    bool started = false, stopped = false;
    uint16_t bound_port = 0;

    // The io objects go first at destruction (declared last).
    net::io_context ioc;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
};

SandboxResponse SandboxServer::Impl::dispatch(const SandboxRequest& req) {
    const std::string& p = req.path;
    if (p == "/api-3" || p.rfind("/api-3/", 0) == 0)
        return handle_api(state, req);
    if (p.rfind("/_sandbox/", 0) == 0)
        return handle_control(state, req);
    SandboxResponse r;
    r.status = 404;
    r.body = R"({"message":"Invalid URL"})";
    return r;
}

// One keep-alive connection: read a request, answer it (after its delay),
// repeat. Everything runs on the connection's strand.
struct SandboxServer::Impl::Session : std::enable_shared_from_this<Session> {
    enum class State { reading, waiting, writing, closed };

    Session(Impl& server, tcp::socket&& socket)
        : server_(server), stream_(std::move(socket)), timer_(stream_.get_executor()) {
        error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        loopback_ = !ec && ep.address().is_loopback();
    }
    ~Session() {
        if (id_)
            server_.remove_session(*id_);
    }

    void start() {
        id_ = server_.add_session(weak_from_this());
        if (!id_)
            return close_socket();
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
    }

    // Any thread.
    void request_close() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            self->close_requested_ = true;
            // A response being written is finished first (on_write closes);
            // a held one (latency, hang) is dropped.
            if (self->state_ != State::writing)
                self->close_socket();
        });
    }

    void close_socket() {
        state_ = State::closed;
        timer_.cancel();
        error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

    void do_read() {
        if (close_requested_ || state_ == State::closed)
            return close_socket();
        state_ = State::reading;
        parser_.emplace();
        parser_->body_limit(server_.options.max_body_bytes);
        parser_->header_limit(kHeaderLimit);
        stream_.expires_after(kReadTimeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(error_code ec, std::size_t) {
        if (ec)
            return on_read(ec, 0);
        if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
            // curl sends this for bodies over 1 KB and waits a second for it.
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](error_code e, std::size_t) {
                if (e)
                    return self->close_socket();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec) {
            if (ec == http::error::body_limit)
                return send_protocol_error(413, "request body too large");
            if (ec == http::error::header_limit)
                return send_protocol_error(431, "request headers too large");
            if (is_http_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message)
                return send_protocol_error(400, "malformed HTTP request");
            return close_socket(); // peer left, timeout, or stop()
        }
        auto& req = parser_->get();
        SandboxRequest r;
        r.received = std::chrono::steady_clock::now();
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        const auto q = r.target.find('?');
        r.path = r.target.substr(0, q);
        r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
        r.content_type = std::string(req[http::field::content_type]);
        r.authorization = std::string(req[http::field::authorization]);
        r.body = std::move(req.body());
        r.loopback_peer = loopback_;
        keep_alive_ = req.keep_alive();
        version_ = req.version();

        SandboxResponse out;
        try {
            out = server_.dispatch(r);
        } catch (const std::exception& e) {
            spdlog::error("handler failed on {} {}: {}", r.method, r.path, e.what());
            out = SandboxResponse{};
            out.status = 500;
            out.body = R"({"isError":true,"messages":["Internal Server Error"],"results":[]})";
        }
        received_ = r.received;
        if (out.delay <= 0ms)
            return send(std::move(out));
        state_ = State::waiting;
        held_ = std::move(out);
        timer_.expires_after(held_->delay);
        timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
            if (wait_ec || self->state_ != State::waiting)
                return; // stop() dropped the held response
            auto held = std::move(*self->held_);
            self->held_.reset();
            self->send(std::move(held));
        });
    }

    void send_protocol_error(unsigned status, const std::string& message) {
        SandboxResponse out;
        out.status = status;
        out.body = R"({"message":")" + message + R"("})";
        keep_alive_ = false;
        version_ = 11;
        received_ = std::chrono::steady_clock::now();
        send(std::move(out));
    }

    void send(SandboxResponse out) {
        if (out.log) {
            out.log->latency_ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received_).count();
            server_.state.log->append(*out.log);
        }
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(version_);
        res->result(out.status);
        res->set(http::field::server, kServerName);
        for (const auto& [name, value] : out.headers)
            res->insert(name, value);
        if (out.status != 204 && out.status != 304) {
            if (!out.content_type.empty())
                res->set(http::field::content_type, out.content_type);
            res->body() = std::move(out.body);
            res->prepare_payload();
        }
        res->keep_alive(keep_alive_ && !close_requested_);
        state_ = State::writing;
        stream_.expires_after(kWriteTimeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
            if (ec || res->need_eof() || self->close_requested_)
                return self->close_socket();
            self->do_read();
        });
    }

    Impl& server_;
    beast::tcp_stream stream_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<SandboxResponse> held_;
    std::optional<uint64_t> id_;
    std::chrono::steady_clock::time_point received_;
    State state_ = State::reading;
    bool loopback_ = false;
    bool keep_alive_ = true;
    bool close_requested_ = false;
    unsigned version_ = 11;
};

void SandboxServer::Impl::do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
        if (!acceptor.is_open() || ec == net::error::operation_aborted)
            return;
        if (ec) {
            // Typically EMFILE; the next accept may succeed once sessions close.
            spdlog::warn("accept failed: {}", ec.message());
        } else {
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored); // small responses, no Nagle stalls
            std::make_shared<Session>(*this, std::move(socket))->start();
        }
        do_accept();
    });
}

void SandboxServer::Impl::run_thread() {
    for (;;) {
        try {
            ioc.run();
            break;
        } catch (const std::exception& e) {
            spdlog::error("io thread caught: {}", e.what());
        }
    }
    std::lock_guard lock(run_mu);
    --running_threads;
    run_cv.notify_all();
}

// ---------------------------------------------------------------------------

SandboxServer::SandboxServer(SandboxOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    auto& o = impl_->options;
    if (o.accounts.empty())
        o.accounts.push_back({"sandbox", "sandbox", "sandbox-password", "ro"});
    std::set<std::string> names, users;
    for (const auto& a : o.accounts) {
        if (!names.insert(a.name).second)
            throw std::invalid_argument("account name '" + a.name + "' given twice");
        if (!users.insert(a.user).second)
            throw std::invalid_argument("user '" + a.user + "' given to two accounts");
        if (!kPlatforms.count(a.platform))
            throw std::invalid_argument("account '" + a.name + "': platform must be ro, bg, hu, fd-ro or fd-bg");
    }
    if (o.threads == 0)
        o.threads = 1;
    if (!(o.invalid_fraction >= 0 && o.invalid_fraction <= 1))
        throw std::invalid_argument("invalid fraction must be in [0, 1]");
    if (!(o.creation_ratio >= 0 && o.creation_ratio <= 1))
        throw std::invalid_argument("creation ratio must be in [0, 1]");
    if (!(o.mutation_rate >= 0))
        throw std::invalid_argument("mutation rate must be >= 0");
    if (o.latency < 0ms || o.latency_jitter < 0ms || o.hang < 0ms)
        throw std::invalid_argument("latency, jitter and hang must be >= 0");

    auto& s = impl_->state;
    s.accounts = o.accounts;
    s.limiter = std::make_unique<RateLimiter>(o.rate_limits, o.rate_clock);
    s.faults = std::make_unique<Faults>(FaultOptions{o.faults, o.latency, o.latency_jitter, o.hang, o.seed});
    s.log = std::make_unique<RequestLog>(o.request_log, o.request_log_keep);
}

SandboxServer::~SandboxServer() {
    stop();
}

void SandboxServer::start() {
    auto& I = *impl_;
    if (I.started)
        throw std::logic_error("SandboxServer::start: already started");
    auto& o = I.options;

    // Accounts are generated in parallel: 200k orders must start in seconds.
    std::vector<std::future<std::unique_ptr<Marketplace>>> pending;
    for (const auto& a : o.accounts) {
        DataOptions d;
        d.seed = derive_seed(o.seed, a.name);
        d.orders = o.orders;
        d.offers = o.offers;
        d.invalid_fraction = o.invalid_fraction;
        d.platform = a.platform;
        if (o.data_now)
            d.now = o.data_now;
        pending.push_back(std::async(std::launch::async, [d] { return std::make_unique<Marketplace>(d); }));
    }
    std::map<std::string, Marketplace*> raw;
    for (std::size_t i = 0; i < pending.size(); ++i) {
        auto m = pending[i].get();
        raw[o.accounts[i].name] = m.get();
        I.state.markets[o.accounts[i].name] = std::move(m);
    }
    I.state.mutator =
        std::make_unique<Mutator>(raw, MutatorOptions{o.mutation_rate, o.creation_ratio, o.callback_url, o.seed});

    error_code ec;
    const auto address = net::ip::make_address(o.host, ec);
    if (ec)
        throw std::runtime_error("cannot listen on '" + o.host + "': not an IP address");
    const tcp::endpoint endpoint(address, o.port);
    auto fail = [&](const char* step) {
        error_code ignored;
        I.acceptor.close(ignored);
        throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + step + ": " +
                                 ec.message());
    };
    I.acceptor.open(endpoint.protocol(), ec);
    if (ec)
        fail("open");
    I.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    I.acceptor.bind(endpoint, ec);
    if (ec)
        fail("bind");
    I.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        fail("listen");
    I.bound_port = I.acceptor.local_endpoint().port();
    I.started = true;

    I.do_accept();
    I.running_threads = o.threads;
    for (unsigned i = 0; i < o.threads; ++i)
        I.threads.emplace_back([&I] { I.run_thread(); });
    I.state.mutator->start();
}

void SandboxServer::stop() {
    auto& I = *impl_;
    if (!I.started || I.stopped)
        return;
    I.stopped = true;
    // Mutation and callbacks first: nothing changes while connections wind down.
    I.state.mutator->stop();
    {
        std::lock_guard lock(I.reg_mu);
        I.stopping = true;
    }
    net::post(I.acceptor.get_executor(), [&I] {
        error_code ec;
        I.acceptor.close(ec);
    });
    std::vector<std::shared_ptr<Impl::Session>> live;
    {
        std::lock_guard lock(I.reg_mu);
        for (const auto& [id, weak] : I.sessions)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (const auto& s : live)
        s->request_close();
    live.clear();
    {
        std::unique_lock lock(I.run_mu);
        if (!I.run_cv.wait_for(lock, kStopGrace, [&I] { return I.running_threads == 0; })) {
            lock.unlock();
            spdlog::warn("connections still open after {} s; cutting them",
                         std::chrono::duration_cast<std::chrono::seconds>(kStopGrace).count());
            I.ioc.stop();
        }
    }
    for (auto& t : I.threads)
        t.join();
    I.threads.clear();
}

uint16_t SandboxServer::port() const {
    return impl_->bound_port;
}

std::string SandboxServer::base_url() const {
    const auto& h = impl_->options.host;
    const bool v6 = h.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port()) + "/api-3";
}

SandboxState& SandboxServer::state() {
    return impl_->state;
}

} // namespace emag::sandbox
