-- Reports for leaders read per-day aggregates that statement-level triggers keep in step with
-- the ledger, in the same transaction as every change to an issue. The indicator definitions
-- live in one place, report_facts(); `lantian reports verify` compares the aggregates with a
-- recomputation from the issues, `lantian reports rebuild` recomputes them.

-- The district's days. Aggregates are bucketed by this zone; changing it needs a rebuild.
create table district_settings (
    id         boolean primary key default true check (id),
    time_zone  text not null default 'Asia/Shanghai'
);
insert into district_settings default values;

-- The first assignment: a return for rework moves assigned_at, not the day an issue was
-- assigned in the closure rate, nor the start of its time to rectify.
alter table issues add column first_assigned_at timestamptz;

-- When the evidence for an assignment was submitted: an issue is overdue while it is assigned
-- past its deadline, not while its evidence waits for verification.
alter table issue_assignments add column submitted_at timestamptz;

-- The backfills below look assignments up by issue; only open ones were indexed (measured on a
-- city's 1M issues: ~54 ms per issue without this index, 14 hours; 3 minutes with it).
create index issue_assignments_issue_idx on issue_assignments (issue_id);

alter table issues disable trigger issues_closed_are_immutable;
update issues i
set first_assigned_at = coalesce(
        (select min(a.assigned_at) from issue_assignments a where a.issue_id = i.id),
        i.assigned_at)
where i.assigned_at is not null;
alter table issues enable trigger issues_closed_are_immutable;

-- The current assignment's evidence is on the issue; a returned one's is its last submit event.
update issue_assignments a
set submitted_at = coalesce(
        case when a.ended_at is null or a.outcome = 'closed' then
            (select i.submitted_at from issues i where i.id = a.issue_id) end,
        (select max(e.at) from issue_events e
         where e.issue_id = a.issue_id and e.action = 'submit'
           and e.at >= a.assigned_at and e.at <= coalesce(a.ended_at, 'infinity')),
        case when a.outcome is not null then a.ended_at end);

create function issues_first_assignment() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        new.first_assigned_at := coalesce(old.first_assigned_at, new.assigned_at);
    else
        new.first_assigned_at := new.assigned_at;
    end if;
    return new;
end $$;
create trigger issues_first_assignment before insert or update on issues
    for each row execute function issues_first_assignment();

-- Overdue at any moment T: an assignment whose deadline passed before T and whose evidence had
-- not been submitted (nor the assignment ended) by T. Evidence before the deadline: never.
create index issue_assignments_overdue_idx on issue_assignments
    using gist (tstzrange(due_at, greatest(due_at, coalesce(submitted_at, ended_at, 'infinity')), '()'));

create table report_daily (
    day                 date not null,
    unit_id             bigint not null,  -- responsible: the lead unit, the territory before
    subdistrict_id      bigint not null,
    category            text not null,
    site_kind           text not null,
    found               integer not null default 0,
    confirmed           integer not null default 0,
    assigned            integer not null default 0,
    closed_of_assigned  integer not null default 0,
    submitted           integer not null default 0,
    closed              integer not null default 0,
    reworked            integer not null default 0,
    due                 integer not null default 0,
    on_time             integer not null default 0,
    rectified           integer not null default 0,
    rectify_seconds     bigint not null default 0,
    primary key (day, unit_id, subdistrict_id, category, site_kind)
);
create index report_daily_by_unit_idx on report_daily (unit_id, day);

-- The reports leaders read most — the summary by unit, the ranking, the bulletin, the daily
-- trend — need only day × unit: this rollup (a city's two years: ~13k rows, 2 MB, against
-- report_daily's ~650k) moves with report_daily in the same statement of the same trigger.
create table report_daily_unit (
    day                 date not null,
    unit_id             bigint not null,
    found               integer not null default 0,
    confirmed           integer not null default 0,
    assigned            integer not null default 0,
    closed_of_assigned  integer not null default 0,
    submitted           integer not null default 0,
    closed              integer not null default 0,
    reworked            integer not null default 0,
    due                 integer not null default 0,
    on_time             integer not null default 0,
    rectified           integer not null default 0,
    rectify_seconds     bigint not null default 0,
    primary key (day, unit_id)
);
create index report_daily_unit_unit_day_idx on report_daily_unit (unit_id, day);


-- What one issue contributes to the aggregates, one row per day it counts on. Every indicator
-- of DOMAIN.md (Reports) is defined here and nowhere else. Fixed-on-the-spot findings never
-- went through confirmation, dispatch or a deadline: they count as found, submitted, closed.
create function report_facts(i issues, zone text)
returns table (day date, unit_id bigint, subdistrict_id bigint, category text, site_kind text,
               found int, confirmed int, assigned int, closed_of_assigned int, submitted int,
               closed int, reworked int, due int, on_time int, rectified int,
               rectify_seconds bigint)
language sql immutable as $$
    select f.day, coalesce(i.lead_unit_id, i.subdistrict_id), i.subdistrict_id, i.category,
           i.site_kind, f.found, f.confirmed, f.assigned, f.closed_of_assigned, f.submitted,
           f.closed, f.reworked, f.due, f.on_time, f.rectified, f.rectify_seconds
    from (values
        ((i.reported_at at time zone zone)::date, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint),
        (case when i.status not in ('reported', 'rejected') and not i.fixed_on_spot
              then (i.triaged_at at time zone zone)::date end,
         0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint),
        (case when not i.fixed_on_spot then (i.first_assigned_at at time zone zone)::date end,
         0, 0, 1, (i.status = 'closed')::int, 0, 0, 0, 0, 0, 0, 0::bigint),
        ((i.submitted_at at time zone zone)::date, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0::bigint),
        ((i.closed_at at time zone zone)::date, 0, 0, 0, 0, 0, 1, (i.return_count > 0)::int,
         0, 0, (not i.fixed_on_spot)::int,
         case when i.fixed_on_spot then 0::bigint
              else floor(extract(epoch from i.submitted_at - i.first_assigned_at))::bigint end),
        (case when not i.fixed_on_spot then (i.due_at at time zone zone)::date end,
         0, 0, 0, 0, 0, 0, 0, 1,
         (i.status = 'closed' and i.submitted_at <= i.due_at)::int, 0, 0::bigint)
    ) as f(day, found, confirmed, assigned, closed_of_assigned, submitted, closed, reworked,
           due, on_time, rectified, rectify_seconds)
    where f.day is not null
$$;

-- Adds what the `added` issues contribute and takes away what the `removed` ones did, to
-- report_daily and its rollup; rows that cancel out are not written (an escalation bump touches
-- no aggregate). Keys are written in order, so concurrent transactions lock shared rows in the
-- same order. PL/pgSQL keeps the statement's plan for the session (a SQL function was planned
-- on every call: ~1.1 ms per changed issue).
create function report_daily_merge(removed issues[], added issues[]) returns void
    language plpgsql as $$
#variable_conflict use_column
begin
    with delta as (
        select f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind,
               sum(c.sign * f.found) as found, sum(c.sign * f.confirmed) as confirmed,
               sum(c.sign * f.assigned) as assigned,
               sum(c.sign * f.closed_of_assigned) as closed_of_assigned,
               sum(c.sign * f.submitted) as submitted, sum(c.sign * f.closed) as closed,
               sum(c.sign * f.reworked) as reworked, sum(c.sign * f.due) as due,
               sum(c.sign * f.on_time) as on_time, sum(c.sign * f.rectified) as rectified,
               sum(c.sign * f.rectify_seconds) as rectify_seconds
        from (select o as i, -1 as sign from unnest(removed) o
              union all
              select n, 1 from unnest(added) n) c
        cross join lateral report_facts(c.i, (select time_zone from district_settings)) f
        group by f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind
        having sum(c.sign * f.found) <> 0 or sum(c.sign * f.confirmed) <> 0
            or sum(c.sign * f.assigned) <> 0 or sum(c.sign * f.closed_of_assigned) <> 0
            or sum(c.sign * f.submitted) <> 0 or sum(c.sign * f.closed) <> 0
            or sum(c.sign * f.reworked) <> 0 or sum(c.sign * f.due) <> 0
            or sum(c.sign * f.on_time) <> 0 or sum(c.sign * f.rectified) <> 0
            or sum(c.sign * f.rectify_seconds) <> 0
    ),
    detail as (
        insert into report_daily as r
        select * from delta
        order by day, unit_id, subdistrict_id, category, site_kind
        on conflict (day, unit_id, subdistrict_id, category, site_kind) do update set
            found = r.found + excluded.found,
            confirmed = r.confirmed + excluded.confirmed,
            assigned = r.assigned + excluded.assigned,
            closed_of_assigned = r.closed_of_assigned + excluded.closed_of_assigned,
            submitted = r.submitted + excluded.submitted,
            closed = r.closed + excluded.closed,
            reworked = r.reworked + excluded.reworked,
            due = r.due + excluded.due,
            on_time = r.on_time + excluded.on_time,
            rectified = r.rectified + excluded.rectified,
            rectify_seconds = r.rectify_seconds + excluded.rectify_seconds
    )
    insert into report_daily_unit as u
    select day, unit_id, sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned),
           sum(submitted), sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
           sum(rectify_seconds)
    from delta
    group by day, unit_id
    order by day, unit_id
    on conflict (day, unit_id) do update set
        found = u.found + excluded.found,
        confirmed = u.confirmed + excluded.confirmed,
        assigned = u.assigned + excluded.assigned,
        closed_of_assigned = u.closed_of_assigned + excluded.closed_of_assigned,
        submitted = u.submitted + excluded.submitted,
        closed = u.closed + excluded.closed,
        reworked = u.reworked + excluded.reworked,
        due = u.due + excluded.due,
        on_time = u.on_time + excluded.on_time,
        rectified = u.rectified + excluded.rectified,
        rectify_seconds = u.rectify_seconds + excluded.rectify_seconds;
