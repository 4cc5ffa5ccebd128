#include "monitor/webhook.hpp"

#include <cpprest/http_client.h>

namespace erp::emag {

std::string redacted_url(const std::string& url) {
    std::string out = url.substr(0, url.find_first_of("?#"));
    const auto scheme = out.find("://");
    const auto at = out.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    const auto slash = out.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos && at != std::string::npos && (slash == std::string::npos || at < slash)) {
        out = out.substr(0, scheme + 3) + out.substr(at + 1); // user:password@ removed
    }
    return out;
}

WebhookSender::WebhookSender(WebhookOptions options, std::function<void(const std::string&)> warn)
    : options_(std::move(options)), warn_(std::move(warn)) {
    worker_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

void WebhookSender::post(std::string json_body) {
    {
        std::lock_guard lock(mu_);
        if (queue_.size() >= options_.max_queue) {
            queue_.pop_front();
            ++stats_.dropped;
        }
        queue_.push_back(std::move(json_body));
    }
    cv_.notify_all();
}

WebhookStats WebhookSender::stats() const {
    std::lock_guard lock(mu_);
    WebhookStats s = stats_;
    s.queued = queue_.size();
    return s;
}

bool WebhookSender::send(const std::string& body, std::string& error) {
    try {
        web::http::client::http_client_config config;
        config.set_timeout(options_.timeout);
        web::http::client::http_client client(utility::conversions::to_string_t(options_.url), config);
        web::http::http_request req(web::http::methods::POST);
        req.headers().set_content_type("application/json");
        req.set_body(body, "application/json");
        const auto response = client.request(req).get();
        const auto status = response.status_code();
        if (status >= 200 && status < 300) {
            return true;
        }
        error = "HTTP " + std::to_string(status);
    } catch (const std::exception& e) {
        error = e.what();
    }
    return false;
}

void WebhookSender::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) {
            return;
        }
        std::string body = std::move(queue_.front());
        queue_.pop_front();
        std::string error;
        for (std::size_t attempt = 0;; ++attempt) {
            lock.unlock();
            const bool ok = send(body, error);
            lock.lock();
            if (ok) {
                ++stats_.delivered;
                break;
            }
            ++stats_.attempts_failed;
            if (attempt >= options_.retry_delays.size()) {
                ++stats_.given_up;
                const std::string message = "alert webhook " + redacted_url(options_.url) + ": gave up after " +
                                            std::to_string(attempt + 1) + " attempt(s): " + error;
                lock.unlock();
                if (warn_) {
                    warn_(message);
                }
                lock.lock();
                break;
            }
            if (cv_.wait_for(lock, options_.retry_delays[attempt], [&] { return stopping_; })) {
                return;
            }
        }
    }
}

} // namespace erp::emag
