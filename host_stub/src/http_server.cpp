#include "http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace erp::host {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using json = nlohmann::json;
using namespace std::chrono_literals;

// A keep-alive connection may sit idle (or dribble one request) this long.
constexpr auto kReadTimeout = 60s;
// A client that stops reading its response is dropped after this.
constexpr auto kWriteTimeout = 30s;
// After an error response sent before the request body was read (413, 400),
// the rest of the upload is read and discarded for at most this long / this
// many bytes, so that closing does not reset the connection under the client
// before it has read the response.
constexpr auto kLingerTimeout = 2s;
constexpr std::size_t kLingerMaxBytes = 4 * 1024 * 1024;
constexpr std::size_t kHeaderLimit = 16 * 1024;
// stop() lets sessions finish their goodbyes for this long, then cuts them.
constexpr auto kStopGrace = 3s;
// How long a WebSocket peer gets to answer our close frame at stop().
constexpr auto kWsCloseTimeout = 500ms;
// Per-connection event queue; beyond it the oldest events are dropped.
constexpr std::size_t kFeedQueueCapacity = 1024;
constexpr std::size_t kMaxClientMessage = 64 * 1024;
constexpr std::size_t kMaxTopics = 64;
constexpr std::size_t kMaxTopicLength = 200;
// Control replies pile up only if the client sends but does not read; stop
// reading from it until it catches up.
constexpr std::size_t kOutboxPauseAt = 64;

const std::string kServerName = "erp-host";

std::string dump_json(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void ascii_lower(std::string& s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
}

void ascii_upper(std::string& s) {
    for (auto& c : s)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Decodes %XX escapes; false on a malformed escape or an encoded NUL (which
// no route or file name legitimately contains). With `plus_is_space` it reads
// application/x-www-form-urlencoded (query values), where '+' is a space.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

// Header names and values a handler hands back must not be able to split the
// response (CR/LF injection) or smuggle a second framing header.
bool safe_header_name(std::string_view name) {
    if (name.empty())
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 32 && u < 127 && c != ':';
    });
}

bool safe_header_value(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string endpoint_text(const tcp::endpoint& ep) {
    const auto addr = ep.address();
    const std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
    return host + ":" + std::to_string(ep.port());
}

bool topic_valid(const std::string& topic) {
    if (topic.empty() || topic.size() > kMaxTopicLength)
        return false;
    return std::none_of(topic.begin(), topic.end(), [](char c) { return static_cast<unsigned char>(c) < 32; });
}

// Topics named in `?topics=a,b&topics=c` (form-decoded, comma-separated).
std::vector<std::string> topics_from_query(std::string_view query, std::vector<std::string>& errors) {
    std::vector<std::string> topics;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos)
            end = query.size();
        const auto pair = query.substr(start, end - start);
        start = end + 1;
        const auto eq = pair.find('=');
        std::string key;
        if (!percent_decode(pair.substr(0, eq), key, true) || key != "topics" || eq == std::string_view::npos)
            continue;
        std::string value;
        if (!percent_decode(pair.substr(eq + 1), value, true)) {
            errors.push_back("malformed percent-encoding in topics");
            continue;
        }
        std::size_t from = 0;
        while (from <= value.size()) {
            auto comma = value.find(',', from);
            if (comma == std::string::npos)
                comma = value.size();
            std::string topic = value.substr(from, comma - from);
            from = comma + 1;
            // Tolerate "a, b" as typed by hand.
            const auto first = topic.find_first_not_of(' ');
            const auto last = topic.find_last_not_of(' ');
            topic = first == std::string::npos ? std::string() : topic.substr(first, last - first + 1);
            if (topic.empty())
                continue;
            if (!topic_valid(topic))
                errors.push_back("invalid topic (empty, control characters or longer than " +
                                 std::to_string(kMaxTopicLength) + " bytes)");
            else if (std::find(topics.begin(), topics.end(), topic) == topics.end())
                topics.push_back(std::move(topic));
        }
    }
    if (topics.size() > kMaxTopics) {
        errors.push_back("too many topics; kept the first " + std::to_string(kMaxTopics));
        topics.resize(kMaxTopics);
    }
    return topics;
}

