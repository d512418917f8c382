#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "dispatch/dispatch_repository.hpp"

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

// Routing: the most specific rule (kind and category, then category, then kind), else the
// site's subdistrict. Deadline: deadline_hours() (migration 0008) at `now`.
constexpr const char* kAssignConfirmed = R"(
    with now_ts as (select $1::timestamptz as t),
    candidates as (
        select i.* from issues i where i.status = 'confirmed' order by i.id for update
    ),
    routed as (
        select c.id,
               coalesce(r.lead_unit_id, c.subdistrict_id) as lead,
               coalesce(r.co_unit_ids, '{}'::bigint[])
                   || case when r.co_subdistrict then array[c.subdistrict_id]
                           else '{}'::bigint[] end as co_raw,
               deadline_hours(c.category, c.severity, (select t from now_ts)) as hours,
               issue_snapshot(c) as before
        from candidates c
        left join lateral (
            select rr.* from routing_rules rr
            where (rr.site_kind is null or rr.site_kind = c.site_kind)
              and (rr.category is null or rr.category = c.category)
            order by (rr.site_kind is not null and rr.category is not null) desc,
                     (rr.category is not null) desc, (rr.site_kind is not null) desc
            limit 1) r on true
    ),
    updated as (
        update issues i set
            status = 'assigned',
            lead_unit_id = r.lead,
            co_unit_ids = array(select distinct u from unnest(r.co_raw) u
                                where u <> r.lead order by u),
            assigned_at = (select t from now_ts),
            due_at = (select t from now_ts) + make_interval(hours => r.hours),
            version = i.version + 1,
            updated_at = (select t from now_ts)
        from routed r
        where i.id = r.id
        returning i.id, i.lead_unit_id, i.co_unit_ids, i.assigned_at, i.due_at, r.before,
                  issue_snapshot(i) as after
    ),
    assignments as (
        insert into issue_assignments (issue_id, lead_unit_id, co_unit_ids, assigned_at, due_at)
        select id, lead_unit_id, co_unit_ids, assigned_at, due_at from updated
    ),
    events as (
        insert into issue_events (issue_id, at, actor_role, request_id, action, before, after)
        select id, (select t from now_ts), 'system', $2, 'dispatch_assign', before, after
        from updated order by id
    )
    select coalesce(array_to_string(array_agg(id order by id), ','), '') from updated)";

// The ladder is escalation_levels_due() (migration 0008); each level is raised once.
constexpr const char* kRaiseEscalations = R"(
    with now_ts as (select $1::timestamptz as t),
    open_issues as (
        select i.id, i.lead_unit_id, i.return_count,
               case when is_overdue(i.status, i.due_at, (select t from now_ts))
                    then (select t from now_ts) - i.due_at end as late
        from issues i
        where i.status in ('assigned', 'submitted') and i.lead_unit_id is not null
          and (is_overdue(i.status, i.due_at, (select t from now_ts)) or i.return_count >= 2)
        -- Locked: a step committing meanwhile (an acceptance) is waited for and re-checked.
        for update of i
    ),
    due as (
        select o.id, o.lead_unit_id, l.level, l.reason
        from open_issues o
        cross join lateral escalation_levels_due(o.late, o.return_count) l
    ),
    raised as (
        insert into escalations (issue_id, unit_id, level, reason, raised_at, dispatch_day)
        select id, lead_unit_id, level, reason, (select t from now_ts), $3::date from due
        on conflict (issue_id, level) do nothing
        returning issue_id, level
    ),
    top as (select issue_id, max(level) as level from raised group by issue_id),
    before as (
        select i.id, issue_snapshot(i) as snapshot from issues i
        where i.id in (select issue_id from top)
    ),
    bumped as (
        update issues i set escalation_level = top.level, version = i.version + 1,
                            updated_at = (select t from now_ts)
        from top
        where i.id = top.issue_id and top.level > i.escalation_level
        returning i.id, issue_snapshot(i) as after
    ),
    events as (
        insert into issue_events (issue_id, at, actor_role, request_id, action, before, after)
        select b.id, (select t from now_ts), 'system', $2, 'escalate', before.snapshot, b.after
        from bumped b join before on before.id = b.id
        order by b.id
    )
    select count(*) from raised)";

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
    rated as (
        select *, case when due > 0 then round(on_time::numeric / due, 4) end as on_time_rate
        from per_unit
    ),
    ranking as (
        select rank() over (order by on_time_rate desc nulls last) as rank, unit_id, unit_name,
               on_time_rate, due, on_time, overdue
        from rated where unit_kind in ('subdistrict', 'park')
    ),
    overdue_list as (
        select i.id as issue_id, i.site_id, s.name as site_name, i.category, i.lead_unit_id,
               u.name as unit_name, i.due_at,
               floor(extract(epoch from p.now_ts - i.due_at) / 86400)::int as days_late,
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
                           from rated r), '[]'::jsonb),
        'ranking', coalesce((select jsonb_agg(to_jsonb(k) order by k.rank, k.unit_id)
                             from ranking k), '[]'::jsonb),
        'overdue', coalesce((select jsonb_agg(to_jsonb(o) order by o.days_late desc, o.issue_id)
                             from overdue_list o), '[]'::jsonb),
        'totals', (select jsonb_build_object(
                       'new', coalesce(sum(new), 0), 'open', coalesce(sum(open), 0),
                       'submitted', coalesce(sum(submitted), 0),
                       'closed', coalesce(sum(closed), 0), 'overdue', coalesce(sum(overdue), 0),
                       'due', coalesce(sum(due), 0), 'on_time', coalesce(sum(on_time), 0))
                   from rated)
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

