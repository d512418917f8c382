#pragma once

#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "issues/issue.hpp"

namespace lantian::issues {

/// The result of walking the whole chain.
struct AuditVerification {
    long long events = 0;
    /// The first event that does not match (its content, its link, or its place), if any.
    std::optional<long long> first_bad_seq;
    std::string problem;
};

/// The append-only audit trail. The database assigns each event its place in the chain and
/// its hashes (trigger issue_events_chain); this class only appends and reads.
class AuditRepository {
public:
    void Append(pqxx::transaction_base& tx, long long issue_id, const Actor& actor, TimePoint at,
                const std::string& action, const std::optional<std::string>& before_json,
                const std::string& after_json) const;
    std::vector<IssueEvent> ForIssue(pqxx::transaction_base& tx, long long issue_id) const;
    /// Recomputes every event's hash and link, in order.
    AuditVerification Verify(pqxx::connection& conn) const;
};

}  // namespace lantian::issues
