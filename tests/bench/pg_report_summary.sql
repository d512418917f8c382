-- GET /api/v1/reports/summary?group_by=unit&from=F&to=T: what ReportService::Summarize runs, in
-- its transaction (db::InTransaction: BEGIN … COMMIT, read committed), with the texts of
-- services/reports/report_repository.cpp for group_by=unit: Aggregates (on the day × unit rollup
-- report_daily_unit; the office's text has no unit, a handler's is its own text with
-- `and unit_id = $3`: scoped=1), OverdueAtEnd (by unit: assignments only), Units.
-- PREPAREd once per client as the service prepares them (db::Exec), EXECUTEd with the values it
-- binds: the days F and T, the caller's unit or null (office), as_of = min(end of T in the
-- district, now) and the window's start (F's district midnight) in µs. reports_bench.sh checks
-- these texts against the ones the running service sends (captured from PostgreSQL's log).
-- pgbench -n -M simple -D prepared=0 -D nperiods=N -D froms='{2025-01-01,…}' -D tos='{…}'
--         -D asofs='{µs,…}' -D starts='{µs,…}' -D scope_unit=null -D scoped=0
--         (a handler: -D scope_unit=its unit id -D scoped=1)
\set k random(1, :nperiods)
\if :prepared = 0
prepare lt_aggregates_unit as
select unit_id::text,
            sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned), sum(submitted),
            sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
            sum(rectify_seconds)
        from report_daily_unit where day between $1::date and $2::date group by 1;
prepare lt_aggregates_unit_scoped as
select unit_id::text,
            sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned), sum(submitted),
            sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
            sum(rectify_seconds)
        from report_daily_unit where day between $1::date and $2::date and unit_id = $3 group by 1;
prepare lt_overdue_unit as
select a.lead_unit_id::text, count(*)
        from issue_assignments a
        where tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), '()') @> to_timestamp($1::float8 / 1e6)
          and ($2::bigint is null or a.lead_unit_id = $2)
          and to_timestamp($3::float8 / 1e6) <= to_timestamp($1::float8 / 1e6)
        group by 1;
prepare lt_units as
    select id, name, kind from units where kind = any ($1::text[])
    order by array_position($1::text[], kind), id;
\set prepared 1
\endif
begin;
\if :scoped
execute lt_aggregates_unit_scoped((':froms'::date[])[:k], (':tos'::date[])[:k], :scope_unit);
\else
execute lt_aggregates_unit((':froms'::date[])[:k], (':tos'::date[])[:k]);
\endif
execute lt_overdue_unit((':asofs'::bigint[])[:k], :scope_unit, (':starts'::bigint[])[:k]);
execute lt_units('{subdistrict,park,department,office}');
commit;
