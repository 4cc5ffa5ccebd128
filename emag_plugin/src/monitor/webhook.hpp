// Posts alert events as JSON to the admin's webhook URL, off the caller's
// thread: post() only queues (bounded; when full the oldest event is
// dropped and counted), a worker thread sends with a timeout and retries
// after the configured delays. A dead or slow webhook therefore never
// blocks a sync or the monitor. cpprestsdk stays inside webhook.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace erp::emag {

struct WebhookOptions {
    std::string url;
    std::chrono::milliseconds timeout{5000};
    std::vector<std::chrono::milliseconds> retry_delays{std::chrono::seconds(1), std::chrono::seconds(5),
                                                        std::chrono::seconds(30)};
    std::size_t max_queue = 1000;
};

struct WebhookStats {
    std::uint64_t delivered = 0; // answered 2xx
    std::uint64_t attempts_failed = 0;
    std::uint64_t given_up = 0; // every retry failed
    std::uint64_t dropped = 0;  // the queue was full
    std::size_t queued = 0;
};

class WebhookSender {
  public:
    // `warn` reports a delivery given up (never the URL's query or the body).
    WebhookSender(WebhookOptions options, std::function<void(const std::string&)> warn);
    ~WebhookSender(); // stops at once: a retry wait ends, a request in flight is abandoned
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    void post(std::string json_body);
    WebhookStats stats() const;

  private:
    void run();
    // One POST; true on a 2xx answer. `error` says why not.
    bool send(const std::string& body, std::string& error);

    WebhookOptions options_;
    std::function<void(const std::string&)> warn_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    WebhookStats stats_;
    std::thread worker_;
};

// The URL without its query and credentials, for messages.
std::string redacted_url(const std::string& url);

} // namespace erp::emag
