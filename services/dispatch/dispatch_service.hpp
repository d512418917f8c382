#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "db/pool.hpp"
#include "dispatch/dispatch.hpp"
#include "dispatch/dispatch_repository.hpp"

namespace lantian::dispatch {

/// The daily dispatch: one entry point for the scheduler, the API and the command line.
class DispatchService {
public:
    DispatchService(db::Pool& pool, const Clock& clock, const DispatchRepository& repository)
        : pool_(pool), clock_(clock), repository_(repository) {}

    /// Runs the dispatch for an Asia/Shanghai day exactly once: assignments, escalations and
    /// the frozen bulletin in one transaction with the day's run row. A second call for the
    /// day (another replica, a retry, a manual trigger) returns the existing run unchanged.
    DispatchRun Run(const std::string& day, const std::string& request_id);

    DispatchRun Get(const std::string& day, const Actor& actor);
    std::vector<DispatchRun> List(const std::string& from, const std::string& to,
                                  const Actor& actor);
    DispatchRun Publish(const std::string& day, const Actor& actor);
    std::optional<std::string> LatestDay();

    std::vector<Escalation> Escalations(EscalationQuery query, const Actor& actor);

    std::vector<RoutingRule> RoutingRules();
    std::vector<RoutingRule> ReplaceRoutingRules(const std::vector<RoutingRule>& rules);

    std::vector<PollutionAlert> Alerts(std::optional<TimePoint> from, std::optional<TimePoint> to);
    PollutionAlert DeclareAlert(const PollutionAlert& alert, const Actor& actor);

    TimePoint Now() const { return clock_.Now(); }

private:
    db::Pool& pool_;
    const Clock& clock_;
    const DispatchRepository& repository_;
};

}  // namespace lantian::dispatch
