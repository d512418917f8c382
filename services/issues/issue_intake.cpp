#include "db/transaction.hpp"
#include "issues/finding_rules.hpp"
#include "issues/issue_service.hpp"

namespace lantian::issues {

// Findings coming in: a single issue (Report) or an inspection with its findings (Inspect),
// idempotent, their photos uploaded first, one audit event per new issue.

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
        RequireAttachments(tx, PhotosOf(input.finding), "photo_ids", actor);
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
        RequireAttachments(tx, photos, "findings.photo_ids", actor);
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

}  // namespace lantian::issues
