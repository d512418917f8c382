#pragma once

#include "dispatch/alert_repository.hpp"
#include "dispatch/dispatch_run_repository.hpp"
#include "dispatch/escalation_repository.hpp"
#include "dispatch/routing_rule_repository.hpp"

namespace lantian::dispatch {

/// The SQL of the dispatch: set-based, so a city's morning (thousands of issues) is one
/// statement per stage. One object for the service and the tests; each domain's SQL lives in
/// its own repository: the run and its bulletin (dispatch_run_repository), routing and
/// assignment (routing_rule_repository), the escalation ladder (escalation_repository) and
/// the pollution alerts (alert_repository).
class DispatchRepository : public DispatchRunRepository,
                           public RoutingRuleRepository,
                           public EscalationRepository,
                           public AlertRepository {};

}  // namespace lantian::dispatch
