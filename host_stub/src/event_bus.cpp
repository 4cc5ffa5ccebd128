#include "event_bus.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace erp::host {

namespace {

struct Entry {
    std::vector<std::string> patterns;
    EventBus::Listener listener;
    // Cleared before the entry leaves the list, so a publish that already took
    // a snapshot skips it instead of calling a listener that is going away.
    std::atomic<bool> active{true};
};

using EntryList = std::vector<std::shared_ptr<Entry>>;

} // namespace

struct EventBus::Impl {
    // Guards `entries` only (swap of the copy-on-write list); never held while
    // a listener runs, so listeners may subscribe and unsubscribe.
    std::mutex list_mu;
    std::shared_ptr<const EntryList> entries = std::make_shared<const EntryList>();

    // Held for the whole of a publish: it makes the sequence number and the
    // delivery order one total order (every subscriber sees events in seq
    // order), and lets an unsubscriber wait out a delivery in flight.
    // Recursive because a listener may publish, or drop a subscription, on the
    // publishing thread itself.
    std::recursive_mutex publish_mu;
    uint64_t last_seq = 0;

    std::shared_ptr<const EntryList> snapshot() {
        std::lock_guard lock(list_mu);
        return entries;
    }

    void add(std::shared_ptr<Entry> entry) {
        std::lock_guard lock(list_mu);
        auto next = std::make_shared<EntryList>(*entries);
        next->push_back(std::move(entry));
        entries = std::move(next);
    }

    void remove(const Entry* entry) {
        std::lock_guard lock(list_mu);
        auto next = std::make_shared<EntryList>();
        next->reserve(entries->size());
        for (const auto& e : *entries) {
            if (e.get() != entry)
                next->push_back(e);
        }
        entries = std::move(next);
    }

    class Sub; // nested so that it may name the private Impl
};

class EventBus::Impl::Sub final : public EventBus::Subscription {
  public:
    Sub(std::weak_ptr<EventBus::Impl> bus, std::shared_ptr<Entry> entry)
        : bus_(std::move(bus)), entry_(std::move(entry)) {}

    ~Sub() override {
        entry_->active.store(false);
        auto bus = bus_.lock();
        if (!bus)
            return; // the bus went first: nothing can call the listener any more
        bus->remove(entry_.get());
        // Wait until no publish is delivering: afterwards the listener (and
        // whatever it captured) is never touched again, so the owner may free
        // it as soon as this destructor returns. On the publishing thread the
        // recursive lock succeeds at once, which is what a listener that drops
        // its own subscription needs.
        std::lock_guard wait(bus->publish_mu);
    }

  private:
    std::weak_ptr<EventBus::Impl> bus_;
    std::shared_ptr<Entry> entry_;
};

namespace {

int64_t now_utc_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

EventBus::EventBus() : impl_(std::make_shared<Impl>()) {}

EventBus::~EventBus() = default;

std::unique_ptr<EventBus::Subscription> EventBus::subscribe(std::vector<std::string> topics, Listener listener) {
    if (!listener)
        throw std::invalid_argument("EventBus::subscribe: empty listener");
    auto entry = std::make_shared<Entry>();
    entry->patterns = std::move(topics);
    entry->listener = std::move(listener);
    impl_->add(entry);
    return std::make_unique<Impl::Sub>(impl_, std::move(entry));
}

void EventBus::publish(std::string topic, std::string json) {
    // Subscribers forward the text verbatim inside their own JSON frames, so
    // one malformed publisher would corrupt every client's stream; refuse it
    // here, once, rather than in every subscriber. (The parser also rejects
    // ill-formed UTF-8, which WebSocket text frames must not carry.)
    if (!nlohmann::json::accept(json))
        throw std::invalid_argument("EventBus::publish: event for topic '" + topic + "' is not valid JSON");

    Event event;
    event.topic = std::move(topic);
    event.json = std::move(json);

    std::lock_guard lock(impl_->publish_mu);
    event.seq = ++impl_->last_seq;
    event.ts_ms = now_utc_ms();
    const auto entries = impl_->snapshot();
    for (const auto& entry : *entries) {
        if (!entry->active.load())
            continue;
        for (const auto& pattern : entry->patterns) {
            if (topic_matches(pattern, event.topic)) {
                // Listeners must not throw; if one does anyway, the others
                // still get the event and the publisher is not disturbed.
                try {
                    entry->listener(event);
                } catch (...) {
                }
                break;
            }
        }
    }
}

bool EventBus::topic_matches(const std::string& pattern, const std::string& topic) {
    if (pattern == "*")
        return true;
    // "emag.*" covers "emag.orders" and "emag.orders.sync" but neither "emag"
    // itself nor "emagx.y": the dot is part of the prefix.
    if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
        const std::string_view prefix(pattern.data(), pattern.size() - 1); // keeps the '.'
        return topic.size() > prefix.size() && std::string_view(topic).substr(0, prefix.size()) == prefix;
    }
    return pattern == topic;
}

} // namespace erp::host
