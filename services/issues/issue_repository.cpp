#include "issues/issue_repository.hpp"

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "issues/photo_access.hpp"

namespace lantian::issues {

namespace {

using db::SplitIds;
using db::SplitStrings;
using db::ToArrayLiteral;

// Read by name (FromRow): every column has the name of its field.
constexpr const char* kColumns =
    " i.id, i.client_id::text as client_id, i.inspection_id, i.site_id, i.subdistrict_id,"
    " i.site_kind, i.category, i.severity, i.description,"
    " st_y(i.location::geometry) as lat, st_x(i.location::geometry) as lon,"
    " array_to_string(i.photo_ids, ',') as photo_ids, i.source, i.status, i.fixed_on_spot,"
    " i.reported_by, i.reported_at, i.received_at,"
    " i.rejection_kind, i.rejection_reason, i.duplicate_of, i.lead_unit_id,"
    " array_to_string(i.co_unit_ids, ',') as co_unit_ids,"
    " i.assigned_at, i.due_at, i.submitted_at, i.rectification,"
    " array_to_string(i.rectification_photo_ids, ',') as rectification_photo_ids, i.closed_at,"
    " i.return_count, i.escalation_level, i.version, i.updated_at,"
    " i.verification_comment,"
    " array_to_string(i.verification_photo_ids, ',') as verification_photo_ids";

const std::string kFind = std::string("select") + kColumns + " from issues i where i.id = $1";
const std::string kFindForUpdate = kFind + " for update";
const std::string kFindMany = std::string("select") + kColumns +
                              " from issues i join unnest($1::bigint[]) with ordinality u(id, n)"
                              " on i.id = u.id order by u.n";

// $10..$12: the caller's visibility (Visibility::Issue*); $13: now, for `overdue`.
const std::string kList = std::string("select") + kColumns + R"(
    from issues i
    where ($1::text is null or i.status = $1)
      and ($2::bigint is null or i.lead_unit_id = $2 or $2 = any (i.co_unit_ids))
      and ($3::bigint is null or i.site_id = $3)
      and ($4::bigint is null or i.subdistrict_id = $4)
      and ($5::text is null or i.category = $5)
      and ($6::smallint is null or i.severity = $6)
      and ($7::boolean is null or $7 = is_overdue(i.status, i.due_at, $13::timestamptz))
      and ($8::timestamptz is null or i.reported_at >= $8)
      and ($9::timestamptz is null or i.reported_at < $9)
      and ($10::bigint is null or i.reported_by = $10 or i.subdistrict_id = $11)
      and ($12::bigint is null or i.lead_unit_id = $12 or $12 = any (i.co_unit_ids))
      and ($14::bigint is null or i.id < $14)
    order by i.id desc
    limit $15)";

constexpr const char* kVisible = R"(
    select exists (
        select 1 from issues i
        where i.id = $1
          and ($2::bigint is null or i.reported_by = $2 or i.subdistrict_id = $3)
          and ($4::bigint is null or i.lead_unit_id = $4 or $4 = any (i.co_unit_ids))))";

const std::string kInsert = R"(
    with i as (
        insert into issues (
            client_id, inspection_id, site_id, subdistrict_id, site_kind, category, severity,
            description, location, photo_ids, source, status, fixed_on_spot, reported_by,
            reported_at, received_at, lead_unit_id, co_unit_ids, assigned_at, due_at,
            submitted_at, rectification, rectification_photo_ids, updated_at)
        values (
            $1::uuid, $2, $3, $4, $5, $6, $7, $8,
            case when $9::float8 is null then null
                 else st_setsrid(st_makepoint($10, $9), 4326)::geography end,
            $11::text[], $12, $13, $14, $15,
            $16::timestamptz, $17::timestamptz, $18, $19::bigint[],
            $20::timestamptz, $21::timestamptz, $22::timestamptz, $23, $24::text[],
            $17::timestamptz)
        returning *)
    select)" + std::string(kColumns) +
                            " from i";

const std::string kUpdate = R"(
    with i as (
        update issues set
            status = $3, rejection_kind = $4, rejection_reason = $5, duplicate_of = $6,
            lead_unit_id = $7, co_unit_ids = $8::bigint[],
            assigned_at = $9::timestamptz, due_at = $10::timestamptz,
            submitted_at = $11::timestamptz, rectification = $12,
            rectification_photo_ids = $13::text[], closed_at = $14::timestamptz,
            return_count = $15, escalation_level = $16,
            verification_comment = $18, verification_photo_ids = $19::text[],
            triaged_at = coalesce(triaged_at, case when $3 in ('confirmed', 'rejected')
                                                   then $17::timestamptz end),
            version = version + 1, updated_at = $17::timestamptz
        where id = $1 and version = $2
        returning *)
    select)" + std::string(kColumns) +
                            " from i";

