#include "db/transaction.hpp"
#include "issues/finding_rules.hpp"
#include "issues/issue_service.hpp"

namespace lantian::issues {

namespace {

Error Stale(long long id, int current) {
    return Error(ErrorCode::kAborted, "precondition_failed",
                 "issue " + std::to_string(id) + " has changed (now version " +
                     std::to_string(current) + "); reload it");
}

}  // namespace

// The workflow steps of DOMAIN.md's lifecycle: triage, assignment, rectification,
// verification; each on the locked row, ETag-checked, audited in the same transaction.

Issue IssueService::TakeStep(
    long long id, int version, Step step, const Actor& actor,
    const std::function<void(pqxx::transaction_base&, Issue&, TimePoint)>& apply) {
    if (!RoleMayTake(actor.role, step)) {
        throw Error(ErrorCode::kPermissionDenied, "forbidden",
                    "role \"" + std::string(RoleName(actor.role)) + "\" may not " +
                        std::string(StepName(step)) + " issues");
    }
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const TimePoint now = clock_.Now();
        // The row lock makes a concurrent step wait, then see the new version (412).
        auto current = repos_.issues.FindForUpdate(tx, id);
        if (!current || !repos_.issues.Visible(tx, id, actor.visibility))
            throw Error::NotFound("issue");
        if (current->version != version) throw Stale(id, current->version);
        Issue next = *current;
        next.status = RequireTransition(current->status, step);
        next.updated_at = now;
        apply(tx, next, now);
        const std::string before = repos_.issues.Snapshot(tx, id);
        auto updated = repos_.issues.Update(tx, next, version);
        if (!updated) throw Stale(id, current->version + 1);
        repos_.audit.Append(tx, id, actor, now, std::string(StepName(step)), before,
                            repos_.issues.Snapshot(tx, id));
        return *updated;
    });
}

Issue IssueService::Triage(long long id, int version, const TriageDecision& d, const Actor& actor) {
    CheckTriage(d.confirm, d.reason, d.duplicate_of.has_value());
    const Step step = d.confirm ? Step::kConfirm : Step::kReject;
    return TakeStep(id, version, step, actor, [&](pqxx::transaction_base& tx, Issue& i, TimePoint) {
        if (d.confirm) return;
        i.rejection_reason = d.reason;
        i.rejection_kind = d.duplicate_of ? "duplicate" : "invalid";
        if (d.duplicate_of) {
            if (*d.duplicate_of == i.id || !repos_.issues.Find(tx, *d.duplicate_of)) {
                throw Error::Validation({{"duplicate_of", "names no other issue"}});
            }
            i.duplicate_of = d.duplicate_of;
        }
    });
}

Issue IssueService::Assign(long long id, int version, const AssignmentInput& in,
                           const Actor& actor) {
    CheckUnits(in.lead_unit_id, in.co_unit_ids);
    return TakeStep(
        id, version, Step::kAssign, actor,
        [&](pqxx::transaction_base& tx, Issue& i, TimePoint now) {
            std::vector<long long> units = in.co_unit_ids;
            units.push_back(in.lead_unit_id);
            if (const auto bad = repos_.issues.UnassignableUnits(tx, units); !bad.empty()) {
                throw Error::Validation({{"lead_unit_id", "units must exist and not be offices (" +
                                                              std::to_string(bad.front()) + ")"}});
            }
            const int hours = repos_.rules.DeadlineHours(tx, i.category, i.severity, now);
            if (in.due_at && *in.due_at <= now) {
                throw Error::Validation({{"due_at", "must lie in the future"}});
            }
            i.lead_unit_id = in.lead_unit_id;
            i.co_unit_ids = in.co_unit_ids;
            i.assigned_at = now;
            i.due_at = in.due_at.value_or(AddHours(now, hours));
            repos_.issues.OpenAssignment(tx, i, actor.user_id);
        });
}

Issue IssueService::Rectify(long long id, int version, const RectificationInput& in,
                            const Actor& actor) {
    CheckRectification(in.description, in.photo_ids);
    return TakeStep(id, version, Step::kSubmit, actor,
                    [&](pqxx::transaction_base& tx, Issue& i, TimePoint now) {
                        if (i.lead_unit_id != actor.unit_id) {
                            throw Error(ErrorCode::kPermissionDenied, "not_lead_unit",
                                        "only the lead unit's handler submits the rectification");
                        }
                        RequireAttachments(tx, in.photo_ids, "photo_ids", actor);
                        i.submitted_at = now;
                        repos_.issues.RecordSubmission(tx, i.id, now);
                        i.rectification = in.description;
                        i.rectification_photo_ids = in.photo_ids;
                    });
}

Issue IssueService::Verify(long long id, int version, const VerificationInput& in,
                           const Actor& actor) {
    CheckVerification(in.accept, in.comment, in.photo_ids);
    const Step step = in.accept ? Step::kAccept : Step::kReturn;
    return TakeStep(
        id, version, step, actor, [&](pqxx::transaction_base& tx, Issue& i, TimePoint now) {
            RequireAttachments(tx, in.photo_ids, "photo_ids", actor);
            i.verification_comment = in.comment;
            i.verification_photo_ids = in.photo_ids;
            if (in.accept) {
                i.closed_at = now;
                repos_.issues.EndAssignment(tx, i.id, now, "closed");
                return;
            }
            if (in.due_at && *in.due_at <= now) {
                throw Error::Validation({{"due_at", "must lie in the future"}});
            }
            const int hours = repos_.rules.DeadlineHours(tx, i.category, i.severity, now);
            repos_.issues.EndAssignment(tx, i.id, now, "returned");
            i.return_count += 1;
            i.assigned_at = now;
            i.due_at = in.due_at.value_or(AddHours(now, hours));
            i.submitted_at.reset();
            repos_.issues.OpenAssignment(tx, i, actor.user_id);
        });
}

}  // namespace lantian::issues
