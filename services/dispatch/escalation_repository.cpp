#include "dispatch/escalation_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "dispatch/system_events.hpp"

namespace lantian::dispatch {

namespace {

// The ladder is escalation_levels_due() (migration 0008); each level is raised once.
// The issues first, in id order and in a statement of their own, then the aggregates, then
// the chain's head (the events): the lock order of a workflow step (routing_rule_repository.cpp).
constexpr const char* kLockCandidates = R"(
    select coalesce(array_to_string(array_agg(id order by id), ','), '')
    from (select i.id from issues i
          where i.status in ('assigned', 'submitted') and i.lead_unit_id is not null
            and (is_overdue(i.status, i.due_at, $1::timestamptz) or i.return_count >= 2)
          order by i.id
          for update) c)";

constexpr const char* kRaiseEscalations = R"(
    with now_ts as (select $1::timestamptz as t),
    open_issues as (
        select i.id, i.lead_unit_id, i.return_count,
               case when is_overdue(i.status, i.due_at, (select t from now_ts))
                    then (select t from now_ts) - i.due_at end as late
        from issues i
        where i.status in ('assigned', 'submitted') and i.lead_unit_id is not null
          and (is_overdue(i.status, i.due_at, (select t from now_ts)) or i.return_count >= 2)
          and i.id = any ($3::bigint[])
        -- Locked already (kLockCandidates): a step committing meanwhile (an acceptance) was
        -- waited for and is re-checked here.
        for update of i
    ),
    due as (
        select o.id, o.lead_unit_id, l.level, l.reason
        from open_issues o
        cross join lateral escalation_levels_due(o.late, o.return_count) l
    ),
    raised as (
        insert into escalations (issue_id, unit_id, level, reason, raised_at, dispatch_day)
        select id, lead_unit_id, level, reason, (select t from now_ts), $2::date from due
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
        returning i.id
    )
    select (select count(*) from raised),
           coalesce((select jsonb_agg(jsonb_build_object('id', b.id, 'before', before.snapshot)
                                      order by b.id)
                     from bumped b join before on before.id = b.id), '[]'::jsonb)::text)";

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

}  // namespace

std::vector<long long> EscalationRepository::LockCandidates(pqxx::transaction_base& tx,
                                                            TimePoint now) const {
    return db::SplitIds(db::Exec1(tx, kLockCandidates, now)[0].as<std::string>());
}

int EscalationRepository::RaiseEscalations(pqxx::transaction_base& tx, const std::string& day,
                                           TimePoint now, const std::string& request_id,
                                           const std::vector<long long>& locked) const {
    const auto row = db::Exec1(tx, kRaiseEscalations, now, day, db::ToArrayLiteral(locked));
    AppendSystemEvents(tx, now, request_id, "escalate", row[1].as<std::string>());
    return row[0].as<int>();
}

std::vector<Escalation> EscalationRepository::Escalations(pqxx::transaction_base& tx,
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

}  // namespace lantian::dispatch
