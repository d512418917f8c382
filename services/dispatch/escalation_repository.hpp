#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// The escalation ladder: raising what has come due, and the list of what was raised.
class EscalationRepository {
public:
    /// Locks, in id order, the issues that may be due for an escalation at `now` (overdue, or
    /// returned twice) and returns their ids (see RoutingRuleRepository::LockConfirmed).
    std::vector<long long> LockCandidates(pqxx::transaction_base& tx, TimePoint now) const;
    /// Raises the escalations that have come due among the locked `candidates`, each once per
    /// issue and level, and bumps the issues' escalation level (with audit events). Returns how
    /// many were raised.
    int RaiseEscalations(pqxx::transaction_base& tx, const std::string& day, TimePoint now,
                         const std::string& request_id,
                         const std::vector<long long>& candidates) const;

    std::vector<Escalation> Escalations(pqxx::transaction_base& tx,
                                        const EscalationQuery& query) const;
};

}  // namespace lantian::dispatch
