#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "db/pool.hpp"
#include "issues/audit_repository.hpp"
#include "issues/idempotency_repository.hpp"
#include "issues/inspection_repository.hpp"
#include "issues/issue.hpp"
#include "issues/issue_repository.hpp"
#include "issues/lifecycle.hpp"
#include "issues/rules_repository.hpp"

namespace lantian::issues {

struct TriageDecision {
    bool confirm = true;
    std::string reason;
    std::optional<long long> duplicate_of;  // a rejection as a duplicate of this issue
};

struct AssignmentInput {
    long long lead_unit_id = 0;
    std::vector<long long> co_unit_ids;
    std::optional<TimePoint> due_at;  // from the deadline rules when absent
};

struct RectificationInput {
    std::string description;
    std::vector<std::string> photo_ids;
};

struct VerificationInput {
    bool accept = true;
    std::string comment;
    std::vector<std::string> photo_ids;
    std::optional<TimePoint> due_at;  // a return's new deadline; from the rules when absent
};

/// Repositories the issue service writes through, in one place for its constructor.
struct IssueRepositories {
    const IssueRepository& issues;
    const InspectionRepository& inspections;
    const AuditRepository& audit;
    const IdempotencyRepository& idempotency;
    const RulesRepository& rules;
};

/// The ledger's rules: creation (idempotent, evidence checked), the lifecycle, scope, and one
/// audit event per state change in the same transaction.
class IssueService {
public:
    template <typename T>
    using Render = std::function<StoredResponse(const T&)>;

    IssueService(db::Pool& pool, const Clock& clock, IssueRepositories repositories)
        : pool_(pool), clock_(clock), repos_(repositories) {}

    /// Records one finding as an issue. With a key, a retry replays the first answer.
    StoredResponse Report(const NewIssue& issue, const Actor& actor,
                          const std::optional<IdempotencyKey>& key, const Render<Issue>& render,
                          const FieldErrors& input_errors = {});
    /// Records an inspection with its findings, one issue each, all or nothing.
    StoredResponse Inspect(const NewInspection& inspection, const Actor& actor,
                           const std::optional<IdempotencyKey>& key,
                           const Render<Inspection>& render, const FieldErrors& input_errors = {});

    Issue Get(long long id, const Actor& actor);
    std::vector<Issue> List(const IssueQuery& query, const Actor& actor);
    std::vector<IssueEvent> Events(long long id, const Actor& actor);

    Issue Triage(long long id, int version, const TriageDecision& decision, const Actor& actor);
    Issue Assign(long long id, int version, const AssignmentInput& input, const Actor& actor);
    Issue Rectify(long long id, int version, const RectificationInput& input, const Actor& actor);
    Issue Verify(long long id, int version, const VerificationInput& input, const Actor& actor);

    std::vector<DeadlineRule> DeadlineRules();
    std::vector<DeadlineRule> ReplaceDeadlineRules(const std::vector<DeadlineRule>& rules);

    TimePoint Now() const { return clock_.Now(); }

private:
    /// 422 `missing_attachments` listing every photo id among `ids` that names no upload.
    void RequireAttachments(pqxx::transaction_base& tx, const std::vector<std::string>& ids,
                            const std::string& field, const Actor& actor) const;
    Issue NewIssueRow(pqxx::transaction_base& tx, const NewFinding& finding, long long site_id,
                      const std::string& source, std::optional<long long> inspection_id,
                      const Actor& actor, TimePoint now) const;
    /// Runs `step` on the locked issue after the scope, version and transition checks, then
    /// writes it and its audit event.
    Issue TakeStep(long long id, int version, Step step, const Actor& actor,
                   const std::function<void(pqxx::transaction_base&, Issue&, TimePoint)>& apply);

    db::Pool& pool_;
    const Clock& clock_;
    IssueRepositories repos_;
};

}  // namespace lantian::issues