end $$;

create function report_daily_apply() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform report_daily_merge(null, (select array_agg(n::issues) from new_rows n));
    elsif tg_op = 'UPDATE' then
        perform report_daily_merge((select array_agg(o::issues) from old_rows o),
                                   (select array_agg(n::issues) from new_rows n));
    else
        perform report_daily_merge((select array_agg(o::issues) from old_rows o), null);
    end if;
    return null;
end $$;
create trigger issues_report_insert after insert on issues
    referencing new table as new_rows
    for each statement execute function report_daily_apply();
create trigger issues_report_update after update on issues
    referencing old table as old_rows new table as new_rows
    for each statement execute function report_daily_apply();
create trigger issues_report_delete after delete on issues
    referencing old table as old_rows
    for each statement execute function report_daily_apply();

-- The aggregates as recomputed from the ledger; equal to report_daily (ignoring rows that
-- net to zero) whenever the triggers did their work.
create view report_daily_recomputed as
    select f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind,
           sum(f.found)::int as found, sum(f.confirmed)::int as confirmed,
           sum(f.assigned)::int as assigned, sum(f.closed_of_assigned)::int as closed_of_assigned,
           sum(f.submitted)::int as submitted, sum(f.closed)::int as closed,
           sum(f.reworked)::int as reworked, sum(f.due)::int as due,
           sum(f.on_time)::int as on_time, sum(f.rectified)::int as rectified,
           sum(f.rectify_seconds)::bigint as rectify_seconds
    from issues i
    cross join lateral report_facts(i, (select time_zone from district_settings)) f
    group by f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind;

insert into report_daily select * from report_daily_recomputed
    order by day, unit_id, subdistrict_id, category, site_kind;
insert into report_daily_unit
select day, unit_id, sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned),
       sum(submitted), sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
       sum(rectify_seconds)
from report_daily
group by day, unit_id
order by day, unit_id;

-- The map counts open issues per territory: from the open ones only (measured 368 → 28 ms).
create index issues_open_territory_idx on issues (subdistrict_id)
    include (id, status, due_at, lead_unit_id)
    where status in ('reported', 'confirmed', 'assigned', 'submitted');

grant select, insert, update, delete on report_daily, report_daily_unit, district_settings
    to lantian_app;
grant select on report_daily_recomputed to lantian_app;
