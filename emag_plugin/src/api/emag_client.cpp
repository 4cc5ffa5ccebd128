#include "api/emag_client.hpp"

#include "api/form_encode.hpp"
#include "api/rate_limiter.hpp"
#include "api/request_log.hpp"
#include "api/route_group.hpp"
#include "api/transport.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

namespace erp::emag {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string basic_credential(const std::string& username, const Secret& password) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string in = username + ":" + password.reveal();
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const auto b0 = static_cast<unsigned char>(in[i]);
        const auto b1 = i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) : 0u;
        const auto b2 = i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0u;
        out += table[b0 >> 2];
        out += table[((b0 & 0x03u) << 4) | (b1 >> 4)];
        out += i + 1 < in.size() ? table[((b1 & 0x0fu) << 2) | (b2 >> 6)] : '=';
        out += i + 2 < in.size() ? table[b2 & 0x3fu] : '=';
    }
    std::fill(in.begin(), in.end(), '\0'); // the plain credential, wiped
    return out;
}

namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

ErrorInfo local_error(ErrorKind kind, const std::string& route, std::string detail) {
    ErrorInfo e;
    e.kind = kind;
    e.route = route;
    e.detail = std::move(detail);
    e.attempt = 0; // never sent
    return e;
}

} // namespace

// The client's state. Everything below `io` is touched only on the
// scheduling thread, except what `mu` guards (read by metrics()).
struct EmagClient::Core : std::enable_shared_from_this<Core> {
    struct Pending {
        ApiCall call;
        RouteGroup group = RouteGroup::other;
        HttpRequest request;
        Done done;
        unsigned attempt = 1;
        bool finished = false;
        std::optional<asio::steady_timer> timer;
        Clock::time_point slot;
        Clock::time_point slot_asked; // when it asked the limiter (wait time)
        Clock::time_point sent_at;
        std::chrono::system_clock::time_point sent_wall;
    };
    using PendingPtr = std::shared_ptr<Pending>;

    struct Group {
        Group(RouteGroup g, GroupLimits l, std::chrono::milliseconds margin, unsigned max)
            : limiter(l, margin), max_in_flight(max) {
            metrics.group = g;
            metrics.limits = l;
        }
        GroupRateLimiter limiter;
        std::deque<PendingPtr> queue;
        unsigned max_in_flight;
        GroupMetrics metrics; // guarded by mu
    };

    Core(AccountEndpoint e, std::shared_ptr<Transport> t, ClientOptions o, std::shared_ptr<RequestLog> l)
        : endpoint(std::move(e)), transport(std::move(t)), options(std::move(o)), log(std::move(l)),
          work(asio::make_work_guard(io)), rng(std::random_device{}()) {
        while (!endpoint.base_url.empty() && endpoint.base_url.back() == '/') {
            endpoint.base_url.pop_back();
        }
        if (endpoint.base_url.empty()) {
            throw std::invalid_argument("account " + endpoint.name + ": no base URL");
        }
        if (!transport) {
            throw std::invalid_argument("account " + endpoint.name + ": no transport");
        }
        if (options.max_in_flight_orders == 0 || options.max_in_flight_other == 0) {
            throw std::invalid_argument("max_in_flight must be at least 1");
        }
        const std::string credential = basic_credential(endpoint.username, endpoint.password);
        authorization = Secret("Basic " + credential);
        if (log) {
            log->add_secrets({endpoint.password.reveal(), credential});
        }
        groups[0].emplace(RouteGroup::orders, published_limits(RouteGroup::orders), options.rate_margin,
                          options.max_in_flight_orders);
        groups[1].emplace(RouteGroup::other, published_limits(RouteGroup::other), options.rate_margin,
                          options.max_in_flight_other);
        if (options.start_pause.count() > 0) {
            const auto quiet_until = GroupRateLimiter::Clock::now() + options.start_pause;
            for (auto& g : groups) {
                g->limiter.pause_until(quiet_until);
            }
        }
    }

    void start() {
        thread = std::thread([this] { io.run(); });
    }

