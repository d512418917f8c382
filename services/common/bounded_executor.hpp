#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lantian {

/// A small dedicated thread pool with a bounded queue, for CPU-heavy work that must not occupy
/// the request workers (password hashing). `TryPost` never blocks: when `capacity` tasks are
/// already waiting it refuses, and the caller answers "busy" at once. The threads run at a
/// lower scheduling priority (`nice`, 0 = unchanged), so that on a small machine a burst of
/// such work slows down behind the requests instead of the requests behind it. The destructor
/// runs what is still queued, then joins.
class BoundedExecutor {
public:
    BoundedExecutor(int threads, std::size_t capacity, int nice = 0);
    ~BoundedExecutor();
    BoundedExecutor(const BoundedExecutor&) = delete;
    BoundedExecutor& operator=(const BoundedExecutor&) = delete;

    /// Queues `task`; false (and `task` dropped) when the queue is full.
    bool TryPost(std::function<void()> task);

    std::size_t capacity() const { return capacity_; }
    int threads() const { return static_cast<int>(threads_.size()); }

private:
    void Run(int nice);

    const std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace lantian
