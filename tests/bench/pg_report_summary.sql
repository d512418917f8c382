-- GET /api/v1/reports/summary?group_by=unit&from=F&to=T: what ReportService::Summarize runs, in
-- its transaction (db::InTransaction: BEGIN … COMMIT, read committed), with the texts of
-- services/reports/report_repository.cpp for group_by=unit: Aggregates, OverdueAtEnd (by unit),
-- Units. The office (scoped=0) reads the day × unit rollup report_daily_unit and the overdue
-- assignments alone; a handler (scoped=1) counts its figures from the ledger, report_facts() over
-- the issues its unit leads or co-handles (VisibleFactsSql), and its overdue assignments through
-- the same visibility predicate (report_sql.hpp VisibleTo), each in its own statement text.
-- PREPAREd once per client as the service prepares them (db::Exec), EXECUTEd with the values it
-- binds: the days F and T, the caller's unit or null (office), as_of = min(end of T in the
-- district, now) and the window's start (F's district midnight) as timestamptz. reports_bench.sh
-- checks these texts against the ones the running service sends (captured from PostgreSQL's log).
-- pgbench -n -M simple -D prepared=0 -D nperiods=N -D froms='{2025-01-01,…}' -D tos='{…}'
--         -D asofs='{2025-02-01T00:00:00+08:00,…}' -D starts='{…}' -D scope_unit=null -D scoped=0
--         (a handler: -D scope_unit=its unit id -D scoped=1)
\set k random(1, :nperiods)
\if :prepared = 0
prepare lt_aggregates_unit as
select unit_id::text,
            sum(found), sum(confirmed), sum(assigned), sum(closed_of_assigned), sum(submitted),
            sum(closed), sum(reworked), sum(due), sum(on_time), sum(rectified),
            sum(rectify_seconds)
        from report_daily_unit where day between $1::date and $2::date group by 1;
prepare lt_facts_unit as
select $3::bigint::text,
            sum(f.found), sum(f.confirmed), sum(f.assigned), sum(f.closed_of_assigned), sum(f.submitted),
            sum(f.closed), sum(f.reworked), sum(f.due), sum(f.on_time), sum(f.rectified),
            sum(f.rectify_seconds)
        from issues i cross join lateral report_facts(i, (select time_zone from district_settings)) f
        where $3::bigint is not null and ($3::bigint is null or i.lead_unit_id = $3 or $3 = any (i.co_unit_ids))
          and f.day between $1::date and $2::date group by 1;
prepare lt_overdue_unit as
select a.lead_unit_id::text, count(*)
        from issue_assignments a
        where tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), '()') @> $1::timestamptz
          and ($2::bigint is null)
          and $3::timestamptz <= $1::timestamptz
        group by 1;
prepare lt_overdue_unit_scoped as
select $2::bigint::text, count(*)
        from issue_assignments a join issues i on i.id = a.issue_id
        where tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), '()') @> $1::timestamptz
          and (($2::bigint is null or i.lead_unit_id = $2 or $2 = any (i.co_unit_ids)))
          and $3::timestamptz <= $1::timestamptz
        group by 1;
prepare lt_units as
    select id, name, kind from units where kind = any ($1::text[])
    order by array_position($1::text[], kind), id;
\set prepared 1
\endif
begin;
\if :scoped
execute lt_facts_unit((':froms'::date[])[:k], (':tos'::date[])[:k], :scope_unit);
execute lt_overdue_unit_scoped((':asofs'::timestamptz[])[:k], :scope_unit, (':starts'::timestamptz[])[:k]);
\else
execute lt_aggregates_unit((':froms'::date[])[:k], (':tos'::date[])[:k]);
execute lt_overdue_unit((':asofs'::timestamptz[])[:k], null, (':starts'::timestamptz[])[:k]);
\endif
execute lt_units('{subdistrict,park,department,office}');
commit;