constexpr const char* kEscalations = R"(
    select id, issue_id, unit_id, level, reason, raised_at, dispatch_day::text
    from escalations
    where ($1::bigint is null or unit_id = $1)
      and ($2::bigint is null or issue_id = $2)
      and ($3::smallint is null or level = $3)
      and ($4::timestamptz is null or raised_at >= $4)
      and ($5::timestamptz is null or raised_at < $5)
      and id > $6
    order by id
    limit $7)";

constexpr const char* kRoutingRules = R"(
    select site_kind, category, lead_unit_id, array_to_string(co_unit_ids, ','), co_subdistrict
    from routing_rules
    order by site_kind nulls first, category nulls first)";
constexpr const char* kDeleteRouting = "delete from routing_rules";
constexpr const char* kInsertRouting = R"(
    insert into routing_rules (site_kind, category, lead_unit_id, co_unit_ids, co_subdistrict)
    values ($1, $2, $3, $4::bigint[], $5))";
constexpr const char* kUnassignableUnits = R"(
    select u from unnest($1::bigint[]) u
    where not exists (select 1 from units where id = u and kind <> 'office') order by u)";

constexpr const char* kAlerts = R"(
    select id, level, starts_at, ends_at, created_by
    from pollution_alerts
    where ($1::timestamptz is null or ends_at > $1)
      and ($2::timestamptz is null or starts_at < $2)
    order by starts_at desc, id desc
    limit 500)";
constexpr const char* kInsertAlert = R"(
    insert into pollution_alerts (level, starts_at, ends_at, created_by)
    values ($1, $2::timestamptz, $3::timestamptz, $4)
    returning id)";

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

bool DispatchRepository::ClaimDay(pqxx::transaction_base& tx, const std::string& day,
                                  TimePoint now) const {
    return !db::Exec(tx, kClaimDay, day, now).empty();
}

std::vector<long long> DispatchRepository::AssignConfirmed(pqxx::transaction_base& tx,
                                                           TimePoint now,
                                                           const std::string& request_id) const {
    return SplitIds(db::Exec1(tx, kAssignConfirmed, now, request_id)[0].as<std::string>());
}

int DispatchRepository::RaiseEscalations(pqxx::transaction_base& tx, const std::string& day,
                                         TimePoint now, const std::string& request_id) const {
    return db::Exec1(tx, kRaiseEscalations, now, request_id, day)[0].as<int>();
}

std::string DispatchRepository::ComputeBulletin(pqxx::transaction_base& tx, const std::string& day,
                                                TimePoint now, const std::string& zone) const {
    return db::Exec1(tx, kBulletin, day, now, zone)[0].as<std::string>();
}

