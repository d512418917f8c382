-- A city's worth of ledger data, set-based, for tests/bench/ledger_bench.sh or by hand, on a
-- database after `lantian migrate` and `lantian seed-demo`:
--
--   psql -X -v ON_ERROR_STOP=1 -f tests/bench/ledger_gen.sql                    (the defaults)
--   psql -X -v sites=100000 -v issues=1000000 -v events=0 -f tests/bench/ledger_gen.sql
--
--   sites   sites to add with load_sites.sql (uniform over the demo district, each in the unit
--           whose boundary covers it) [100000]; 0 adds none and uses the sites already there
--   issues  issues to add [1000000]
--   events  audit events to add for the newest issues, in one INSERT through the chaining
--           trigger [0]; see the note at step 6 before asking for many
--   report_triggers  with the reports' aggregates (migration 0007): off [default] disables the
--           three issues_report_* statement triggers while the issues go in (one transaction;
--           back on at its end) and leaves report_daily and report_daily_unit as they were: the
--           caller then runs `lantian reports rebuild`, the service's one recomputation
--           (bench_lib.sh's ledger_generate does both); on lets the insert trigger aggregate the
--           whole INSERT itself (array_agg of every new row: ~0.7 GB for 1M issues, and past
--           ~1.5M issues more than an array may hold)
--
-- What it adds (every row satisfies the schema's CHECK constraints and foreign keys):
--   * 20 inspectors, two per subdistrict or park (insp-<unit code>-1/2), who sign in with the
--     password of the demo inspector xuncha1 (their password_hash is a copy of hers);
--   * :issues issues over the two years before now, ids in the order of reported_at as the
--     service would have written them. Each is at a random site (skewed: some sites have many),
--     with the site's subdistrict and kind, a category that fits the kind, severity 1/2/3 at
--     60/30/10 %, source patrol 70 % (reported by an inspector of the site's unit; 8 % of patrol
--     findings fixed on the spot), hotline 15 %, superior 5 %, monitoring 7 %, media 3 % (the
--     office 环委办 types those in), 1 to 3 photo ids. Status:
--       closed 82 %, rejected 7 % (one in ten a duplicate of an earlier issue), assigned 6 %,
--       submitted 3 %, reported 1 %, confirmed 1 %;
--     assigned, submitted and closed issues have a lead unit (the site's subdistrict 55 %, else
--     the department that handles the category), co-units for 30 % (one, or two for 5 %), and
--     due_at = assigned_at + the deadline rule (168/72/24 h by severity) or, for half of them, a
--     deadline the office set (15–90 days); 10 % of the assigned issues are overdue; reported
--     and confirmed issues are a few days old at most; every time respects
--     reported ≤ received, triaged ≤ assigned ≤ submitted ≤ closed ≤ now;
--   * one issue_assignments row per assigned, submitted or closed issue: open (ended_at null) for
--     assigned and submitted ones, ended with outcome 'closed' at closed_at for closed ones; its
--     submitted_at (migration 0007) is the issue's (set for submitted and closed issues);
--   * with migration 0007: issues.first_assigned_at = assigned_at (the issues_first_assignment
--     trigger sets it); step 7 counts the issues without first_assigned_at and the assignments
--     whose submitted_at differs from the issue's. The aggregates (report_daily and its rollup
--     report_daily_unit) are NOT filled here unless report_triggers: after this file, run
--     `lantian reports rebuild` (`lantian reports verify` then checks them; reports_bench.sh
--     runs both);
--   * :events audit events (action 'report' with the issue's snapshot) for the newest issues;
--   * VACUUM ANALYZE of what it filled.
-- Deterministic apart from the UUIDs and now(): setseed below and in load_sites.sql.
\set ON_ERROR_STOP 1
\if :{?sites}
\else
\set sites 100000
\endif
\if :{?issues}
\else
\set issues 1000000
\endif
\if :{?events}
\else
\set events 0
\endif
\if :{?report_triggers}
\else
\set report_triggers off
\endif
\pset footer off
set work_mem = '256MB';
set maintenance_work_mem = '512MB';
set max_parallel_workers_per_gather = 0;
set jit = off;  -- compiling the big expressions below takes longer than running them

select clock_timestamp() as t_start \gset
select clock_timestamp() as t_step \gset

-- 1. Sites ----------------------------------------------------------------------------------------
select :sites > 0 as add_sites \gset
\if :add_sites
\set n :sites
\ir load_sites.sql
\endif
select format('1. sites: %s in all, %s s', (select count(*) from sites),
              round(extract(epoch from clock_timestamp() - :'t_step'::timestamptz)::numeric, 1))
       as msg \gset
\echo :msg

-- 2. Inspectors ------------------------------------------------------------------------------------
select clock_timestamp() as t_step \gset
insert into users (username, display_name, role, unit_id, password_hash)
select 'insp-' || lower(u.code) || '-' || k, u.name || ' 巡查员' || k, 'inspector', u.id,
       (select password_hash from users where username = 'xuncha1')
from units u cross join generate_series(1, 2) as k
where u.kind in ('subdistrict', 'park')
on conflict (username) do nothing;

-- 3. Issues -----------------------------------------------------------------------------------------
select clock_timestamp() as t_step \gset
select setseed(0.31415);
select coalesce(max(id), 0) as first_id, now() as now0 from issues \gset
-- The reports' aggregates (migration 0007), when the schema has them: unless report_triggers,
-- one transaction from here to step 3b, with the statement triggers off (back on whatever
-- happens); `lantian reports rebuild` fills the aggregates afterwards.
select to_regclass('report_daily') is not null as has_reports \gset
\if :has_reports
\if :report_triggers
\else
begin;
alter table issues disable trigger issues_report_insert, disable trigger issues_report_update,
                   disable trigger issues_report_delete;
\endif
\endif

create temp table gen_units as
select (select id from units where code = 'JF-OFF-HUANWEIBAN') as office_unit,
       (select id from users where username = 'huanweiban') as office_user,
       (select id from units where code = 'JF-DEPT-CHENGGUAN') as chengguan,
       (select id from units where code = 'JF-DEPT-ZHUJIAN') as zhujian,
       (select id from units where code = 'JF-DEPT-SHENGTAI') as shengtai,
       (select id from units where code = 'JF-DEPT-GONGXIN') as gongxin,
       (select id from units where code = 'JF-DEPT-HUANWEI') as huanwei,
       (select id from units where code = 'JF-DEPT-SHICHANG') as shichang;

-- Categories by site kind, and the departments that handle each category (first, second).
create temp table gen_kind_categories (kind text primary key, categories text[]);
insert into gen_kind_categories values
    ('restaurant', '{fume_direct_emission,purifier_not_running,shop_front_duty,garbage_accumulation}'),
    ('open_air_bbq', '{open_air_bbq,fume_direct_emission}'),
    ('construction_site', '{dust_uncovered,no_dust_suppression,muddy_vehicles,muck_truck_uncovered}'),
    ('bare_soil', '{dust_uncovered,no_dust_suppression,open_burning}'),
    ('industrial_enterprise', '{emission_exceeded,fugitive_emission,open_burning}'),
    ('shop_front', '{shop_front_duty,garbage_accumulation,other}'),
    ('residential_compound', '{garbage_accumulation,open_burning,other}'),
    ('back_alley', '{garbage_accumulation,open_burning,open_air_bbq}'),
    ('mall_supermarket', '{shop_front_duty,fume_direct_emission,other}'),
    ('farmers_market', '{garbage_accumulation,shop_front_duty,open_air_bbq}');

create temp table gen_category_units as
select c.category, c.label, d1, d2
from gen_units g, lateral (values
    ('fume_direct_emission', '油烟直排', g.chengguan, g.shengtai),
    ('purifier_not_running', '净化设施未正常运行', g.shengtai, g.chengguan),
    ('open_air_bbq', '露天烧烤', g.chengguan, g.shichang),
    ('dust_uncovered', '物料/裸土未苫盖', g.zhujian, g.chengguan),
    ('no_dust_suppression', '未落实洒水降尘', g.zhujian, g.huanwei),
    ('muddy_vehicles', '车辆带泥上路', g.chengguan, g.zhujian),
    ('muck_truck_uncovered', '渣土车未密闭', g.chengguan, g.zhujian),
    ('open_burning', '露天焚烧', g.huanwei, g.shengtai),
    ('emission_exceeded', '超标排放', g.shengtai, g.gongxin),
    ('fugitive_emission', '无组织排放', g.gongxin, g.shengtai),
    ('shop_front_duty', '门前五包不落实', g.shichang, g.chengguan),
    ('garbage_accumulation', '垃圾堆积', g.huanwei, g.chengguan),
    ('other', '其他', g.chengguan, g.shichang)) as c(category, label, d1, d2);
alter table gen_category_units add primary key (category);

-- The inspectors of each territorial unit (the demo ones too).
create temp table gen_inspectors as
select unit_id, array_agg(id order by id) as ids
from users where role = 'inspector' and unit_id is not null and not disabled
group by unit_id;
alter table gen_inspectors add primary key (unit_id);

-- Sites by position, for a skewed random pick (site k+1 is picked more often than site k+2).
create temp table gen_sites as
select row_number() over (order by id) as k, id, subdistrict_id, kind, location
from sites where status = 'active';
alter table gen_sites add primary key (k);
select count(*) as nsites from gen_sites \gset
analyze gen_sites;

-- Every draw first, then each time from the one before it (lateral steps), sorted by reported_at
-- so that ids follow the order the service would have received them in.
insert into issues (
    client_id, site_id, subdistrict_id, site_kind, category, severity, description, location,
    photo_ids, source, status, fixed_on_spot, reported_by, reported_at, received_at, triaged_at,
    rejection_kind, rejection_reason, lead_unit_id, co_unit_ids, assigned_at, due_at,
    submitted_at, rectification, rectification_photo_ids, verification_comment, closed_at,
    version, updated_at)
select gen_random_uuid(), st.id, st.subdistrict_id, st.kind, c.category, d.severity,
       cu.label || '：' || (array['一般', '较重', '严重'])[d.severity] || '问题，现场照片'
           || x.nphotos || '张（压测数据 ' || x.g || '）',
       st.location::geography,
       array(select encode(sha256(convert_to(x.g || '/' || k, 'UTF8')), 'hex')
             from generate_series(1, x.nphotos) as k),
       d.source, d.status, d.fixed,
       case when d.source = 'patrol'
            then coalesce(ins.ids[1 + floor(x.r_rep * cardinality(ins.ids))::int], gu.office_user)
            else gu.office_user end,
       t1.reported_at, t1.received_at, t2.triaged_at,
       case when d.status = 'rejected' then 'invalid' end,
       case when d.status = 'rejected' then '经核实不属于大气污染问题' end,
       l.lead,
       case when l.lead is null or d.fixed then '{}'::bigint[]
            when x.r_co < 0.05 then array[l.co1, l.co2]
            when x.r_co < 0.30 then array[l.co1]
            else '{}'::bigint[] end,
       t1.assigned_at, t1.due_at, t2.submitted_at,
       case when t2.submitted_at is not null then '已整改完毕，见整改照片' end,
       case when t2.submitted_at is null then '{}'::text[]
            else array(select encode(sha256(convert_to('r' || x.g || '/' || k, 'UTF8')), 'hex')
                       from generate_series(1, 1 + x.nphotos % 2) as k) end,
       case when d.status = 'closed' then '现场核查已整改到位' end,
       t3.closed_at,
       case d.status when 'reported' then 1 when 'confirmed' then 2 when 'rejected' then 2
                     when 'assigned' then 3 when 'submitted' then case when d.fixed then 1 else 4 end
                     else case when d.fixed then 2 else 5 end end,
       greatest(t1.received_at, t2.triaged_at, t1.assigned_at, t2.submitted_at, t3.closed_at)
from (
    select g, random() as r_site, random() as r_cat, random() as r_sev, random() as r_src,
           random() as r_st, random() as r_fix, random() as r_rep, random() as r_span,
           random() as r_span2, random() as r_ovd, random() as r_age, random() as r_t,
           random() as r_s, random() as r_c, random() as r_lead, random() as r_co,
           random() as r_rcv, 1 + floor(random() * 3)::int as nphotos
    from generate_series(1, :issues) as g) as x
cross join gen_units gu
-- skewed: site k is picked with density ∝ k^(-1/3) (the first sites get ~4x the average)
join gen_sites st on st.k = 1 + least(:nsites - 1, floor(power(x.r_site, 1.5) * :nsites)::bigint)
join gen_kind_categories kc on kc.kind = st.kind
cross join lateral (
    select kc.categories[1 + floor(x.r_cat * cardinality(kc.categories))::int] as category) as c
join gen_category_units cu on cu.category = c.category
left join gen_inspectors ins on ins.unit_id = st.subdistrict_id
cross join lateral (
    select case when x.r_sev < 0.6 then 1 when x.r_sev < 0.9 then 2 else 3 end as severity,
           case when x.r_src < 0.70 then 'patrol' when x.r_src < 0.85 then 'hotline'
                when x.r_src < 0.90 then 'superior' when x.r_src < 0.97 then 'monitoring'
                else 'media' end as source,
           case when x.r_st < 0.01 then 'reported' when x.r_st < 0.02 then 'confirmed'
                when x.r_st < 0.09 then 'rejected' when x.r_st < 0.15 then 'assigned'
                when x.r_st < 0.18 then 'submitted' else 'closed' end as status) as d0
cross join lateral (
    select d0.*,
           d0.source = 'patrol' and d0.status in ('submitted', 'closed') and x.r_fix < 0.08 as fixed,
           -- hours to the deadline: the rule for the severity, or (half) one the office set
           case when x.r_span < 0.5 then (array[168, 72, 24])[d0.severity]
                else 24 * (15 + 75 * x.r_span2) end as span_h) as d
cross join lateral (
    select case when d.status not in ('assigned', 'submitted', 'closed') then null
                when d.fixed or x.r_lead < 0.55 then st.subdistrict_id
                when x.r_lead < 0.91 then cu.d1
                else cu.d2 end as lead) as l0
cross join lateral (
    select l0.lead,
           case when l0.lead = st.subdistrict_id then cu.d1 else st.subdistrict_id end as co1,
           case when l0.lead = cu.d2 then cu.d1 else cu.d2 end as co2) as l
cross join lateral (
    select case when d.fixed then null
                when d.status = 'assigned' and x.r_ovd < 0.10 then  -- overdue
                    :'now0'::timestamptz - interval '1 hour' * d.span_h - interval '1 minute'
                        - interval '1 day' * 30 * x.r_age
                when d.status = 'assigned' then
                    :'now0'::timestamptz - interval '1 hour' * d.span_h * 0.95 * x.r_age
                when d.status = 'submitted' then
                    :'now0'::timestamptz - interval '3 hours' - interval '1 day' * 20 * x.r_age
                when d.status = 'closed' then
                    :'now0'::timestamptz - interval '10 days' - interval '1 day' * 718 * x.r_age
           end as assigned_at0) as a0
cross join lateral (
    select case when d.fixed and d.status = 'submitted' then
                    :'now0'::timestamptz - interval '1 hour' * (1 + 71 * x.r_age)
                when d.fixed then
                    :'now0'::timestamptz - interval '3 days' - interval '1 day' * 727 * x.r_age
                when d.status = 'reported' then  -- received up to 10 minutes later
                    :'now0'::timestamptz - interval '11 minutes' - interval '1 hour' * 48 * x.r_age
                when d.status = 'confirmed' then
                    :'now0'::timestamptz - interval '1 hour' - interval '1 hour' * 95 * x.r_age
                when d.status = 'rejected' then
                    :'now0'::timestamptz - interval '31 hours' - interval '1 day' * 728 * x.r_age
                else a0.assigned_at0 - interval '1 hour' * (2 + 46 * x.r_t)
           end as reported_at) as r
cross join lateral (
    select r.reported_at,
           r.reported_at + interval '1 second' * (5 + 595 * x.r_rcv) as received_at) as t0
cross join lateral (
    select t0.*,
           case when d.fixed then t0.received_at else a0.assigned_at0 end as assigned_at,
           case when d.fixed then t0.received_at
                else a0.assigned_at0 + interval '1 hour' * d.span_h end as due_at) as t1
cross join lateral (
    select case when d.status = 'reported' or d.fixed then null
                when d.status in ('confirmed', 'rejected') then
                    least(:'now0'::timestamptz, t1.received_at + interval '1 hour' * (1 + 30 * x.r_t))
                else t1.received_at + (t1.assigned_at - t1.received_at) * 0.6 end as triaged_at,
           case when d.fixed then t1.received_at
                when d.status = 'submitted' then
                    t1.assigned_at + (:'now0'::timestamptz - t1.assigned_at) * (0.1 + 0.85 * x.r_s)
                when d.status = 'closed' then
                    least(:'now0'::timestamptz - interval '2 hours',
                          t1.assigned_at + interval '1 hour' * d.span_h * (0.2 + 0.9 * x.r_s))
           end as submitted_at) as t2
cross join lateral (
    select case when d.status <> 'closed' then null
                when d.fixed then least(:'now0'::timestamptz - interval '1 minute',
                                        t2.submitted_at + interval '1 hour' * (2 + 46 * x.r_c))
                else least(:'now0'::timestamptz - interval '1 minute',
                           t2.submitted_at + interval '1 hour' * (2 + 70 * x.r_c))
           end as closed_at) as t3
order by t1.reported_at;

-- One in ten rejections: a duplicate of the issue before it at the same site.
update issues i set rejection_kind = 'duplicate', duplicate_of = d.prev,
                    rejection_reason = '与已上报问题重复'
from (select id, lag(id) over (partition by site_id order by id) as prev
      from issues where id > :first_id) as d
where i.id = d.id and i.status = 'rejected' and d.prev is not null and i.id % 10 = 0;

select format('3. issues: %s added, %s s%s', (select count(*) from issues where id > :first_id),
              round(extract(epoch from clock_timestamp() - :'t_step'::timestamptz)::numeric, 1),
              case when :'has_reports'::bool and :'report_triggers'::bool
                   then ' (report_daily kept by the statement triggers)' else '' end)
       as msg \gset
\echo :msg

-- 3b. The reports' statement triggers back on; the aggregates are left to `lantian reports rebuild`
\if :has_reports
\if :report_triggers
\else
alter table issues enable trigger issues_report_insert, enable trigger issues_report_update,
                   enable trigger issues_report_delete;
commit;
\echo '3b. report_daily, report_daily_unit: not filled (triggers were off); lantian reports rebuild fills them'
\endif
\endif

-- 4. Assignments ----------------------------------------------------------------------------------
select clock_timestamp() as t_step \gset
-- submitted_at (migration 0007): when the evidence was submitted, as the service records it
-- (null for assigned issues; the issue's for submitted and closed ones, fixed on the spot too).
\if :has_reports
\set assignment_submitted ', submitted_at'
\set assignment_submitted_value ', i.submitted_at'
\else
\set assignment_submitted ''
\set assignment_submitted_value ''
\endif
insert into issue_assignments (issue_id, lead_unit_id, co_unit_ids, assigned_at, due_at,
                               assigned_by, ended_at, outcome :assignment_submitted)
select i.id, i.lead_unit_id, i.co_unit_ids, i.assigned_at, i.due_at,
       case when i.fixed_on_spot then i.reported_by else gu.office_user end,
       case when i.status = 'closed' then i.closed_at end,
       case when i.status = 'closed' then 'closed' end
       :assignment_submitted_value
from issues i cross join gen_units gu
where i.id > :first_id and i.status in ('assigned', 'submitted', 'closed')
order by i.id;
select format('4. issue_assignments: %s added, %s s',
              (select count(*) from issue_assignments a where a.issue_id > :first_id),
              round(extract(epoch from clock_timestamp() - :'t_step'::timestamptz)::numeric, 1))
       as msg \gset
\echo :msg

-- 5. Audit events ----------------------------------------------------------------------------------
-- The chaining trigger (issue_events_chain) runs once per row: it locks and updates the one
-- audit_chain_head row, so inside one statement every row leaves a dead version of that row that
-- the next row's lookup must step over; the cost grows with the square of the count. Events are
-- therefore only written for the :events newest issues (the report event, with the snapshot of
-- the issue as it is now), and the audit table otherwise stays as small as the benchmark leaves it.
select clock_timestamp() as t_step \gset
insert into issue_events (issue_id, at, actor_id, actor_role, actor_unit_id, request_id, action,
                          before, after)
select i.id, i.received_at, i.reported_by, u.role, u.unit_id, 'ledger-gen-' || i.id,
       case when i.fixed_on_spot then 'report_fixed' else 'report' end, null,
       jsonb_build_object(
           'status', i.status, 'lead_unit_id', i.lead_unit_id, 'co_unit_ids', i.co_unit_ids,
           'assigned_at', i.assigned_at, 'due_at', i.due_at, 'submitted_at', i.submitted_at,
           'rectification', i.rectification, 'rectification_photo_ids', i.rectification_photo_ids,
           'verification_comment', i.verification_comment,
           'verification_photo_ids', i.verification_photo_ids,
           'closed_at', i.closed_at, 'rejection_kind', i.rejection_kind,
           'rejection_reason', i.rejection_reason, 'duplicate_of', i.duplicate_of,
           'return_count', i.return_count, 'escalation_level', i.escalation_level,
           'version', i.version)
from (select * from issues where id > :first_id order by id desc limit :events) as i
join users u on u.id = i.reported_by
order by i.id;
select format('5. issue_events: %s added, %s s (%s in all)', :events,
              round(extract(epoch from clock_timestamp() - :'t_step'::timestamptz)::numeric, 1),
              (select count(*) from issue_events))
       as msg \gset
\echo :msg

-- 6. Statistics ------------------------------------------------------------------------------------
select clock_timestamp() as t_step \gset
vacuum (analyze) issues;
vacuum (analyze) issue_assignments;
vacuum (analyze) issue_events;
vacuum (analyze) audit_chain_head;
vacuum (analyze) users;
select format('6. vacuum analyze: %s s',
              round(extract(epoch from clock_timestamp() - :'t_step'::timestamptz)::numeric, 1))
       as msg \gset
\echo :msg

-- 7. Checks of what the reports read ----------------------------------------------------------------
\if :has_reports
select format('7. reports: issues assigned without first_assigned_at (or a different one) %s; '
              'assignments whose submitted_at differs from their issue''s %s',
              (select count(*) from issues where id > :first_id and assigned_at is not null
                 and first_assigned_at is distinct from assigned_at),
              (select count(*) from issue_assignments a join issues i on i.id = a.issue_id
               where i.id > :first_id and a.submitted_at is distinct from i.submitted_at))
       as msg \gset
\echo :msg
\endif

drop table gen_units, gen_kind_categories, gen_category_units, gen_inspectors, gen_sites;
select format('ledger_gen: done in %s s; issues %s, issue_assignments %s, issue_events %s, '
              'issues heap+indexes %s',
              round(extract(epoch from clock_timestamp() - :'t_start'::timestamptz)::numeric, 1),
              (select count(*) from issues), (select count(*) from issue_assignments),
              (select count(*) from issue_events),
              pg_size_pretty(pg_total_relation_size('issues')))
       as msg \gset
\echo :msg