    Group& group(RouteGroup g) { return *groups[static_cast<std::size_t>(g)]; }

    // --- on the caller's thread ---------------------------------------

    // The HTTP request for a call, or an error when it cannot be sent.
    std::optional<ErrorInfo> build(Pending& p) {
        HttpRequest& r = p.request;
        r.method = p.call.method;
        r.url = endpoint.base_url + "/" + p.call.route;
        r.headers = {{"Authorization", authorization.reveal()}, {"Accept", "application/json"}};
        if (!p.call.json_body.is_null()) {
            r.content_type = "application/json";
            r.body = p.call.json_body.dump(-1, ' ', false, json::error_handler_t::replace);
        } else if (!p.call.data.is_null()) {
            if (options.body_encoding == BodyEncoding::form) {
                EncodedForm f = form_encode("data", p.call.data);
                if (f.variables > kMaxFormVariables) {
                    return local_error(ErrorKind::validation, p.call.route,
                                       "the request has " + std::to_string(f.variables) +
                                           " form variables; eMAG accepts at most " +
                                           std::to_string(kMaxFormVariables) + " (send fewer entities per call)");
                }
                r.content_type = "application/x-www-form-urlencoded";
                r.body = std::move(f.body);
            } else {
                r.content_type = "application/json";
                r.body = json{{"data", p.call.data}}.dump(-1, ' ', false, json::error_handler_t::replace);
            }
        }
        return std::nullopt;
    }

    void submit(ApiCall call, Done done) {
        auto p = std::make_shared<Pending>();
        p->group = group_of_route(call.route);
        p->call = std::move(call);
        p->done = std::move(done);
        if (auto error = build(*p)) {
            {
                std::lock_guard lock(mu);
                ++group(p->group).metrics.calls;
                ++group(p->group).metrics.calls_failed;
            }
            p->done(CallOutcome{std::nullopt, std::move(*error)});
            return;
        }
        {
            // Checked and posted under the lock stop() takes to set the
            // flag, so a call is either queued before the shutdown runs or
            // answered here: never posted to a finished thread.
            std::lock_guard lock(submit_mu);
            if (!stopped) {
                asio::post(io, [self = shared_from_this(), p] { self->enqueue(p); });
                return;
            }
        }
        p->done(CallOutcome{std::nullopt, stopped_error(*p)});
    }

    // --- on the scheduling thread ---------------------------------------

    void enqueue(const PendingPtr& p) {
        Group& g = group(p->group);
        {
            std::lock_guard lock(mu);
            ++g.metrics.calls;
        }
        if (stopping) {
            finish(p, CallOutcome{std::nullopt, stopped_error(*p)});
            return;
        }
        active.insert(p);
        g.queue.push_back(p);
        pump(g);
    }

    void pump(Group& g) {
        while (!stopping && g.queue.size() > 0 && in_flight(g) < g.max_in_flight) {
            PendingPtr p = g.queue.front();
            g.queue.pop_front();
            {
                std::lock_guard lock(mu);
                ++g.metrics.in_flight;
            }
            p->slot_asked = Clock::now();
            acquire_slot(p);
        }
        std::lock_guard lock(mu);
        g.metrics.queued = static_cast<unsigned>(g.queue.size());
    }

    unsigned in_flight(Group& g) {
        std::lock_guard lock(mu);
        return g.metrics.in_flight;
    }

    void acquire_slot(const PendingPtr& p) {
        Group& g = group(p->group);
        const Clock::time_point now = Clock::now();
        {
            std::lock_guard lock(mu); // metrics() reads the limiter too
            p->slot = g.limiter.reserve(now);
        }
        if (p->slot <= now) {
            send(p);
            return;
        }
        if (!p->timer) {
            p->timer.emplace(io);
        }
        p->timer->expires_at(p->slot);
        p->timer->async_wait([self = shared_from_this(), p](const boost::system::error_code& ec) {
            if (!ec && !p->finished) {
                self->on_slot(p);
            }
        });
    }

