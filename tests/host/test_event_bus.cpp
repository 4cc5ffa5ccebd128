#define BOOST_TEST_MODULE event_bus
#include <boost/test/unit_test.hpp>

#include "event_bus.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using erp::host::Event;
using erp::host::EventBus;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 30s;

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Thread-safe record of what one listener saw.
struct Recorder {
    std::mutex mu;
    std::vector<Event> events;

    EventBus::Listener listener() {
        return [this](const Event& e) {
            std::lock_guard lock(mu);
            events.push_back(e);
        };
    }
    std::vector<Event> snapshot() {
        std::lock_guard lock(mu);
        return events;
    }
    std::vector<std::string> topics() {
        std::vector<std::string> out;
        for (const auto& e : snapshot())
            out.push_back(e.topic);
        return out;
    }
};

using Topics = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(topic_patterns) {
    BOOST_TEST(EventBus::topic_matches("jobs", "jobs"));
    BOOST_TEST(!EventBus::topic_matches("jobs", "jobs.progress"));
    BOOST_TEST(!EventBus::topic_matches("jobs", "job"));
    BOOST_TEST(!EventBus::topic_matches("jobs.progress", "jobs"));

    BOOST_TEST(EventBus::topic_matches("emag.*", "emag.orders"));
    BOOST_TEST(EventBus::topic_matches("emag.*", "emag.orders.sync"));
    BOOST_TEST(!EventBus::topic_matches("emag.*", "emag"));         // the dot belongs to the prefix
    BOOST_TEST(!EventBus::topic_matches("emag.*", "emag."));        // nothing after the dot
    BOOST_TEST(!EventBus::topic_matches("emag.*", "emagx.orders")); // not a string prefix match
    BOOST_TEST(!EventBus::topic_matches("emag.*", "x.emag.orders"));
    BOOST_TEST(EventBus::topic_matches("emag.orders.*", "emag.orders.sync"));
    BOOST_TEST(!EventBus::topic_matches("emag.orders.*", "emag.offers.sync"));

    BOOST_TEST(EventBus::topic_matches("*", "anything"));
    BOOST_TEST(EventBus::topic_matches("*", "a.b.c"));
    BOOST_TEST(EventBus::topic_matches("*", ""));

    // Only a trailing ".*" is a wildcard; elsewhere '*' is an ordinary character.
    BOOST_TEST(!EventBus::topic_matches("emag*", "emag.orders"));
    BOOST_TEST(!EventBus::topic_matches("a.*.c", "a.b.c"));
    BOOST_TEST(EventBus::topic_matches("a.*.c", "a.*.c"));
}

BOOST_AUTO_TEST_CASE(fan_out_by_topic_with_metadata) {
    EventBus bus;
    Recorder jobs, emag, all, several;
    auto s1 = bus.subscribe({"jobs"}, jobs.listener());
    auto s2 = bus.subscribe({"emag.*"}, emag.listener());
    auto s3 = bus.subscribe({"*"}, all.listener());
    auto s4 = bus.subscribe({"jobs", "alerts", "emag.*"}, several.listener());

    const auto before = now_ms();
    bus.publish("jobs", R"({"job":"sync", "pct":  50})");
    bus.publish("emag.orders", "[1,2,3]");
    bus.publish("alerts", R"("disk full")");
    bus.publish("other", "null");
    const auto after = now_ms();

    BOOST_TEST(jobs.topics() == (Topics{"jobs"}), boost::test_tools::per_element());
    BOOST_TEST(emag.topics() == (Topics{"emag.orders"}), boost::test_tools::per_element());
    BOOST_TEST(all.topics() == (Topics{"jobs", "emag.orders", "alerts", "other"}), boost::test_tools::per_element());
    // Matching two of its patterns still delivers an event once.
    BOOST_TEST(several.topics() == (Topics{"jobs", "emag.orders", "alerts"}), boost::test_tools::per_element());

    const auto seen = all.snapshot();
    BOOST_REQUIRE_EQUAL(seen.size(), 4u);
    BOOST_TEST(seen[0].json == R"({"job":"sync", "pct":  50})"); // verbatim, whitespace and all
    BOOST_TEST(seen[1].json == "[1,2,3]");
    for (std::size_t i = 0; i < seen.size(); ++i) {
        BOOST_TEST(seen[i].ts_ms >= before);
        BOOST_TEST(seen[i].ts_ms <= after);
        if (i > 0)
            BOOST_TEST(seen[i].seq > seen[i - 1].seq);
    }
    // The same event carries the same seq for every subscriber.
    BOOST_TEST(jobs.snapshot().at(0).seq == seen[0].seq);
    BOOST_TEST(emag.snapshot().at(0).seq == seen[1].seq);
}

