-- One definition for each rule that SQL must evaluate over many rows (the daily dispatch, the
-- reports) and that the service asks for one issue at a time. services/README.md lists where
-- every rule lives; a regulation change (a deadline, a threshold, a level) is an edit here, in a
-- new migration, plus its test.

-- Overdue (超期): assigned and past its deadline at `at`. Derived, never stored. Immutable and a
-- single expression, so the planner inlines it and the (status, due_at) index still serves it.
create function is_overdue(status text, due_at timestamptz, at timestamptz) returns boolean
    language sql immutable parallel safe as $$
    select status = 'assigned' and due_at < at
$$;

-- The hours to rectify an issue of a category and severity whose deadline is set at `at`: the
-- category's own rule, else the severity's default, tightened by the alert in force then
-- (tightened_hours, alert_level_at: migration 0004). Null when the table has no rule for the
-- severity (the rules PUT refuses such a table).
create function deadline_hours(category text, severity integer, at timestamptz) returns integer
    language sql stable as $$
    select tightened_hours(
        (select d.hours from deadline_rules d
         where d.severity = deadline_hours.severity
           and (d.category = deadline_hours.category or d.category is null)
         order by d.category nulls last limit 1),
        alert_level_at(deadline_hours.at))
$$;

-- The escalation ladder (督办 → 约谈 → 问责) for an issue `late` past its deadline (null: not
-- overdue) and returned `return_count` times: every level it has reached, with its reason.
--   1 督办  overdue at all
--   2 约谈  overdue more than 3 days, or returned twice
--   3 问责  overdue more than 7 days, or returned three times
create function escalation_levels_due(late interval, return_count integer)
returns table (level integer, reason text)
    language sql immutable parallel safe as $$
    select l.level, l.reason
    from (values
        (1, case when late is not null then '超期未整改' end),
        (2, case when late > interval '3 days' then '超期超过3天'
                 when return_count >= 2 then '两次退回返工' end),
        (3, case when late > interval '7 days' then '超期超过7天'
                 when return_count >= 3 then '三次退回返工' end)) as l(level, reason)
    where l.reason is not null
$$;

-- Whole days an overdue issue is past its deadline `due_at` at `at` (the bulletins' 超期天数).
create function days_late(due_at timestamptz, at timestamptz) returns integer
    language sql immutable parallel safe as $$
    select floor(extract(epoch from at - due_at) / 86400)::int
$$;
