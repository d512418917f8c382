-- GET /api/v1/reports/ranking?from=F&to=T: what ReportService::Rank runs, in its transaction
-- (BEGIN … COMMIT), with the texts of services/reports/report_repository.cpp: Aggregates (the
-- day × unit rollup, unscoped text) and OverdueAtEnd for group_by=unit (no scope: the ranking is
-- public), Escalations, Units.
-- PREPAREd once per client as the service prepares them, EXECUTEd with the values it binds:
-- the days F and T, as_of = min(end of T, now) and the window's start and end (district
-- midnights) as timestamptz. reports_bench.sh checks the texts against the running service's.
-- pgbench -n -M simple -D prepared=0 -D nperiods=N -D froms='{…}' -D tos='{…}' -D asofs='{…}'
--         -D starts='{2025-01-01T00:00:00+08:00,…}' -D ends='{…}'
\set k random(1, :nperiods)
\if :prepared = 0
prepare lt_aggregates_unit as
select unit_id::text,
            sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned), sum(submitted),
            sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
            sum(rectify_seconds)
        from report_daily_unit where day between $1::date and $2::date group by 1;
prepare lt_overdue_unit as
select a.lead_unit_id::text, count(*)
        from issue_assignments a
        where tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), '()') @> $1::timestamptz
          and ($2::bigint is null)
          and $3::timestamptz <= $1::timestamptz
        group by 1;
prepare lt_escalations as
    select unit_id, level, count(*) from escalations
    where raised_at >= $1::timestamptz and raised_at < $2::timestamptz
    group by unit_id, level;
prepare lt_units as
    select id, name, kind from units where kind = any ($1::text[])
    order by array_position($1::text[], kind), id;
\set prepared 1
\endif
begin;
execute lt_aggregates_unit((':froms'::date[])[:k], (':tos'::date[])[:k]);
execute lt_overdue_unit((':asofs'::timestamptz[])[:k], null, (':starts'::timestamptz[])[:k]);
execute lt_escalations((':starts'::timestamptz[])[:k], (':ends'::timestamptz[])[:k]);
execute lt_units('{subdistrict,park}');
commit;
