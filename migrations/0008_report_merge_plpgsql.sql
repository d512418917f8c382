-- report_daily_merge() as PL/pgSQL: a SQL-language function called from the trigger was parsed
-- and planned again on every call (measured ~1.1 ms per changed issue); PL/pgSQL keeps the
-- plan of its statement for the session. Same statement, same results.
create or replace function report_daily_merge(removed issues[], added issues[]) returns void
    language plpgsql as $$
begin
    insert into report_daily as r (day, unit_id, subdistrict_id, category, site_kind, found,
        confirmed, assigned, closed_of_assigned, submitted, closed, reworked, due, on_time,
        rectified, rectify_seconds)
    select f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind,
           sum(c.sign * f.found), sum(c.sign * f.confirmed), sum(c.sign * f.assigned),
           sum(c.sign * f.closed_of_assigned), sum(c.sign * f.submitted),
           sum(c.sign * f.closed), sum(c.sign * f.reworked), sum(c.sign * f.due),
           sum(c.sign * f.on_time), sum(c.sign * f.rectified), sum(c.sign * f.rectify_seconds)
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
    order by f.day, f.unit_id, f.subdistrict_id, f.category, f.site_kind
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
        rectify_seconds = r.rectify_seconds + excluded.rectify_seconds;
end $$;
