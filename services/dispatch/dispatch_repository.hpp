#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// The SQL of the dispatch: set-based, so a city's morning (thousands of issues) is one
/// statement per stage.
class DispatchRepository {
public:
    /// Writes the day's run row, or returns false when it exists. A concurrent claimer of
    /// the same day waits here until the first transaction ends.
    bool ClaimDay(pqxx::transaction_base& tx, const std::string& day, TimePoint now) const;
    /// Assigns every confirmed issue by the routing and deadline rules (tightened by the alert
    /// in force), with assignment rows and audit events. Returns the ids assigned.
    std::vector<long long> AssignConfirmed(pqxx::transaction_base& tx, TimePoint now,
                                           const std::string& request_id) const;
    /// Raises the escalations that have come due, each once per issue and level, and bumps
    /// the issues' escalation level (with audit events). Returns how many were raised.
    int RaiseEscalations(pqxx::transaction_base& tx, const std::string& day, TimePoint now,
                         const std::string& request_id) const;
    /// The bulletin for the day, computed now (and frozen by storing it).
    std::string ComputeBulletin(pqxx::transaction_base& tx, const std::string& day, TimePoint now,
                                const std::string& zone) const;
    void CompleteRun(pqxx::transaction_base& tx, const std::string& day,
                     const std::vector<long long>& assigned, int escalations,
                     const std::string& bulletin) const;

    /// A run; `unit_id` limits the bulletin to that unit's rows (a handler's view).
    std::optional<DispatchRun> Find(pqxx::transaction_base& tx, const std::string& day,
                                    std::optional<long long> unit_id) const;
    std::vector<DispatchRun> List(pqxx::transaction_base& tx, const std::string& from,
                                  const std::string& to, std::optional<long long> unit_id) const;
    std::optional<std::string> LatestDay(pqxx::transaction_base& tx) const;
    /// Sets published_at once; false when it was already published.
    bool Publish(pqxx::transaction_base& tx, const std::string& day, long long user_id,
                 TimePoint now) const;

    std::vector<Escalation> Escalations(pqxx::transaction_base& tx,
                                        const EscalationQuery& query) const;

    std::vector<RoutingRule> RoutingRules(pqxx::transaction_base& tx) const;
    void ReplaceRoutingRules(pqxx::transaction_base& tx,
                             const std::vector<RoutingRule>& rules) const;
    /// Unit ids among `ids` that do not exist or are offices (never assigned work).
    std::vector<long long> UnassignableUnits(pqxx::transaction_base& tx,
                                             const std::vector<long long>& ids) const;

    std::vector<PollutionAlert> Alerts(pqxx::transaction_base& tx, std::optional<TimePoint> from,
                                       std::optional<TimePoint> to) const;
    PollutionAlert InsertAlert(pqxx::transaction_base& tx, const PollutionAlert& alert) const;
};

}  // namespace lantian::dispatch