constexpr const char* kOpenAssignment = R"(
    insert into issue_assignments (issue_id, lead_unit_id, co_unit_ids, assigned_at, due_at,
                                   assigned_by, submitted_at)
    values ($1, $2, $3::bigint[], $4::timestamptz, $5::timestamptz, $6, $7::timestamptz))";

// The evidence ends the time an assignment can be overdue (see migration 0007).
constexpr const char* kRecordSubmission = R"(
    update issue_assignments set submitted_at = $2::timestamptz
    where issue_id = $1 and ended_at is null)";

constexpr const char* kEndAssignment = R"(
    update issue_assignments set ended_at = $2::timestamptz, outcome = $3
    where issue_id = $1 and ended_at is null)";

// issue_snapshot() is defined once in the schema, shared with the set-based dispatch.
constexpr const char* kSnapshot = "select issue_snapshot(i)::text from issues i where i.id = $1";

constexpr const char* kFindSite = "select subdistrict_id, kind from sites where id = $1";

// Neither uploaded nor readable by the caller are the same answer (photo_access.hpp).
const std::string kMissingAttachments =
    "select p from unnest($1::text[]) as p where not " + PhotoReadableSql("p", 2) + " order by p";

constexpr const char* kUnassignableUnits = R"(
    select u from unnest($1::bigint[]) as u
    where not exists (select 1 from units where id = u and kind <> 'office')
    order by u)";

Issue FromRow(const pqxx::row& r) {
    Issue i;
    i.id = r["id"].as<long long>();
    i.client_id = r["client_id"].as<std::string>();
    i.inspection_id = db::Nullable<long long>(r["inspection_id"]);
    i.site_id = r["site_id"].as<long long>();
    i.subdistrict_id = r["subdistrict_id"].as<long long>();
    i.site_kind = r["site_kind"].as<std::string>();
    i.category = r["category"].as<std::string>();
    i.severity = r["severity"].as<int>();
    i.description = r["description"].as<std::string>();
    if (!r["lat"].is_null()) i.location = GeoPoint{r["lat"].as<double>(), r["lon"].as<double>()};
    i.photo_ids = SplitStrings(r["photo_ids"].as<std::string>());
    i.source = r["source"].as<std::string>();
    i.status = r["status"].as<std::string>();
    i.fixed_on_spot = r["fixed_on_spot"].as<bool>();
    i.reported_by = r["reported_by"].as<long long>();
    i.reported_at = r["reported_at"].as<TimePoint>();
    i.received_at = r["received_at"].as<TimePoint>();
    i.rejection_kind = db::Nullable<std::string>(r["rejection_kind"]);
    i.rejection_reason = db::Nullable<std::string>(r["rejection_reason"]);
    i.duplicate_of = db::Nullable<long long>(r["duplicate_of"]);
    i.lead_unit_id = db::Nullable<long long>(r["lead_unit_id"]);
    i.co_unit_ids = SplitIds(r["co_unit_ids"].as<std::string>());
    i.assigned_at = db::Nullable<TimePoint>(r["assigned_at"]);
    i.due_at = db::Nullable<TimePoint>(r["due_at"]);
    i.submitted_at = db::Nullable<TimePoint>(r["submitted_at"]);
    i.rectification = db::Nullable<std::string>(r["rectification"]);
    i.rectification_photo_ids = SplitStrings(r["rectification_photo_ids"].as<std::string>());
    i.closed_at = db::Nullable<TimePoint>(r["closed_at"]);
    i.return_count = r["return_count"].as<int>();
    i.escalation_level = r["escalation_level"].as<int>();
    i.version = r["version"].as<int>();
    i.updated_at = r["updated_at"].as<TimePoint>();
    i.verification_comment = db::Nullable<std::string>(r["verification_comment"]);
    i.verification_photo_ids = SplitStrings(r["verification_photo_ids"].as<std::string>());
    return i;
}

}  // namespace

