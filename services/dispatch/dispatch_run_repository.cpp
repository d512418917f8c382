#include "dispatch/dispatch_run_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"

namespace lantian::dispatch {

namespace {

using db::SplitIds;
using db::ToArrayLiteral;

constexpr const char* kClaimDay = R"(
    insert into dispatch_runs (day, run_at, assigned_count, escalation_count, assigned_ids,
                               bulletin)
    values ($1::date, $2::timestamptz, 0, 0, '{}', '{}')
    on conflict (day) do nothing
    returning day)";

// $1 day, $2 now, $3 zone. Counts per unit are attributed to the lead unit once assigned,
// to the territory before; rates over deadlines that fell in the 30 days before the day.
constexpr const char* kBulletin = R"(
    with params as (
        select ($1::date - 1)::timestamp at time zone $3 as y_from,
               $1::date::timestamp at time zone $3 as y_to,
               ($1::date - 30)::timestamp at time zone $3 as r_from,
               $2::timestamptz as now_ts
    ),
    attributed as (
        select i.*, coalesce(i.lead_unit_id, i.subdistrict_id) as unit_id from issues i
    ),
    per_unit as (
        select u.id as unit_id, u.name as unit_name, u.kind as unit_kind,
            count(*) filter (where a.received_at >= p.y_from and a.received_at < p.y_to) as new,
            count(*) filter (where a.status in ('reported', 'confirmed', 'assigned', 'submitted'))
                as open,
            count(*) filter (where a.status = 'submitted') as submitted,
            count(*) filter (where a.closed_at >= p.y_from and a.closed_at < p.y_to) as closed,
            count(*) filter (where is_overdue(a.status, a.due_at, p.now_ts)) as overdue,
            count(*) filter (where a.due_at >= p.r_from and a.due_at < p.y_to
                             and not a.fixed_on_spot) as due,
            count(*) filter (where a.due_at >= p.r_from and a.due_at < p.y_to
                             and not a.fixed_on_spot and a.status = 'closed'
                             and a.submitted_at <= a.due_at) as on_time
        from units u cross join params p
        left join attributed a on a.unit_id = u.id
        where u.kind in ('subdistrict', 'park', 'department')
        group by u.id, u.name, u.kind
    ),
    overdue_list as (
        select i.id as issue_id, i.site_id, s.name as site_name, i.category, i.lead_unit_id,
               u.name as unit_name, i.due_at,
               days_late(i.due_at, p.now_ts) as days_late,
               i.escalation_level
        from issues i join units u on u.id = i.lead_unit_id join sites s on s.id = i.site_id
        cross join params p
        where is_overdue(i.status, i.due_at, p.now_ts)
    )
    select jsonb_build_object(
        'day', $1::date,
        'period', jsonb_build_object('from', (select y_from from params),
                                     'to', (select y_to from params)),
        'rate_window', jsonb_build_object('from', (select r_from from params),
                                          'to', (select y_to from params)),
        'units', coalesce((select jsonb_agg(to_jsonb(r) order by r.unit_kind, r.unit_id)
                           from per_unit r), '[]'::jsonb),
        'overdue', coalesce((select jsonb_agg(to_jsonb(o) order by o.days_late desc, o.issue_id)
                             from overdue_list o), '[]'::jsonb),
        'totals', (select jsonb_build_object(
                       'new', coalesce(sum(new), 0), 'open', coalesce(sum(open), 0),
                       'submitted', coalesce(sum(submitted), 0),
                       'closed', coalesce(sum(closed), 0), 'overdue', coalesce(sum(overdue), 0),
                       'due', coalesce(sum(due), 0), 'on_time', coalesce(sum(on_time), 0))
                   from per_unit)
    )::text)";

constexpr const char* kCompleteRun = R"(
    update dispatch_runs set assigned_count = $2, escalation_count = $3,
                             assigned_ids = $4::bigint[], bulletin = $5::jsonb
    where day = $1::date)";