BOOST_AUTO_TEST_CASE(invalid_json_is_refused_and_not_delivered) {
    EventBus bus;
    Recorder all;
    auto sub = bus.subscribe({"*"}, all.listener());
    BOOST_CHECK_THROW(bus.publish("jobs", "{not json"), std::invalid_argument);
    BOOST_CHECK_THROW(bus.publish("jobs", ""), std::invalid_argument);
    BOOST_CHECK_THROW(bus.publish("jobs", "{} {}"), std::invalid_argument);
    BOOST_CHECK_THROW(bus.publish("jobs", "\"\xff\""), std::invalid_argument); // not UTF-8
    BOOST_TEST(all.snapshot().empty());
    bus.publish("jobs", "{}");
    BOOST_TEST(all.snapshot().size() == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_a_subscription_unsubscribes) {
    EventBus bus;
    Recorder a, b;
    auto sa = bus.subscribe({"t"}, a.listener());
    auto sb = bus.subscribe({"t"}, b.listener());
    bus.publish("t", "1");
    sa.reset();
    bus.publish("t", "2");
    BOOST_TEST(a.snapshot().size() == 1u);
    BOOST_REQUIRE_EQUAL(b.snapshot().size(), 2u);
    BOOST_TEST(b.snapshot()[1].json == "2");
}

BOOST_AUTO_TEST_CASE(subscription_may_outlive_the_bus) {
    Recorder r;
    std::unique_ptr<EventBus::Subscription> sub;
    {
        EventBus bus;
        sub = bus.subscribe({"*"}, r.listener());
        bus.publish("x", "1");
    }
    sub.reset(); // must not touch the destroyed bus
    BOOST_TEST(r.snapshot().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_throwing_listener_does_not_stop_the_others) {
    EventBus bus;
    Recorder after;
    auto bad = bus.subscribe({"*"}, [](const Event&) { throw std::runtime_error("listener bug"); });
    auto good = bus.subscribe({"*"}, after.listener());
    BOOST_CHECK_NO_THROW(bus.publish("x", "1"));
    BOOST_TEST(after.snapshot().size() == 1u);
}

BOOST_AUTO_TEST_CASE(listener_may_unsubscribe_itself_and_publish) {
    EventBus bus;
    Recorder r;
    std::unique_ptr<EventBus::Subscription> self;
    int calls = 0;
    self = bus.subscribe({"once"}, [&](const Event& e) {
        ++calls;
        bus.publish("echo", e.json); // re-entrant publish on the publishing thread
        self.reset();                // drops its own subscription mid-delivery
    });
    auto echo = bus.subscribe({"echo"}, r.listener());

    // A deadlock here would hang: run it on a thread and bound the wait.
    auto done = std::async(std::launch::async, [&] {
        bus.publish("once", "1");
        bus.publish("once", "2");
    });
    BOOST_REQUIRE(done.wait_for(kDeadline) == std::future_status::ready);
    done.get();
    BOOST_TEST(calls == 1);
    BOOST_REQUIRE_EQUAL(r.snapshot().size(), 1u);
    BOOST_TEST(r.snapshot()[0].json == "1");
}

BOOST_AUTO_TEST_CASE(unsubscribe_waits_for_a_delivery_in_flight) {
    EventBus bus;
    std::promise<void> entered;
    std::promise<void> release;
    auto release_future = release.get_future().share();
    std::atomic<bool> listener_finished{false};

    auto sub = bus.subscribe({"t"}, [&](const Event&) {
        entered.set_value();
        release_future.wait_for(kDeadline);
        listener_finished = true;
    });

    auto publisher = std::async(std::launch::async, [&] { bus.publish("t", "1"); });
    BOOST_REQUIRE(entered.get_future().wait_for(kDeadline) == std::future_status::ready);

    // While the listener runs, drop the subscription on another thread. Its
    // destructor may return only after the listener has finished, since the
    // owner frees what the listener uses right after.
    std::atomic<bool> finished_when_unsubscribed{false};
    auto unsubscriber = std::async(std::launch::async, [&] {
        sub.reset();
        finished_when_unsubscribed = listener_finished.load();
    });
    BOOST_TEST((unsubscriber.wait_for(50ms) == std::future_status::timeout)); // still blocked
    release.set_value();
    BOOST_REQUIRE(unsubscriber.wait_for(kDeadline) == std::future_status::ready);
    BOOST_REQUIRE(publisher.wait_for(kDeadline) == std::future_status::ready);
    BOOST_TEST(finished_when_unsubscribed.load());
}

// Several publishers race with subscribers that come and go. Every subscriber
// must see strictly increasing seq numbers (one total order), each publisher's
// events in its own order, and no listener may run after its subscription's
// destructor returned.
BOOST_AUTO_TEST_CASE(concurrent_publish_subscribe_unsubscribe) {
    constexpr int kPublishers = 4;
    constexpr int kPerPublisher = 3000;
    constexpr int kChurners = 2;

    EventBus bus;
    std::mutex mu;
    std::vector<Event> stable_seen;
    auto stable = bus.subscribe({"*"}, [&](const Event& e) {
        std::lock_guard lock(mu);
        stable_seen.push_back(e);
    });

    std::atomic<bool> publishing{true};
    std::atomic<int> late_calls{0};
    std::atomic<int> order_violations{0};
    std::atomic<long> churn_deliveries{0};

    std::vector<std::future<void>> churners;
    for (int c = 0; c < kChurners; ++c) {
        churners.push_back(std::async(std::launch::async, [&, c] {
            while (publishing.load()) {
                struct State {
                    std::atomic<bool> alive{true};
                    uint64_t last_seq = 0;
                };
                auto state = std::make_unique<State>();
                const std::vector<std::string> topics =
                    c == 0 ? std::vector<std::string>{"pub.*"} : std::vector<std::string>{"pub.0", "pub.3"};
                auto sub = bus.subscribe(topics, [&, s = state.get()](const Event& e) {
                    if (!s->alive.load())
                        ++late_calls;
                    if (e.seq <= s->last_seq)
                        ++order_violations;
                    s->last_seq = e.seq;
                    ++churn_deliveries;
                });
                std::this_thread::yield();
                sub.reset();
                state->alive = false; // any call from now on is a bug
            }
        }));
    }

    std::vector<std::future<void>> publishers;
    for (int p = 0; p < kPublishers; ++p) {
        publishers.push_back(std::async(std::launch::async, [&bus, p] {
            for (int n = 0; n < kPerPublisher; ++n)
                bus.publish("pub." + std::to_string(p), std::to_string(n));
        }));
    }
    for (auto& f : publishers)
        BOOST_REQUIRE(f.wait_for(kDeadline) == std::future_status::ready);
    publishing = false;
    for (auto& f : churners)
        BOOST_REQUIRE(f.wait_for(kDeadline) == std::future_status::ready);
    for (auto& f : publishers)
        f.get();
    for (auto& f : churners)
        f.get();

    BOOST_TEST(late_calls.load() == 0);
    BOOST_TEST(order_violations.load() == 0);
    BOOST_TEST_MESSAGE("churning subscribers received " << churn_deliveries.load() << " events");

    std::lock_guard lock(mu);
    BOOST_REQUIRE_EQUAL(stable_seen.size(), static_cast<std::size_t>(kPublishers * kPerPublisher));
    std::map<std::string, int> next_per_topic;
    int seq_violations = 0;
    int per_publisher_violations = 0;
    for (std::size_t i = 0; i < stable_seen.size(); ++i) {
        if (i > 0 && stable_seen[i].seq <= stable_seen[i - 1].seq)
            ++seq_violations;
        int& next = next_per_topic[stable_seen[i].topic];
        if (stable_seen[i].json != std::to_string(next))
            ++per_publisher_violations;
        ++next;
    }
    BOOST_TEST(seq_violations == 0);
    BOOST_TEST(per_publisher_violations == 0);
    BOOST_TEST(next_per_topic.size() == static_cast<std::size_t>(kPublishers));
}