bool is_http_parse_error(const error_code& ec) {
    return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

} // namespace

// ---------------------------------------------------------------------------
// Server state shared by all sessions. Declared before the sessions, which
// keep a reference to it; it outlives them because stop() joins every thread
// and the io_context (destroyed first, see member order) destroys whatever
// session its queued handlers still own.

struct HttpServer::Impl {
    // A live connection, as stop() sees it.
    struct Session {
        virtual ~Session() = default;
        // Any thread: asks the session to wind down on its own strand.
        virtual void request_close() = 0;
        // Only once the io threads are joined: drops the bus subscription so
        // that no publisher posts into an io_context about to be destroyed.
        virtual void detach_feed() {}
    };
    class HttpSession;
    class WsSession;

    Impl(HttpServerOptions o, Handler h, EventBus& b)
        : options(std::move(o)), handler(std::move(h)), bus(b), accept_strand(net::make_strand(ioc)),
          acceptor(accept_strand), accept_retry(accept_strand) {}

    // Registers a session unless the server is stopping (then the caller
    // closes its socket at once: a connection accepted while stop() runs).
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
    std::vector<std::shared_ptr<Session>> live_sessions() {
        std::vector<std::shared_ptr<Session>> out;
        std::lock_guard lock(reg_mu);
        for (const auto& [id, weak] : sessions)
            if (auto s = weak.lock())
                out.push_back(std::move(s));
        return out;
    }

    void start();
    void stop();
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);
    void run_thread();

    HttpServerOptions options;
    Handler handler;
    EventBus& bus;

    std::mutex reg_mu;
    bool stopping = false; // guarded by reg_mu
    uint64_t next_session_id = 0;
    std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;

    std::mutex run_mu;
    std::condition_variable run_cv;
    unsigned running_threads = 0; // guarded by run_mu

    bool started = false; // start()/stop() are called from one controlling thread
    bool stopped = false;
    uint16_t bound_port = 0;

    // Order matters: the io objects are destroyed before everything above
    // (sessions dying with the io_context still unregister themselves), and
    // the acceptor and timer before the io_context they belong to.
    net::io_context ioc;
    net::strand<net::io_context::executor_type> accept_strand;
    tcp::acceptor acceptor;
    net::steady_timer accept_retry;
    std::vector<std::thread> threads;
};

// ---------------------------------------------------------------------------
// WebSocket feed session.

namespace {

// The part of a feed session that the EventBus listener touches, on the
// publisher's thread; everything else in the session is strand-only.
struct Feed {
    std::mutex mu;
    std::deque<Event> events;
    uint64_t dropped = 0;
    uint64_t last_seq = 0;
    bool wake_pending = false;
    std::function<void()> wake; // set before the first subscription, then constant
};

EventBus::Listener feed_listener(std::shared_ptr<Feed> feed) {
    return [feed = std::move(feed)](const Event& ev) {
        bool wake = false;
        {
            std::lock_guard lock(feed->mu);
            // When the session changes its topics it holds two subscriptions
            // for a moment; the bus delivers in seq order, so a repeat is one
            // whose seq is not newer than the last one queued.
            if (ev.seq <= feed->last_seq)
                return;
            feed->last_seq = ev.seq;
            feed->events.push_back(ev);
            if (feed->events.size() > kFeedQueueCapacity) {
                feed->events.pop_front();
                ++feed->dropped;
            }
            if (!feed->wake_pending) {
                feed->wake_pending = true;
                wake = true;
            }
        }
        if (wake)
            feed->wake();
    };
}

std::string format_event(const Event& ev) {
    std::string out;
    out.reserve(ev.topic.size() + ev.json.size() + 64);
    out += R"({"topic":)";
    out += dump_json(json(ev.topic));
    out += R"(,"seq":)";
    out += std::to_string(ev.seq);
    out += R"(,"ts":)";
    out += std::to_string(ev.ts_ms);
    out += R"(,"event":)";
    out += ev.json; // validated as JSON by EventBus::publish
    out += '}';
    return out;
}

} // namespace