std::optional<Issue> IssueRepository::Find(pqxx::transaction_base& tx, long long id) const {
    const auto r = db::Exec(tx, kFind, id);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

std::vector<Issue> IssueRepository::FindMany(pqxx::transaction_base& tx,
                                             const std::vector<long long>& ids) const {
    std::vector<Issue> out;
    if (ids.empty()) return out;
    const auto r = db::Exec(tx, kFindMany, ToArrayLiteral(ids));
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(FromRow(row));
    return out;
}

std::optional<Issue> IssueRepository::FindForUpdate(pqxx::transaction_base& tx,
                                                    long long id) const {
    const auto r = db::Exec(tx, kFindForUpdate, id);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

std::vector<Issue> IssueRepository::List(pqxx::transaction_base& tx, const IssueQuery& q,
                                         const Visibility& visibility, TimePoint now) const {
    const std::optional<long long> after =
        q.after_id > 0 ? std::optional<long long>(q.after_id) : std::nullopt;
    const auto r =
        db::Exec(tx, kList, q.status, q.unit_id, q.site_id, q.subdistrict_id, q.category,
                 q.severity, q.overdue, q.reported_from, q.reported_to, visibility.IssueReporter(),
                 visibility.IssueReporterTerritory(), visibility.IssueUnit(), now, after, q.limit);
    std::vector<Issue> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(FromRow(row));
    return out;
}

bool IssueRepository::Visible(pqxx::transaction_base& tx, long long id,
                              const Visibility& visibility) const {
    return db::Exec1(tx, kVisible, id, visibility.IssueReporter(),
                     visibility.IssueReporterTerritory(), visibility.IssueUnit())[0]
        .as<bool>();
}

Issue IssueRepository::Insert(pqxx::transaction_base& tx, const Issue& i) const {
    const std::optional<double> lat =
        i.location ? std::optional<double>(i.location->lat) : std::nullopt;
    const std::optional<double> lon =
        i.location ? std::optional<double>(i.location->lon) : std::nullopt;
    try {
        return FromRow(db::Exec1(
            tx, kInsert, i.client_id, i.inspection_id, i.site_id, i.subdistrict_id, i.site_kind,
            i.category, i.severity, i.description, lat, lon, ToArrayLiteral(i.photo_ids), i.source,
            i.status, i.fixed_on_spot, i.reported_by, i.reported_at, i.received_at, i.lead_unit_id,
            ToArrayLiteral(i.co_unit_ids), i.assigned_at, i.due_at, i.submitted_at, i.rectification,
            ToArrayLiteral(i.rectification_photo_ids)));
    } catch (const pqxx::unique_violation&) {
        throw Error(ErrorCode::kAlreadyExists, "duplicate_client_id",
                    "a finding with client_id " + i.client_id + " was already reported",
                    {{"client_id", "was already used"}});
    }
}

std::optional<Issue> IssueRepository::Update(pqxx::transaction_base& tx, const Issue& i,
                                             int expected_version) const {
    const auto r = db::Exec(tx, kUpdate, i.id, expected_version, i.status, i.rejection_kind,
                            i.rejection_reason, i.duplicate_of, i.lead_unit_id,
                            ToArrayLiteral(i.co_unit_ids), i.assigned_at, i.due_at, i.submitted_at,
                            i.rectification, ToArrayLiteral(i.rectification_photo_ids), i.closed_at,
                            i.return_count, i.escalation_level, i.updated_at,
                            i.verification_comment, ToArrayLiteral(i.verification_photo_ids));
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

void IssueRepository::OpenAssignment(pqxx::transaction_base& tx, const Issue& i,
                                     std::optional<long long> assigned_by) const {
    db::Exec(tx, kOpenAssignment, i.id, i.lead_unit_id, ToArrayLiteral(i.co_unit_ids),
             i.assigned_at, i.due_at, assigned_by, i.submitted_at);
}

void IssueRepository::RecordSubmission(pqxx::transaction_base& tx, long long issue_id,
                                       TimePoint at) const {
    db::Exec(tx, kRecordSubmission, issue_id, at);
}

void IssueRepository::EndAssignment(pqxx::transaction_base& tx, long long issue_id, TimePoint at,
                                    const std::string& outcome) const {
    db::Exec(tx, kEndAssignment, issue_id, at, outcome);
}

std::string IssueRepository::Snapshot(pqxx::transaction_base& tx, long long id) const {
    return db::Exec1(tx, kSnapshot, id)[0].as<std::string>();
}

std::optional<SiteFacts> IssueRepository::FindSite(pqxx::transaction_base& tx,
                                                   long long site_id) const {
    const auto r = db::Exec(tx, kFindSite, site_id);
    if (r.empty()) return std::nullopt;
    return SiteFacts{r[0][0].as<long long>(), r[0][1].as<std::string>()};
}

std::vector<std::string> IssueRepository::MissingAttachments(pqxx::transaction_base& tx,
                                                             const std::vector<std::string>& ids,
                                                             long long user_id,
                                                             const Visibility& visibility) const {
    std::vector<std::string> out;
    if (ids.empty()) return out;
    for (const auto& row :
         db::Exec(tx, kMissingAttachments, ToArrayLiteral(ids), user_id, visibility.IssueReporter(),
                  visibility.IssueReporterTerritory(), visibility.IssueUnit())) {
        out.push_back(row[0].as<std::string>());
    }
    return out;
}

std::vector<long long> IssueRepository::UnassignableUnits(pqxx::transaction_base& tx,
                                                          const std::vector<long long>& ids) const {
    std::vector<long long> out;
    if (ids.empty()) return out;
    for (const auto& row : db::Exec(tx, kUnassignableUnits, ToArrayLiteral(ids))) {
        out.push_back(row[0].as<long long>());
    }
    return out;
}

}  // namespace lantian::issues