// $2: a handler's unit, whose rows alone are shown.
constexpr const char* kRunColumns = R"(
    select day::text, run_at, assigned_count,
           case when $2::bigint is null then escalation_count
                else (select count(*) from escalations e
                      where e.dispatch_day = dispatch_runs.day and e.unit_id = $2)::int end,
           case when $2::bigint is null then array_to_string(assigned_ids, ',')
                else coalesce((select string_agg(i.id::text, ',' order by i.id) from issues i
                               where i.id = any (assigned_ids)
                                 and (i.lead_unit_id = $2 or $2 = any (i.co_unit_ids))), '')
           end,
           case when $2::bigint is null then bulletin::text
                else jsonb_set(jsonb_set(bulletin, '{units}', coalesce(
                         (select jsonb_agg(u) from jsonb_array_elements(bulletin -> 'units') u
                          where (u ->> 'unit_id')::bigint = $2), '[]'::jsonb)),
                     '{overdue}', coalesce(
                         (select jsonb_agg(o) from jsonb_array_elements(bulletin -> 'overdue') o
                          where (o ->> 'lead_unit_id')::bigint = $2), '[]'::jsonb))::text end,
           published_at, published_by
    from dispatch_runs)";

const std::string kFind = std::string(kRunColumns) + " where day = $1::date";
const std::string kList =
    std::string(kRunColumns) + " where day >= $1::date and day <= $3::date order by day desc";
constexpr const char* kLatestDay = "select max(day)::text from dispatch_runs";
constexpr const char* kPublish = R"(
    update dispatch_runs set published_at = $3::timestamptz, published_by = $2
    where day = $1::date and published_at is null)";

DispatchRun RunFromRow(const pqxx::row& r) {
    DispatchRun run;
    run.day = r[0].as<std::string>();
    run.run_at = r[1].as<TimePoint>();
    run.assigned_count = r[2].as<int>();
    run.escalation_count = r[3].as<int>();
    run.assigned_ids = SplitIds(r[4].as<std::string>());
    // A handler's view counts what it shows.
    if (run.assigned_count > static_cast<int>(run.assigned_ids.size())) {
        run.assigned_count = static_cast<int>(run.assigned_ids.size());
    }
    run.bulletin_json = r[5].as<std::string>();
    run.published_at = db::Nullable<TimePoint>(r[6]);
    run.published_by = db::Nullable<long long>(r[7]);
    return run;
}

}  // namespace

bool DispatchRunRepository::ClaimDay(pqxx::transaction_base& tx, const std::string& day,
                                     TimePoint now) const {
    return !db::Exec(tx, kClaimDay, day, now).empty();
}

std::string DispatchRunRepository::ComputeBulletin(pqxx::transaction_base& tx,
                                                   const std::string& day, TimePoint now,
                                                   const std::string& zone) const {
    return db::Exec1(tx, kBulletin, day, now, zone)[0].as<std::string>();
}

void DispatchRunRepository::CompleteRun(pqxx::transaction_base& tx, const std::string& day,
                                        const std::vector<long long>& assigned, int escalations,
                                        const std::string& bulletin) const {
    db::Exec(tx, kCompleteRun, day, static_cast<int>(assigned.size()), escalations,
             ToArrayLiteral(assigned), bulletin);
}

std::optional<DispatchRun> DispatchRunRepository::Find(pqxx::transaction_base& tx,
                                                       const std::string& day,
                                                       std::optional<long long> unit_id) const {
    const auto r = db::Exec(tx, kFind, day, unit_id);
    if (r.empty()) return std::nullopt;
    return RunFromRow(r[0]);
}

std::vector<DispatchRun> DispatchRunRepository::List(pqxx::transaction_base& tx,
                                                     const std::string& from, const std::string& to,
                                                     std::optional<long long> unit_id) const {
    std::vector<DispatchRun> out;
    for (const auto& row : db::Exec(tx, kList, from, unit_id, to)) out.push_back(RunFromRow(row));
    return out;
}

std::optional<std::string> DispatchRunRepository::LatestDay(pqxx::transaction_base& tx) const {
    return db::Nullable<std::string>(db::Exec1(tx, kLatestDay)[0]);
}

bool DispatchRunRepository::Publish(pqxx::transaction_base& tx, const std::string& day,
                                    long long user_id, TimePoint now) const {
    return db::Exec(tx, kPublish, day, user_id, now).affected_rows() > 0;
}

}  // namespace lantian::dispatch
