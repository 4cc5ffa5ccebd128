// One thread that runs the tasks given to it, one at a time, in the order
// given: a sync hands it each page's store_batch so that storing a page
// overlaps with reading and typing the next (on two cores that is most of
// the difference between 10,000 and 20,000 orders/s), while the pages still
// commit in page order, which the cursor relies on.
//
// submit() returns a future for the task's result (or its exception). The
// destructor runs what was submitted, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

namespace erp::emag {

class SerialWorker {
  public:
    SerialWorker() : thread_([this] { run(); }) {}
    ~SerialWorker() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    SerialWorker(const SerialWorker&) = delete;
    SerialWorker& operator=(const SerialWorker&) = delete;

    template <class F>
    auto submit(F f) -> std::future<std::invoke_result_t<F&>> {
        using R = std::invoke_result_t<F&>;
        // shared: std::function needs a copyable callable.
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
        std::future<R> result = task->get_future();
        {
            const std::lock_guard lock(mutex_);
            queue_.emplace_back([task] { (*task)(); });
        }
        cv_.notify_one();
        return result;
    }

  private:
    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) {
                return; // stopping, all done
            }
            std::function<void()> task = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            task(); // packaged_task: an exception goes to the future
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stop_ = false;
    std::thread thread_; // last: starts after the members it uses
};

} // namespace erp::emag
