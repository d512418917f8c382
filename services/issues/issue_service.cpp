#include "issues/issue_service.hpp"

#include <algorithm>

#include "db/transaction.hpp"
#include "issues/deadline.hpp"
#include "issues/finding_rules.hpp"

namespace lantian::issues {

namespace {

/// 422 listing every photo id that names no uploaded attachment.
void RequireAttachments(pqxx::transaction_base& tx, const IssueRepository& issues,
                        const std::vector<std::string>& ids, const std::string& field) {
    const auto missing = issues.MissingAttachments(tx, ids);
    if (missing.empty()) return;
    std::vector<FieldError> errors;
    for (const auto& id : missing) errors.push_back({field, "no uploaded photo " + id});
    throw Error(ErrorCode::kValidation, "missing_attachments",
                std::to_string(missing.size()) + " photo(s) were not uploaded first",
                std::move(errors));
}

Error Stale(long long id, int current) {
    return Error(ErrorCode::kAborted, "precondition_failed",
                 "issue " + std::to_string(id) + " has changed (now version " +
                     std::to_string(current) + "); reload it");
}

}  // namespace

Issue IssueService::NewIssueRow(pqxx::transaction_base& tx, const NewFinding& f, long long site_id,
                                const std::string& source, std::optional<long long> inspection_id,
                                const Actor& actor, TimePoint now) const {
    const auto site = repos_.issues.FindSite(tx, site_id);
    if (!site) throw Error::Validation({{"site_id", "names no site"}});
    Issue i;
    i.client_id = f.client_id;
    i.inspection_id = inspection_id;
    i.site_id = site_id;
    i.subdistrict_id = site->subdistrict_id;
    i.site_kind = site->kind;
    i.category = f.category;
    i.severity = f.severity;
    i.description = f.description;
    i.location = f.location;
    i.photo_ids = f.photo_ids;
    i.source = source;
    i.reported_by = actor.user_id;
    i.reported_at = f.reported_at;
    i.received_at = now;
    i.status = "reported";
    if (f.fixed_on_spot) {
        // Fixed on the spot (当场整改): it arrives rectified, owned by its territory, awaiting
        // the supervision bureau's verification.
        i.fixed_on_spot = true;
        i.status = "submitted";
        i.lead_unit_id = site->subdistrict_id;
        i.assigned_at = now;
        i.due_at = now;
        i.submitted_at = now;
        i.rectification = f.evidence->description;
        i.rectification_photo_ids = f.evidence->photo_ids;
    }
    return i;
}

StoredResponse IssueService::Report(const NewIssue& input, const Actor& actor,
                                    const std::optional<IdempotencyKey>& key,
                                    const Render<Issue>& render, const FieldErrors& input_errors) {
    const TimePoint now = clock_.Now();
    FieldErrors errors = input_errors;
    CheckFinding(input.finding, "", now, errors);
    if (SourceLabel(input.source).empty()) errors.Add("source", "is not a known source");
    errors.ThrowIfAny();
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        if (key) {
            if (auto stored = repos_.idempotency.Claim(tx, *key)) return *stored;
        }
        RequireAttachments(tx, repos_.issues, PhotosOf(input.finding), "photo_ids");
        Issue row =
            NewIssueRow(tx, input.finding, input.site_id, input.source, std::nullopt, actor, now);
        const Issue issue = repos_.issues.Insert(tx, row);
        if (issue.lead_unit_id) repos_.issues.OpenAssignment(tx, issue, actor.user_id);
        repos_.audit.Append(tx, issue.id, actor, now,
                            issue.fixed_on_spot ? "report_fixed" : "report", std::nullopt,
                            repos_.issues.Snapshot(tx, issue.id));
        StoredResponse response = render(issue);
        if (key) repos_.idempotency.Complete(tx, *key, response);
        return response;
    });
}

StoredResponse IssueService::Inspect(const NewInspection& input, const Actor& actor,
                                     const std::optional<IdempotencyKey>& key,
                                     const Render<Inspection>& render,
                                     const FieldErrors& input_errors) {
    const TimePoint now = clock_.Now();
    FieldErrors errors = input_errors;
    CheckInspection(input, now, errors);
    errors.ThrowIfAny();
    std::vector<std::string> photos;
    for (const auto& f : input.findings) {
        const auto cited = PhotosOf(f);
        photos.insert(photos.end(), cited.begin(), cited.end());
    }
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        if (key) {
            if (auto stored = repos_.idempotency.Claim(tx, *key)) return *stored;
        }
        RequireAttachments(tx, repos_.issues, photos, "findings.photo_ids");
        if (!repos_.issues.FindSite(tx, input.site_id)) {
            throw Error::Validation({{"site_id", "names no site"}});
        }
        Inspection inspection = repos_.inspections.Insert(tx, input, actor.user_id, now);
        for (const auto& f : input.findings) {
            Issue row = NewIssueRow(tx, f, input.site_id, "patrol", inspection.id, actor, now);
            const Issue issue = repos_.issues.Insert(tx, row);
            if (issue.lead_unit_id) repos_.issues.OpenAssignment(tx, issue, actor.user_id);
            repos_.audit.Append(tx, issue.id, actor, now,
                                issue.fixed_on_spot ? "report_fixed" : "report", std::nullopt,
                                repos_.issues.Snapshot(tx, issue.id));
            inspection.issues.push_back(issue);
        }
        StoredResponse response = render(inspection);
        if (key) repos_.idempotency.Complete(tx, *key, response);
        return response;
    });
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
                        RequireAttachments(tx, repos_.issues, in.photo_ids, "photo_ids");
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
            RequireAttachments(tx, repos_.issues, in.photo_ids, "photo_ids");
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