    void on_slot(const PendingPtr& p) {
        Group& g = group(p->group);
        // A 429 arrived after this slot was reserved and paused the group
        // past it: take a new slot after the pause.
        if (g.limiter.paused_until() > p->slot) {
            acquire_slot(p);
            return;
        }
        send(p);
    }

    void send(const PendingPtr& p) {
        Group& g = group(p->group);
        p->sent_at = Clock::now();
        p->sent_wall = std::chrono::system_clock::now();
        const double waited = ms_between(p->slot_asked, p->sent_at);
        {
            std::lock_guard lock(mu);
            g.limiter.record_send(p->slot, p->sent_at);
            ++g.metrics.attempts;
            g.metrics.bytes_out += p->request.body.size();
            if (waited >= 1.0) {
                ++g.metrics.rate_waits;
                g.metrics.rate_wait_ms_sum += waited;
            }
        }
        std::weak_ptr<Core> weak = shared_from_this();
        transport->send(p->request, [weak, p, waited](HttpResponse r) {
            auto self = weak.lock();
            if (!self) {
                return; // the client is gone; nobody waits for this answer
            }
            asio::post(self->io, [weak, p, waited, r = std::move(r)]() mutable {
                if (auto s = weak.lock()) {
                    s->on_response(p, std::move(r), waited);
                }
            });
        });
    }

    void on_response(const PendingPtr& p, HttpResponse r, double waited) {
        if (p->finished) {
            return; // stop() already answered this call
        }
        Group& g = group(p->group);
        const Clock::time_point now = Clock::now();
        const double ms = ms_between(p->sent_at, now);
        Classified c = classify_response(p->call.route, p->call.method, r, p->attempt);
        {
            std::lock_guard lock(mu);
            --g.metrics.in_flight;
            g.metrics.bytes_in += r.body.size();
            g.metrics.record_latency(ms);
            if (!c.result) {
                ++g.metrics.errors[static_cast<std::size_t>(c.error.kind)];
            }
        }
        write_log(*p, r, c, ms, waited);

        if (c.result) {
            finish(p, CallOutcome{std::move(c.result), {}});
            pump(g);
            return;
        }
        ErrorInfo& e = c.error;
        if (e.kind == ErrorKind::rate_limited) {
            // The whole group waits: eMAG's own wait when it gives one, else
            // one full window.
            const auto pause = e.retry_after.value_or(std::chrono::milliseconds(1000) + options.rate_margin);
            std::lock_guard lock(mu);
            g.limiter.pause_until(now + pause);
        }
        if (!stopping && should_retry(options.retry, e.kind, p->attempt)) {
            const auto delay = retry_delay(options.retry, p->attempt, e.retry_after,
                                           std::uniform_real_distribution<double>(0.0, 1.0)(rng));
            {
                std::lock_guard lock(mu);
                ++g.metrics.retries;
            }
            ++p->attempt;
            if (!p->timer) {
                p->timer.emplace(io);
            }
            p->timer->expires_after(delay);
            p->timer->async_wait([self = shared_from_this(), p](const boost::system::error_code& ec) {
                if (!ec && !p->finished && !self->stopping) {
                    Group& grp = self->group(p->group);
                    grp.queue.push_front(p); // a retry goes before new calls
                    self->pump(grp);
                }
            });
        } else {
            finish(p, CallOutcome{std::nullopt, std::move(e)});
        }
        pump(g);
    }

    void write_log(const Pending& p, const HttpResponse& r, const Classified& c, double ms, double waited) {
        if (!log) {
            return;
        }
        RequestLogEntry e;
        e.time = p.sent_wall;
        e.account = endpoint.name;
        e.method = p.call.method;
        e.route = p.call.route;
        e.group = group_name(p.group);
        e.status = r.status;
        e.outcome = c.result ? "ok" : error_kind_name(c.error.kind);
        e.ms = ms;
        e.attempt = p.attempt;
        e.bytes_out = p.request.body.size();
        e.bytes_in = r.body.size();
        e.wait_ms = waited;
        if (!c.result) {
            e.messages.push_back(c.error.detail);
            for (const auto& m : c.error.messages) {
                e.messages.push_back(m);
            }
        }
        log->write(e);
    }