class HttpServer::Impl::WsSession final : public HttpServer::Impl::Session,
                                          public std::enable_shared_from_this<WsSession> {
  public:
    WsSession(Impl& server, tcp::socket&& socket, std::string remote)
        : server_(server), ws_(std::move(socket)), remote_(std::move(remote)), feed_(std::make_shared<Feed>()) {}

    ~WsSession() override {
        if (id_)
            server_.remove_session(*id_);
    }

    // On the connection's strand, with the upgrade request already read.
    void start(http::request<http::string_body> request, std::string query) {
        id_ = server_.add_session(weak_from_this());
        if (!id_) {
            error_code ec;
            beast::get_lowest_layer(ws_).socket().close(ec);
            return;
        }
        std::weak_ptr<WsSession> weak = weak_from_this();
        feed_->wake = [weak, ex = ws_.get_executor()] {
            // Holds the session weakly: a queued wake must not keep a closed
            // session (and its socket) alive.
            net::post(ex, [weak] {
                if (auto self = weak.lock())
                    self->on_wake();
            });
        };
        query_ = std::move(query);
        request_ = std::move(request);

        beast::get_lowest_layer(ws_).expires_never(); // the websocket stream has its own timeouts
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
        ws_.read_message_max(kMaxClientMessage);
        ws_.async_accept(request_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
    }

    void request_close() override {
        net::post(ws_.get_executor(), [self = shared_from_this()] { self->close_now(); });
    }

    void detach_feed() override { subscription_.reset(); }

  private:
    enum class State { handshake, open, closing, closed };

    void on_accept(error_code ec) {
        if (ec)
            return fail(ec, "accept");
        state_ = State::open;
        request_ = {};
        if (close_requested_)
            return close_now();

        std::vector<std::string> errors;
        set_topics(topics_from_query(query_, errors));
        send_control({{"type", "hello"}, {"topics", topics_}});
        for (const auto& e : errors)
            send_error(e);
        do_read();
    }

    void close_now() {
        close_requested_ = true;
        switch (state_) {
        case State::handshake: {
            // The handshake fails with operation_aborted and ends the session.
            error_code ec;
            beast::get_lowest_layer(ws_).socket().close(ec);
            break;
        }
        case State::open: {
            state_ = State::closing;
            subscription_.reset();
            // A peer that does not answer the close frame (it is not reading)
            // must not hold stop() up: the close handshake gets a short
            // deadline of its own, after which Beast drops the connection.
            websocket::stream_base::timeout opt{};
            opt.handshake_timeout = kWsCloseTimeout;
            opt.idle_timeout = websocket::stream_base::none();
            opt.keep_alive_pings = false;
            ws_.set_option(opt);
            ws_.async_close(websocket::close_code::going_away,
                            beast::bind_front_handler(&WsSession::on_closed, shared_from_this()));
            break;
        }
        case State::closing:
        case State::closed:
            break;
        }
    }

    void on_closed(error_code) { finish(); }

    void fail(error_code ec, const char* what) {
        if (ec != websocket::error::closed && ec != net::error::operation_aborted && ec != beast::error::timeout &&
            ec != net::error::eof && ec != net::error::connection_reset)
            spdlog::debug("ws {}: {}: {}", remote_, what, ec.message());
        finish();
    }

    void finish() {
        if (state_ == State::closed)
            return;
        state_ = State::closed;
        subscription_.reset();
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored); // cancels whatever is still pending
    }

    // --- client messages -----------------------------------------------

    void do_read() {
        if (state_ != State::open)
            return;
        ws_.async_read(read_buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec)
            return fail(ec, "read");
        if (state_ != State::open)
            return;
        if (!ws_.got_text())
            send_error("binary messages are not supported; send JSON text");
        else
            handle_message(beast::buffers_to_string(read_buffer_.data()));
        read_buffer_.consume(read_buffer_.size());
        if (outbox_.size() >= kOutboxPauseAt)
            read_paused_ = true; // resumed by on_write once the client reads again
        else
            do_read();
    }

    // {"subscribe":[...]} and/or {"unsubscribe":[...]}; anything else is an
    // error reply, and the connection stays usable.
    void handle_message(const std::string& text) {
        const json msg = json::parse(text, nullptr, false);
        if (msg.is_discarded())
            return send_error("message is not valid JSON");
        if (!msg.is_object())
            return send_error(R"(expected an object such as {"subscribe":["topic"]})");

        std::vector<std::string> add;
        std::vector<std::string> remove;
        for (const auto& [key, value] : msg.items()) {
            std::vector<std::string>* target = nullptr;
            if (key == "subscribe")
                target = &add;
            else if (key == "unsubscribe")
                target = &remove;
            else
                return send_error("unknown key '" + key + "'; expected subscribe or unsubscribe");
            if (!value.is_array())
                return send_error("'" + key + "' must be an array of topic strings");
            for (const auto& t : value) {
                if (!t.is_string() || !topic_valid(t.get_ref<const std::string&>()))
                    return send_error("'" + key + "' must hold non-empty topic strings of at most " +
                                      std::to_string(kMaxTopicLength) + " bytes");
                target->push_back(t.get<std::string>());
            }
        }
        if (msg.empty())
            return send_error("expected subscribe or unsubscribe");

        auto next = topics_;
        for (auto& t : add)
            if (std::find(next.begin(), next.end(), t) == next.end())
                next.push_back(std::move(t));
        for (const auto& t : remove)
            next.erase(std::remove(next.begin(), next.end(), t), next.end());
        if (next.size() > kMaxTopics)
            return send_error("too many topics (at most " + std::to_string(kMaxTopics) + ")");
        set_topics(std::move(next));
        // Always the complete current set, so the client never has to merge.
        send_control({{"type", "subscribed"}, {"topics", topics_}});
    }

    void set_topics(std::vector<std::string> next) {
        if (next == topics_ && (subscription_ || next.empty()))
            return;
        topics_ = std::move(next);
        if (topics_.empty()) {
            subscription_.reset();
            return;
        }
        // New before old, so no event falls in a gap; the feed drops the
        // repeats the overlap may deliver.
        auto fresh = server_.bus.subscribe(topics_, feed_listener(feed_));
        subscription_ = std::move(fresh);
    }

    // --- outgoing --------------------------------------------------------

    void send_control(const json& j) {
        outbox_.push_back(dump_json(j));
        pump();
    }
    void send_error(const std::string& message) { send_control({{"type", "error"}, {"message", message}}); }

    void on_wake() {
        {
            std::lock_guard lock(feed_->mu);
            feed_->wake_pending = false;
        }
        pump();
    }

    // Starts the next write if none is in flight. Control replies go first;
    // events are taken from the feed one at a time, so the bounded feed queue
    // (not this session) is what absorbs a slow client.
    void pump() {
        if (writing_ || state_ != State::open)
            return;
        if (outbox_.empty()) {
            std::string next;
            {
                std::lock_guard lock(feed_->mu);
                if (feed_->dropped > 0) {
                    next = dump_json({{"type", "dropped"}, {"count", feed_->dropped}});
                    feed_->dropped = 0;
                } else {
                    while (!feed_->events.empty() && next.empty()) {
                        Event ev = std::move(feed_->events.front());
                        feed_->events.pop_front();
                        // Queued before an unsubscribe: no longer wanted.
                        if (std::any_of(topics_.begin(), topics_.end(),
                                        [&](const std::string& p) { return EventBus::topic_matches(p, ev.topic); }))
                            next = format_event(ev);
                    }
                }
            }
            if (next.empty())
                return;
            outbox_.push_back(std::move(next));
        }
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(outbox_.front()),
                        beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
    }

    void on_write(error_code ec, std::size_t) {
        writing_ = false;
        if (ec)
            return fail(ec, "write");
        outbox_.pop_front();
        if (read_paused_ && outbox_.size() < kOutboxPauseAt / 2) {
            read_paused_ = false;
            do_read();
        }
        pump();
    }

    Impl& server_;
    websocket::stream<beast::tcp_stream> ws_;
    std::string remote_;
    std::optional<uint64_t> id_;
    http::request<http::string_body> request_;
    std::string query_;
    State state_ = State::handshake;
    bool close_requested_ = false;
    bool read_paused_ = false;
    bool writing_ = false;
    beast::flat_buffer read_buffer_;
    std::deque<std::string> outbox_;
    std::vector<std::string> topics_;
    std::shared_ptr<Feed> feed_;
    std::unique_ptr<EventBus::Subscription> subscription_;
};

