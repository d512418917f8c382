#include "issues/issue_service.hpp"

#include "db/transaction.hpp"
#include "issues/deadline.hpp"
#include "issues/finding_rules.hpp"

namespace lantian::issues {

// The reads of the ledger, the photos a change cites, and the deadline table. Creation is in
// issue_intake.cpp, the workflow steps in issue_steps.cpp.

void IssueService::RequireAttachments(pqxx::transaction_base& tx,
                                      const std::vector<std::string>& ids, const std::string& field,
                                      const Actor& actor) const {
    const auto missing = repos_.issues.MissingAttachments(tx, ids, actor.user_id, actor.visibility);
    if (missing.empty()) return;
    std::vector<FieldError> errors;
    for (const auto& id : missing) errors.push_back({field, "no uploaded photo " + id});
    throw Error(ErrorCode::kValidation, "missing_attachments",
                std::to_string(missing.size()) + " photo(s) were not uploaded first",
                std::move(errors));
}

Issue IssueService::Get(long long id, const Actor& actor) {
    auto issue = db::Read(pool_, [&](pqxx::transaction_base& tx) -> std::optional<Issue> {
        if (!repos_.issues.Visible(tx, id, actor.visibility)) return std::nullopt;
        return repos_.issues.Find(tx, id);
    });
    if (!issue) throw Error::NotFound("issue");
    return *issue;
}

std::vector<Issue> IssueService::List(const IssueQuery& query, const Actor& actor) {
    const TimePoint now = clock_.Now();
    return db::Read(pool_, [&](pqxx::transaction_base& tx) {
        return repos_.issues.List(tx, query, actor.visibility, now);
    });
}

std::vector<IssueEvent> IssueService::Events(long long id, const Actor& actor) {
    auto events = db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) -> std::optional<std::vector<IssueEvent>> {
            if (!repos_.issues.Visible(tx, id, actor.visibility)) return std::nullopt;
            return repos_.audit.ForIssue(tx, id);
        });
    if (!events) throw Error::NotFound("issue");
    return *events;
}

std::vector<DeadlineRule> IssueService::DeadlineRules() {
    return db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return repos_.rules.DeadlineRules(tx); });
}

std::vector<DeadlineRule> IssueService::ReplaceDeadlineRules(
    const std::vector<DeadlineRule>& rules) {
    ValidateDeadlineRules(rules);
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        repos_.rules.ReplaceDeadlineRules(tx, rules);
        return repos_.rules.DeadlineRules(tx);
    });
}

}  // namespace lantian::issues
