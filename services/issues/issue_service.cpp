#include "issues/issue_service.hpp"

#include <algorithm>
#include <chrono>
#include <regex>
#include <set>

#include "db/transaction.hpp"
#include "issues/deadline.hpp"

namespace lantian::issues {

namespace {

// Phones' clocks drift: a finding stamped a little ahead of the server is still accepted.
constexpr auto kClockSkew = std::chrono::minutes(5);
constexpr size_t kMaxPhotos = 20;
constexpr size_t kMaxText = 4000;

bool Blank(const std::string& s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

bool IsUuid(const std::string& s) {
    static const std::regex kUuid(
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    return std::regex_match(s, kUuid);
}

bool IsSha256(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void CheckPhotos(const std::vector<std::string>& ids, const std::string& field,
                 FieldErrors& errors) {
    if (ids.size() > kMaxPhotos) errors.Add(field, "must list at most 20 photos");
    for (const auto& id : ids) {
        if (!IsSha256(id)) {
            errors.Add(field, "must hold SHA-256 ids of uploaded photos (64 lower-case hex)");
            return;
        }
    }
}

void CheckLocation(const std::optional<GeoPoint>& p, const std::string& field,
                   FieldErrors& errors) {
    if (!p) return;
    if (!(p->lat >= -90 && p->lat <= 90)) errors.Add(field + ".lat", "must be between -90 and 90");
    if (!(p->lon >= -180 && p->lon <= 180)) {
        errors.Add(field + ".lon", "must be between -180 and 180");
    }
}

void CheckFinding(const NewFinding& f, const std::string& at, TimePoint now, FieldErrors& errors) {
    if (!IsUuid(f.client_id)) errors.Add(at + "client_id", "must be a UUID made on the phone");
    if (CategoryLabel(f.category).empty()) errors.Add(at + "category", "is not a known category");
    if (f.severity < 1 || f.severity > 3) errors.Add(at + "severity", "must be 1, 2 or 3");
    if (Blank(f.description)) errors.Add(at + "description", "must not be blank");
    if (f.description.size() > kMaxText) errors.Add(at + "description", "is too long");
    CheckLocation(f.location, at + "location", errors);
    CheckPhotos(f.photo_ids, at + "photo_ids", errors);
    if (f.reported_at > now + kClockSkew) {
        errors.Add(at + "found_at", "lies in the future");
    }
    if (f.fixed_on_spot) {
        if (!f.evidence) {
            errors.Add(at + "evidence", "is required for a finding fixed on the spot");
        } else {
            if (Blank(f.evidence->description)) {
                errors.Add(at + "evidence.description", "must not be blank");
            }
            if (f.evidence->photo_ids.empty()) {
                errors.Add(at + "evidence.photo_ids", "must show the fixed problem");
            }
            CheckPhotos(f.evidence->photo_ids, at + "evidence.photo_ids", errors);
        }
    } else if (f.evidence) {
        errors.Add(at + "evidence", "is only for a finding fixed on the spot");
    }
}

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
        std::vector<std::string> photos = input.finding.photo_ids;
        if (input.finding.evidence) {
            photos.insert(photos.end(), input.finding.evidence->photo_ids.begin(),
                          input.finding.evidence->photo_ids.end());
        }
        RequireAttachments(tx, repos_.issues, photos, "photo_ids");
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
    if (!IsUuid(input.client_id)) errors.Add("client_id", "must be a UUID made on the phone");
    if (input.started_at > now + kClockSkew) errors.Add("started_at", "lies in the future");
    CheckLocation(input.location, "location", errors);
    if (input.notes.size() > kMaxText) errors.Add("notes", "is too long");
    if (input.findings.size() > 50) errors.Add("findings", "must hold at most 50 findings");
    std::set<std::string> client_ids{input.client_id};
    std::vector<std::string> photos;
    for (size_t n = 0; n < input.findings.size(); ++n) {
        const auto& f = input.findings[n];
        const std::string at = "findings[" + std::to_string(n) + "].";
        CheckFinding(f, at, now, errors);
        if (!client_ids.insert(f.client_id).second) {
            errors.Add(at + "client_id", "repeats another client_id of this inspection");
        }
        photos.insert(photos.end(), f.photo_ids.begin(), f.photo_ids.end());
        if (f.evidence) {
            photos.insert(photos.end(), f.evidence->photo_ids.begin(), f.evidence->photo_ids.end());
        }
    }
    errors.ThrowIfAny();
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
    if (!d.confirm && Blank(d.reason)) {
        throw Error::Validation({{"reason", "is required to reject a finding"}});
    }
    if (d.confirm && d.duplicate_of) {
        throw Error::Validation({{"duplicate_of", "is only for a rejection"}});
    }
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
    std::set<long long> co(in.co_unit_ids.begin(), in.co_unit_ids.end());
    if (co.size() != in.co_unit_ids.size() || co.contains(in.lead_unit_id)) {
        throw Error::Validation(
            {{"co_unit_ids", "must be distinct and differ from the lead unit"}});
    }
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
    FieldErrors errors;
    if (Blank(in.description)) errors.Add("description", "must say what was done");
    if (in.description.size() > kMaxText) errors.Add("description", "is too long");
    if (in.photo_ids.empty()) errors.Add("photo_ids", "must show the rectified site");
    CheckPhotos(in.photo_ids, "photo_ids", errors);
    errors.ThrowIfAny();
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
    FieldErrors errors;
    if (!in.accept && Blank(in.comment)) errors.Add("comment", "must say what is still wrong");
    CheckPhotos(in.photo_ids, "photo_ids", errors);
    errors.ThrowIfAny();
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
