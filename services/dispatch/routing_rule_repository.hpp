#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// Where confirmed issues go: the routing rules and the set-based assignment that applies them.
class RoutingRuleRepository {
public:
    /// Locks every confirmed issue, in id order, and returns their ids. The dispatch takes all
    /// its issue locks (this and EscalationRepository::LockCandidates) before it writes
    /// anything, so that it locks in a workflow step's order: issues, then the audit chain.
    std::vector<long long> LockConfirmed(pqxx::transaction_base& tx) const;
    /// Assigns the locked confirmed issues `ids` by the routing and deadline rules (tightened
    /// by the alert in force), with assignment rows and audit events. Returns the ids assigned.
    std::vector<long long> AssignConfirmed(pqxx::transaction_base& tx, TimePoint now,
                                           const std::string& request_id,
                                           const std::vector<long long>& ids) const;

    std::vector<RoutingRule> RoutingRules(pqxx::transaction_base& tx) const;
    void ReplaceRoutingRules(pqxx::transaction_base& tx,
                             const std::vector<RoutingRule>& rules) const;
    /// Unit ids among `ids` that do not exist or are offices (never assigned work).
    std::vector<long long> UnassignableUnits(pqxx::transaction_base& tx,
                                             const std::vector<long long>& ids) const;
};

}  // namespace lantian::dispatch
