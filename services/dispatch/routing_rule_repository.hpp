#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// Where confirmed issues go: the routing rules and the set-based assignment that applies them.
class RoutingRuleRepository {
public:
    /// Assigns every confirmed issue by the routing and deadline rules (tightened by the alert
    /// in force), with assignment rows and audit events. Returns the ids assigned.
    std::vector<long long> AssignConfirmed(pqxx::transaction_base& tx, TimePoint now,
                                           const std::string& request_id) const;

    std::vector<RoutingRule> RoutingRules(pqxx::transaction_base& tx) const;
    void ReplaceRoutingRules(pqxx::transaction_base& tx,
                             const std::vector<RoutingRule>& rules) const;
    /// Unit ids among `ids` that do not exist or are offices (never assigned work).
    std::vector<long long> UnassignableUnits(pqxx::transaction_base& tx,
                                             const std::vector<long long>& ids) const;
};

}  // namespace lantian::dispatch