// ---------------------------------------------------------------------------
// True when there is no Origin (a non-browser client) or the Origin's
// host[:port] equals the Host header the client connected with.
bool same_origin(std::string_view origin, std::string_view host) {
    if (origin.empty())
        return true;
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos)
        return false;
    std::string_view authority = origin.substr(scheme_end + 3);
    if (const auto slash = authority.find('/'); slash != std::string_view::npos)
        authority = authority.substr(0, slash);
    std::string a(authority);
    std::string h(host);
    ascii_lower(a);
    ascii_lower(h);
    return !a.empty() && a == h;
}

// Plain HTTP session (keep-alive); hands /ws upgrades to a WsSession.

class HttpServer::Impl::HttpSession final : public HttpServer::Impl::Session,
                                            public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(Impl& server, tcp::socket&& socket) : server_(server), stream_(std::move(socket)) {
        error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec)
            remote_ = ep.address().to_string();
    }

    ~HttpSession() override {
        if (id_)
            server_.remove_session(*id_);
    }

    void start() {
        id_ = server_.add_session(weak_from_this());
        if (!id_) {
            error_code ec;
            stream_.socket().close(ec);
            return;
        }
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
    }

    void request_close() override {
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
    }

  private:
    enum class State { idle, reading, writing, lingering, closed };

    void close_now() {
        close_requested_ = true;
        // A response being written is finished first (on_write closes); a
        // connection waiting for a request is closed at once.
        if (state_ == State::reading || state_ == State::lingering || state_ == State::idle)
            close_socket();
    }

    void close_socket() {
        state_ = State::closed;
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
                                beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
    }

    void on_header(error_code ec, std::size_t) {
        if (ec)
            return on_read_error(ec);
        auto& req = parser_->get();
        if (beast::iequals(req[http::field::expect], "100-continue")) {
            // Clients such as curl wait for this before sending a large body.
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](error_code ec, std::size_t) {
                if (ec)
                    return self->close_socket();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read_error(error_code ec) {
        if (ec == http::error::body_limit)
            return send_error_and_close(413, "payload_too_large",
                                        "request body exceeds " + std::to_string(server_.options.max_body_bytes) +
                                            " bytes");
        if (ec == http::error::header_limit)
            return send_error_and_close(431, "headers_too_large", "request headers are too large");
        // A malformed request (but not a peer that simply went away).
        if (is_http_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message)
            return send_error_and_close(400, "bad_request", "malformed HTTP request: " + ec.message());
        close_socket();
    }

    void on_read(error_code ec, std::size_t) {
        if (ec)
            return on_read_error(ec);
        auto& req = parser_->get();

        const std::string target(req.target());
        const auto qmark = target.find('?');
        std::string path;
        if (!percent_decode(std::string_view(target).substr(0, qmark), path, false))
            return send_error_and_close(400, "bad_request", "malformed percent-encoding in the request path");
        std::string query = qmark == std::string::npos ? std::string() : target.substr(qmark + 1);

        if (path == "/ws" && websocket::is_upgrade(req)) {
            // Browsers send Origin on every WebSocket handshake: only pages
            // served by this host may read its feed, not any site the admin
            // happens to have open (cross-site WebSocket hijacking).
            if (!same_origin(req[http::field::origin], req[http::field::host]))
                return send_error_and_close(403, "forbidden_origin",
                                            "WebSocket connections are accepted only from pages served by this host");
            state_ = State::closed; // the socket now belongs to the feed session
            auto ws = std::make_shared<WsSession>(server_, stream_.release_socket(), remote_);
            ws->start(parser_->release(), std::move(query));
            return;
        }

        HttpRequest request;
        request.method = std::string(req.method_string());
        ascii_upper(request.method);
        request.target = target;
        request.path = std::move(path);
        request.query = std::move(query);
        for (const auto& field : req) {
            std::string name(field.name_string());
            ascii_lower(name);
            auto [it, inserted] = request.headers.emplace(std::move(name), std::string(field.value()));
            if (!inserted) { // repeated header: combined as RFC 9110 5.3 allows
                it->second += ", ";
                it->second += field.value();
            }
        }
        request.body = std::move(req.body());
        request.remote_address = remote_;

        // HEAD is answered by the GET route minus the body, so every GET
        // route supports it without knowing.
        const bool head = request.method == "HEAD";
        if (head)
            request.method = "GET";

        HttpResponse response;
        try {
            response = server_.handler(request);
        } catch (const std::exception& e) {
            spdlog::error("http: handler failed on {} {}: {}", request.method, request.path, e.what());
            response = HttpResponse::error(500, "internal_error", "internal server error");
        } catch (...) {
            spdlog::error("http: handler failed on {} {}: unknown exception", request.method, request.path);
            response = HttpResponse::error(500, "internal_error", "internal server error");
        }
        send(std::move(response), req.version(), req.keep_alive(), head, false);
    }

    void send_error_and_close(unsigned status, const std::string& code, const std::string& message) {
        const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
        send(HttpResponse::error(status, code, message), version, false, false, true);
    }

    void send(HttpResponse out, unsigned version, bool keep_alive, bool head, bool linger) {
        if (out.status < 200 || out.status > 599) {
            spdlog::error("http: handler returned invalid status {}", out.status);
            out = HttpResponse::error(500, "internal_error", "handler returned an invalid status");
        }
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(version);
        res->result(out.status);
        res->set(http::field::server, kServerName);
        if (!out.content_type.empty() && safe_header_value(out.content_type))
            res->set(http::field::content_type, out.content_type);
        for (const auto& [name, value] : out.headers) {
            std::string lname = name;
            ascii_lower(lname);
            if (!safe_header_name(name) || !safe_header_value(value) || lname == "content-length" ||
                lname == "transfer-encoding" || lname == "connection" || lname == "server") {
                spdlog::warn("http: dropped response header '{}' (unsafe or owned by the server)", name);
                continue;
            }
            res->insert(name, value);
        }
        // 204 and 304 carry no body and, per RFC 9110, no Content-Length.
        if (out.status != 204 && out.status != 304) {
            res->body() = std::move(out.body);
            res->prepare_payload();
        }
        res->keep_alive(keep_alive);
        if (head)
            res->body().clear(); // Content-Length still says what GET would send

        state_ = State::writing;
        stream_.expires_after(kWriteTimeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res, linger](error_code ec, std::size_t) {
            self->on_write(ec, res->need_eof(), linger);
        });
    }

    void on_write(error_code ec, bool close, bool linger) {
        if (ec)
            return close_socket();
        if (linger && !close_requested_)
            return do_linger();
        if (close || close_requested_)
            return close_socket();
        do_read();
    }

    void do_linger() {
        state_ = State::lingering;
        error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(kLingerTimeout);
        linger_bytes_ = 0;
        linger_read();
    }

    void linger_read() {
        stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](error_code ec, std::size_t n) {
            self->linger_bytes_ += n;
            if (ec || self->linger_bytes_ > kLingerMaxBytes || self->close_requested_)
                return self->close_socket();
            self->linger_read();
        });
    }

    Impl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string remote_;
    std::optional<uint64_t> id_;
    State state_ = State::idle;
    bool close_requested_ = false;
    std::size_t linger_bytes_ = 0;
    std::array<char, 8192> scratch_{};
};

