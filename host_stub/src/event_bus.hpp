// EventBus: the host's live event feed, fan-out by topic to /ws subscribers.
//
// publish() never blocks on a subscriber: each subscriber has a bounded queue
// and drops its oldest events when full (it is told how many it missed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace erp::host {

struct Event {
    std::string topic;
    std::string json;  // one JSON value, as published
    int64_t ts_ms = 0; // host time of publication, UTC epoch milliseconds
    uint64_t seq = 0;  // bus-wide sequence number, increasing
};

class EventBus {
  public:
    // Called on the publisher's thread; must be quick and must not throw.
    using Listener = std::function<void(const Event&)>;

    class Subscription {
      public:
        virtual ~Subscription() = default; // unsubscribes
    };

    EventBus();
    ~EventBus();
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // A subscriber receives events whose topic equals one of `topics`, or
    // starts with a prefix given as "prefix.*"; "*" matches everything.
    [[nodiscard]] std::unique_ptr<Subscription> subscribe(std::vector<std::string> topics, Listener listener);
    void publish(std::string topic, std::string json);

    static bool topic_matches(const std::string& pattern, const std::string& topic);

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace erp::host