void DispatchRepository::CompleteRun(pqxx::transaction_base& tx, const std::string& day,
                                     const std::vector<long long>& assigned, int escalations,
                                     const std::string& bulletin) const {
    db::Exec(tx, kCompleteRun, day, static_cast<int>(assigned.size()), escalations,
             ToArrayLiteral(assigned), bulletin);
}

std::optional<DispatchRun> DispatchRepository::Find(pqxx::transaction_base& tx,
                                                    const std::string& day,
                                                    std::optional<long long> unit_id) const {
    const auto r = db::Exec(tx, kFind, day, unit_id);
    if (r.empty()) return std::nullopt;
    return RunFromRow(r[0]);
}

std::vector<DispatchRun> DispatchRepository::List(pqxx::transaction_base& tx,
                                                  const std::string& from, const std::string& to,
                                                  std::optional<long long> unit_id) const {
    std::vector<DispatchRun> out;
    for (const auto& row : db::Exec(tx, kList, from, unit_id, to)) out.push_back(RunFromRow(row));
    return out;
}

std::optional<std::string> DispatchRepository::LatestDay(pqxx::transaction_base& tx) const {
    return db::Nullable<std::string>(db::Exec1(tx, kLatestDay)[0]);
}

bool DispatchRepository::Publish(pqxx::transaction_base& tx, const std::string& day,
                                 long long user_id, TimePoint now) const {
    return db::Exec(tx, kPublish, day, user_id, now).affected_rows() > 0;
}

std::vector<Escalation> DispatchRepository::Escalations(pqxx::transaction_base& tx,
                                                        const EscalationQuery& q) const {
    std::vector<Escalation> out;
    for (const auto& r : db::Exec(tx, kEscalations, q.unit_id, q.issue_id, q.level, q.from, q.to,
                                  q.after_id, q.limit)) {
        out.push_back({r[0].as<long long>(), r[1].as<long long>(), r[2].as<long long>(),
                       r[3].as<int>(), r[4].as<std::string>(), r[5].as<TimePoint>(),
                       db::Nullable<std::string>(r[6])});
    }
    return out;
}

std::vector<RoutingRule> DispatchRepository::RoutingRules(pqxx::transaction_base& tx) const {
    std::vector<RoutingRule> out;
    for (const auto& r : db::Exec(tx, kRoutingRules)) {
        out.push_back({db::Nullable<std::string>(r[0]), db::Nullable<std::string>(r[1]),
                       db::Nullable<long long>(r[2]), SplitIds(r[3].as<std::string>()),
                       r[4].as<bool>()});
    }
    return out;
}

void DispatchRepository::ReplaceRoutingRules(pqxx::transaction_base& tx,
                                             const std::vector<RoutingRule>& rules) const {
    db::Exec(tx, kDeleteRouting);
    for (const auto& rule : rules) {
        db::Exec(tx, kInsertRouting, rule.site_kind, rule.category, rule.lead_unit_id,
                 ToArrayLiteral(rule.co_unit_ids), rule.co_subdistrict);
    }
}

std::vector<long long> DispatchRepository::UnassignableUnits(
    pqxx::transaction_base& tx, const std::vector<long long>& ids) const {
    std::vector<long long> out;
    if (ids.empty()) return out;
    for (const auto& r : db::Exec(tx, kUnassignableUnits, ToArrayLiteral(ids))) {
        out.push_back(r[0].as<long long>());
    }
    return out;
}

std::vector<PollutionAlert> DispatchRepository::Alerts(pqxx::transaction_base& tx,
                                                       std::optional<TimePoint> from,
                                                       std::optional<TimePoint> to) const {
    std::vector<PollutionAlert> out;
    for (const auto& r : db::Exec(tx, kAlerts, from, to)) {
        out.push_back({r[0].as<long long>(), r[1].as<std::string>(), r[2].as<TimePoint>(),
                       r[3].as<TimePoint>(), db::Nullable<long long>(r[4])});
    }
    return out;
}

PollutionAlert DispatchRepository::InsertAlert(pqxx::transaction_base& tx,
                                               const PollutionAlert& a) const {
    PollutionAlert out = a;
    out.id = db::Exec1(tx, kInsertAlert, a.level, a.starts_at, a.ends_at, a.created_by)[0]
                 .as<long long>();
    return out;
}

}  // namespace lantian::dispatch