// ---------------------------------------------------------------------------

void HttpServer::Impl::start() {
    if (started)
        throw std::logic_error("HttpServer::start: already started");
    const std::string where = options.address + ":" + std::to_string(options.port);
    auto fail = [&](const std::string& step, const error_code& ec) {
        error_code ignored;
        acceptor.close(ignored);
        throw std::runtime_error("HttpServer: cannot listen on " + where + ": " + step + ": " + ec.message());
    };

    error_code ec;
    tcp::endpoint endpoint;
    const auto address = net::ip::make_address(options.address, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, options.port);
    } else {
        // A host name such as "localhost": listen on its first address.
        tcp::resolver resolver(ioc);
        const auto results = resolver.resolve(options.address, std::to_string(options.port),
                                              tcp::resolver::passive | tcp::resolver::numeric_service, ec);
        if (ec || results.empty())
            fail("cannot resolve address", ec ? ec : make_error_code(net::error::host_not_found));
        endpoint = results.begin()->endpoint();
    }

    acceptor.open(endpoint.protocol(), ec);
    if (ec)
        fail("open", ec);
    // Lets a restarted host rebind while old connections sit in TIME_WAIT; on
    // Linux it does not allow two listeners on one port.
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (ec)
        fail("set SO_REUSEADDR", ec);
    acceptor.bind(endpoint, ec);
    if (ec)
        fail("bind", ec);
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        fail("listen", ec);
    bound_port = acceptor.local_endpoint().port();
    started = true;

    do_accept();
    const unsigned n = std::max(1u, options.threads);
    {
        std::lock_guard lock(run_mu);
        running_threads = n;
    }
    threads.reserve(n);
    for (unsigned i = 0; i < n; ++i)
        threads.emplace_back([this] { run_thread(); });
    spdlog::info("http: listening on {}", endpoint_text(acceptor.local_endpoint()));
}

