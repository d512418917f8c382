#pragma once

#include <chrono>

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

}  // namespace lantian
