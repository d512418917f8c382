#pragma once

#include <chrono>
#include <mutex>

namespace lantian {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

/// Where "now" comes from. Injected so that tests (and the dispatch) control time.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint Now() const override {
        return std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
    }
};

/// A clock that says what it is told: `lantian dispatch --now`, rehearsals and tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint t = {}) : now_(t) {}
    TimePoint Now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void Set(TimePoint t) {
        std::lock_guard lock(mutex_);
        now_ = t;
    }

private:
    mutable std::mutex mutex_;
    TimePoint now_;
};

}  // namespace lantian