void HttpServer::Impl::run_thread() {
    for (;;) {
        try {
            ioc.run();
            break;
        } catch (const std::exception& e) {
            // A handler escaped with an exception; the other connections keep
            // being served.
            spdlog::error("http: io thread caught: {}", e.what());
        }
    }
    std::lock_guard lock(run_mu);
    --running_threads;
    run_cv.notify_all();
}

void HttpServer::Impl::do_accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [this](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void HttpServer::Impl::on_accept(error_code ec, tcp::socket socket) {
    if (!acceptor.is_open())
        return; // stop() closed it
    if (ec) {
        if (ec == net::error::operation_aborted)
            return;
        // Typically EMFILE: back off instead of spinning on the error.
        spdlog::warn("http: accept failed: {}", ec.message());
        accept_retry.expires_after(100ms);
        accept_retry.async_wait([this](error_code wait_ec) {
            if (!wait_ec && acceptor.is_open())
                do_accept();
        });
        return;
    }
    // Responses and feed messages are small single writes; without this,
    // Nagle's algorithm meeting the peer's delayed ACK stalls them ~40 ms.
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(*this, std::move(socket))->start();
    do_accept();
}

void HttpServer::Impl::stop() {
    if (!started || stopped)
        return;
    stopped = true;
    {
        std::lock_guard lock(reg_mu);
        stopping = true;
    }
    net::post(accept_strand, [this] {
        error_code ec;
        acceptor.close(ec);
        accept_retry.cancel();
    });
    for (const auto& session : live_sessions())
        session->request_close();

    // Sessions end once their goodbyes are done and run() then runs out of
    // work; one that does not (a handler still busy, a peer ignoring the
    // close) is cut off after the grace period.
    {
        std::unique_lock lock(run_mu);
        if (!run_cv.wait_for(lock, kStopGrace, [this] { return running_threads == 0; })) {
            lock.unlock();
            spdlog::warn("http: connections still open after {} ms; closing them",
                         std::chrono::duration_cast<std::chrono::milliseconds>(kStopGrace).count());
            ioc.stop();
        }
    }
    for (auto& t : threads)
        t.join();
    threads.clear();
    for (const auto& session : live_sessions())
        session->detach_feed();
}

// ---------------------------------------------------------------------------

HttpServer::HttpServer(HttpServerOptions options, Handler handler, EventBus& events)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), events)) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    impl_->start();
}

uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

void HttpServer::stop() {
    impl_->stop();
}

} // namespace erp::host
