-- The reports leaders read most — the summary by unit, the ranking, the bulletin, the daily
-- trend — need only day × unit. report_daily keeps every category, site kind and territory too
-- (a city's month: ~26k rows on ~10k pages, measured 130 ms); this rollup holds one row per day
-- and unit (a city's two years: ~13k rows, 2 MB; measured month p99 47 ms at 8 connections) and
-- moves with report_daily in the same statement of the same trigger.
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

insert into report_daily_unit
select day, unit_id, sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned),
       sum(submitted), sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
       sum(rectify_seconds)
from report_daily
group by day, unit_id
order by day, unit_id;

create or replace function report_daily_merge(removed issues[], added issues[]) returns void
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

-- The map counts open issues per territory: from the open ones only (measured 368 → 28 ms).
create index issues_open_territory_idx on issues (subdistrict_id)
    include (id, status, due_at, lead_unit_id)
    where status in ('reported', 'confirmed', 'assigned', 'submitted');

grant select, insert, update, delete on report_daily_unit to lantian_app;
