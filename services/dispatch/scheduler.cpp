#include "dispatch/scheduler.hpp"

#include "common/log.hpp"
#include "common/time.hpp"

namespace lantian::dispatch {

std::vector<std::string> DaysDue(TimePoint now, int dispatch_minute,
                                 const std::optional<std::string>& latest_run_day, bool starting) {
    std::vector<std::string> days;
    const std::string today = DistrictDate(now);
    const std::string yesterday = DistrictDate(now - std::chrono::hours(24));
    // Catch up yesterday's run once, on start, when the service was running before (there
    // is an older run) but not at yesterday's dispatch time.
    if (starting && latest_run_day && *latest_run_day < yesterday) days.push_back(yesterday);
    if (DistrictMinuteOfDay(now) >= dispatch_minute && latest_run_day != today) {
        days.push_back(today);
    }
    return days;
}

Scheduler::Scheduler(DispatchService& service, const Clock& clock, int dispatch_minute,
                     std::chrono::seconds check_every)
    : service_(service),
      clock_(clock),
      dispatch_minute_(dispatch_minute),
      check_every_(check_every) {}

Scheduler::~Scheduler() {
    Stop();
}

void Scheduler::Start() {
    thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool Scheduler::Tick(bool starting) {
    auto log = log::Get("dispatch");
    try {
        for (const auto& day :
             DaysDue(clock_.Now(), dispatch_minute_, service_.LatestDay(), starting)) {
            const DispatchRun run = service_.Run(day, "scheduler:" + day);
            if (run.created) {
                log::Info(*log, log::Line("dispatch ran")
                                    .Str("day", day)
                                    .Int("assigned", run.assigned_count)
                                    .Int("escalations", run.escalation_count));
            }
        }
        return true;
    } catch (const std::exception& e) {
        // The database may be away; the next tick tries again.
        log::Warn(*log, log::Line("dispatch check failed").Str("error", e.what()));
        return false;
    }
}

void Scheduler::Loop() {
    bool starting = true;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        // Catching up a missed day happens on the first check that reaches the database.
        if (Tick(starting)) starting = false;
        lock.lock();
        wake_.wait_for(lock, check_every_, [this] { return stopping_; });
    }
}

}  // namespace lantian::dispatch
