#include "common/bounded_executor.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace lantian {

BoundedExecutor::BoundedExecutor(int threads, std::size_t capacity, int nice)
    : capacity_(std::max<std::size_t>(1, capacity)) {
    const int n = std::max(1, threads);
    threads_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this, nice] { Run(nice); });
}

BoundedExecutor::~BoundedExecutor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

bool BoundedExecutor::TryPost(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= capacity_) return false;
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
}

void BoundedExecutor::Run(int nice) {
    // On Linux a nice value is per thread (a thread is a task): this lowers only this one.
    // Raising it needs no privilege; a failure only leaves the default priority.
    if (nice != 0) (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to run
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

}  // namespace lantian