    ErrorInfo stopped_error(const Pending& p) const {
        ErrorInfo e = local_error(ErrorKind::transient, p.call.route, "the eMAG client was stopped");
        e.attempt = p.attempt;
        return e;
    }

    void finish(const PendingPtr& p, CallOutcome outcome) {
        if (p->finished) {
            return;
        }
        p->finished = true;
        active.erase(p);
        // The timer belongs to this thread's io_context, which may be gone
        // by the time the last reference to the call (a late transport
        // callback's) is dropped: release it here, on the io thread.
        p->timer.reset();
        {
            std::lock_guard lock(mu);
            auto& m = group(p->group).metrics;
            ++(outcome.ok() ? m.calls_ok : m.calls_failed);
        }
        if (outcome.result) {
            outcome.result->attempts = p->attempt;
        }
        try {
            p->done(std::move(outcome));
        } catch (...) {
            // A callback must not throw; if one does, the scheduler goes on.
        }
    }

    void shut_down() {
        stopping = true;
        const std::set<PendingPtr> all = active;
        for (const auto& p : all) {
            if (p->timer) {
                p->timer->cancel();
            }
            finish(p, CallOutcome{std::nullopt, stopped_error(*p)});
        }
        std::lock_guard lock(mu);
        for (auto& g : groups) {
            g->queue.clear();
            g->metrics.queued = 0;
            g->metrics.in_flight = 0;
        }
    }

    AccountEndpoint endpoint;
    std::shared_ptr<Transport> transport;
    ClientOptions options;
    std::shared_ptr<RequestLog> log;
    Secret authorization;

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::thread thread;
    std::once_flag stop_once;
    std::mutex submit_mu;
    bool stopped = false; // guarded by submit_mu

    std::array<std::optional<Group>, 2> groups;
    std::set<PendingPtr> active;
    bool stopping = false;
    std::mt19937_64 rng;
    mutable std::mutex mu;
};

EmagClient::EmagClient(AccountEndpoint endpoint, std::shared_ptr<Transport> transport, ClientOptions options,
                       std::shared_ptr<RequestLog> log)
    : core_(std::make_shared<Core>(std::move(endpoint), std::move(transport), std::move(options), std::move(log))) {
    core_->start();
}

EmagClient::~EmagClient() {
    stop();
}

void EmagClient::submit(ApiCall call, Done done) {
    core_->submit(std::move(call), std::move(done));
}

std::future<ApiResult> EmagClient::call_async(ApiCall call) {
    auto promise = std::make_shared<std::promise<ApiResult>>();
    auto future = promise->get_future();
    submit(std::move(call), [promise](CallOutcome o) {
        if (o.result) {
            promise->set_value(std::move(*o.result));
        } else {
            promise->set_exception(std::make_exception_ptr(ApiError(std::move(o.error))));
        }
    });
    return future;
}

ClientMetrics EmagClient::metrics() const {
    ClientMetrics out;
    out.account = core_->endpoint.name;
    const auto now = Clock::now();
    std::lock_guard lock(core_->mu);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& g = *core_->groups[i];
        out.groups[i] = g.metrics;
        out.groups[i].used_last_second = g.limiter.used_last_second(now);
        out.groups[i].used_last_minute = g.limiter.used_last_minute(now);
    }
    return out;
}

const std::string& EmagClient::account() const noexcept {
    return core_->endpoint.name;
}

void EmagClient::stop() {
    Core& c = *core_;
    std::call_once(c.stop_once, [&c] {
        {
            std::lock_guard lock(c.submit_mu);
            c.stopped = true;
        }
        std::promise<void> done;
        auto finished = done.get_future();
        asio::post(c.io, [&c, &done] {
            c.shut_down();
            done.set_value();
        });
        finished.wait();
        // Let the cancelled timers' handlers run (they hold the core), then
        // the thread ends by itself: io.stop() would strand them and leak.
        c.work.reset();
        if (c.thread.joinable()) {
            c.thread.join();
        }
    });
}

} // namespace erp::emag
