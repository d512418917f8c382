#include "dispatch/routing_rule_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "dispatch/system_events.hpp"
#include "issues/issue_repository.hpp"

namespace lantian::dispatch {

namespace {

using db::SplitIds;
using db::ToArrayLiteral;

// Routing: the most specific rule (kind and category, then category, then kind), else the
// site's subdistrict. Deadline: deadline_hours() (migration 0008) at `now`.
// Lock order, the same as a workflow step's: the issues first (here all of them, in id order,
// in a statement of their own), then the aggregates (the statement triggers of the update), then
// the audit chain's head (the events, in a statement of their own: system_events.cpp). Locking
// the issues lazily, or appending the events before the aggregates were merged at the end of
// the same statement, deadlocked with steps.
constexpr const char* kLockConfirmed = R"(
    select coalesce(array_to_string(array_agg(id order by id), ','), '')
    from (select id from issues where status = 'confirmed' order by id for update) c)";

constexpr const char* kAssignConfirmed = R"(
    with now_ts as (select $1::timestamptz as t),
    candidates as (
        select i.* from issues i
        where i.status = 'confirmed' and i.id = any ($2::bigint[])
        order by i.id for update
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
        returning i.id, i.lead_unit_id, i.co_unit_ids, i.assigned_at, i.due_at, r.before
    ),
    assignments as (
        insert into issue_assignments (issue_id, lead_unit_id, co_unit_ids, assigned_at, due_at)
        select id, lead_unit_id, co_unit_ids, assigned_at, due_at from updated
    )
    select coalesce(array_to_string(array_agg(id order by id), ','), ''),
           coalesce(jsonb_agg(jsonb_build_object('id', id, 'before', before) order by id),
                    '[]'::jsonb)::text
    from updated)";

constexpr const char* kRoutingRules = R"(
    select site_kind, category, lead_unit_id, array_to_string(co_unit_ids, ','), co_subdistrict
    from routing_rules
    order by site_kind nulls first, category nulls first)";
constexpr const char* kDeleteRouting = "delete from routing_rules";
constexpr const char* kInsertRouting = R"(
    insert into routing_rules (site_kind, category, lead_unit_id, co_unit_ids, co_subdistrict)
    values ($1, $2, $3, $4::bigint[], $5))";

}  // namespace

std::vector<long long> RoutingRuleRepository::LockConfirmed(pqxx::transaction_base& tx) const {
    return SplitIds(db::Exec1(tx, kLockConfirmed)[0].as<std::string>());
}

std::vector<long long> RoutingRuleRepository::AssignConfirmed(
    pqxx::transaction_base& tx, TimePoint now, const std::string& request_id,
    const std::vector<long long>& locked) const {
    const auto row = db::Exec1(tx, kAssignConfirmed, now, db::ToArrayLiteral(locked));
    AppendSystemEvents(tx, now, request_id, "dispatch_assign", row[1].as<std::string>());
    return SplitIds(row[0].as<std::string>());
}

std::vector<RoutingRule> RoutingRuleRepository::RoutingRules(pqxx::transaction_base& tx) const {
    std::vector<RoutingRule> out;
    for (const auto& r : db::Exec(tx, kRoutingRules)) {
        out.push_back({db::Nullable<std::string>(r[0]), db::Nullable<std::string>(r[1]),
                       db::Nullable<long long>(r[2]), SplitIds(r[3].as<std::string>()),
                       r[4].as<bool>()});
    }
    return out;
}

void RoutingRuleRepository::ReplaceRoutingRules(pqxx::transaction_base& tx,
                                                const std::vector<RoutingRule>& rules) const {
    db::Exec(tx, kDeleteRouting);
    for (const auto& rule : rules) {
        db::Exec(tx, kInsertRouting, rule.site_kind, rule.category, rule.lead_unit_id,
                 ToArrayLiteral(rule.co_unit_ids), rule.co_subdistrict);
    }
}

std::vector<long long> RoutingRuleRepository::UnassignableUnits(
    pqxx::transaction_base& tx, const std::vector<long long>& ids) const {
    // The same question the issue steps ask of a manual assignment.
    return issues::IssueRepository().UnassignableUnits(tx, ids);
}

}  // namespace lantian::dispatch
