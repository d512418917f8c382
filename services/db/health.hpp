#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "db/migrator.hpp"
#include "db/pool.hpp"

namespace lantian::db {

/// Watches the database from a connection of its own, off the worker threads, so that
/// readiness is known without waiting on the database and a database that stops answering
/// is noticed within a bounded time, even when its host still acknowledges TCP (a frozen or
/// overloaded server: neither keepalives nor tcp_user_timeout notice that).
///
/// Every `interval` (or as soon as its connection shows activity, such as a shutdown's
/// goodbye) it reads the schema state; a probe that fails, or is still unanswered after
/// `deadline`, marks the pool unreachable (Pool::SetReachable), which fails waiting and new
/// requests with 503 at once. The first probe that succeeds again marks it reachable.
class HealthMonitor {
public:
    struct Options {
        std::chrono::milliseconds interval{250};
        std::chrono::milliseconds deadline{1000};
    };
    struct State {
        bool known = false;  // a probe has finished
        bool up = false;
        SchemaStatus schema;  // when up
    };

    HealthMonitor(Pool& pool, Options options);
    ~HealthMonitor();
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    void Start();
    void Stop();
    State state() const;

private:
    void ProbeLoop();
    void WatchLoop();
    void Report(bool up, const SchemaStatus& schema);
    /// Waits for the interval, activity on `sock`, or Stop; false on Stop.
    bool Pause(int sock);

    Pool& pool_;
    const Options options_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    State state_;
    bool stopping_ = false;
    std::optional<std::chrono::steady_clock::time_point> probing_since_;
    int probe_socket_ = -1;   // a duplicate of the probe connection's socket while probing
    int wake_[2] = {-1, -1};  // self-pipe: Stop wakes Pause
    std::thread prober_;
    std::thread watchdog_;
};

}  // namespace lantian::db
