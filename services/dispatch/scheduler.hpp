#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "dispatch/dispatch_service.hpp"

namespace lantian::dispatch {

/// The days a scheduler should run at `now`, given the dispatch time (minutes after district
/// midnight) and the latest day that has a run: today once its time has come, and yesterday
/// when the service was down at yesterday's time (caught up once, on start).
std::vector<std::string> DaysDue(TimePoint now, int dispatch_minute,
                                 const std::optional<std::string>& latest_run_day, bool starting);

/// Runs the dispatch every morning at the configured time. Several replicas may each run one:
/// the run itself is exactly once per day.
class Scheduler {
public:
    Scheduler(DispatchService& service, const Clock& clock, int dispatch_minute,
              std::chrono::seconds check_every);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    void Start();
    void Stop();

private:
    void Loop();
    /// False when the check could not be made (the database away).
    bool Tick(bool starting);

    DispatchService& service_;
    const Clock& clock_;
    const int dispatch_minute_;
    const std::chrono::seconds check_every_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace lantian::dispatch
