-- POST /api/v1/issues (IssueService::Report without photos or Idempotency-Key), every statement
-- of its transaction as the service sends it: BEGIN; kFindSite; kInsert; kSnapshot; kAppend;
-- COMMIT (services/issues/issue_repository.cpp, audit_repository.cpp). Each is PREPAREd once per
-- client with the service's exact text (as db::Exec prepares it once per connection) and run
-- with EXECUTE, so null parameters are bound as parameters, as the service binds them.
-- pgbench -n -M simple -D maxid=N -D prepared=0 -D user=<inspector id> -D unit=<its unit> -D audit=1
-- (-D audit=0 leaves out kSnapshot and kAppend: a diagnostic of what the audit chain costs)
\set site random(1, :maxid)
\set cat random(1, 13)
\set sev random(1, 3)
\set lat 35.1956 + random(0, 882000) / 10000000.0
\set lon 113.1668 + random(0, 1049000) / 10000000.0
\if :prepared = 0
prepare lt_find_site as select subdistrict_id, kind from sites where id = $1;
prepare lt_insert as
    with i as (
        insert into issues (
            client_id, inspection_id, site_id, subdistrict_id, site_kind, category, severity,
            description, location, photo_ids, source, status, fixed_on_spot, reported_by,
            reported_at, received_at, lead_unit_id, co_unit_ids, assigned_at, due_at,
            submitted_at, rectification, rectification_photo_ids, updated_at)
        values (
            $1::uuid, $2, $3, $4, $5, $6, $7, $8,
            case when $9::float8 is null then null
                 else st_setsrid(st_makepoint($10, $9), 4326)::geography end,
            $11::text[], $12, $13, $14, $15,
            $16::timestamptz, $17::timestamptz, $18, $19::bigint[],
            $20::timestamptz, $21::timestamptz, $22::timestamptz, $23, $24::text[],
            $17::timestamptz)
        returning *)
    select i.id, i.client_id::text as client_id, i.inspection_id, i.site_id, i.subdistrict_id, i.site_kind, i.category, i.severity, i.description, st_y(i.location::geometry) as lat, st_x(i.location::geometry) as lon, array_to_string(i.photo_ids, ',') as photo_ids, i.source, i.status, i.fixed_on_spot, i.reported_by, i.reported_at, i.received_at, i.rejection_kind, i.rejection_reason, i.duplicate_of, i.lead_unit_id, array_to_string(i.co_unit_ids, ',') as co_unit_ids, i.assigned_at, i.due_at, i.submitted_at, i.rectification, array_to_string(i.rectification_photo_ids, ',') as rectification_photo_ids, i.closed_at, i.return_count, i.escalation_level, i.version, i.updated_at, i.verification_comment, array_to_string(i.verification_photo_ids, ',') as verification_photo_ids from i;
prepare lt_snapshot as select issue_snapshot(i)::text from issues i where i.id = $1;
prepare lt_append as
    insert into issue_events (issue_id, at, actor_id, actor_role, actor_unit_id, request_id,
                              action, before, after)
    values ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb);
\set prepared 1
\endif
begin;
execute lt_find_site(:site) \gset
execute lt_insert(gen_random_uuid(), null, :site, :subdistrict_id, ':kind', (array['fume_direct_emission', 'purifier_not_running', 'open_air_bbq', 'dust_uncovered', 'no_dust_suppression', 'muddy_vehicles', 'muck_truck_uncovered', 'open_burning', 'emission_exceeded', 'fugitive_emission', 'shop_front_duty', 'garbage_accumulation', 'other'])[:cat], :sev, '压测：现场发现问题，已拍照取证', :lat, :lon, '{}', 'patrol', 'reported', false, :user, clock_timestamp(), clock_timestamp(), null, '{}', null, null, null, null, '{}') \gset new_
\if :audit
execute lt_snapshot(:new_id) \gset
execute lt_append(:new_id, clock_timestamp(), :user, 'inspector', :unit, 'pgbench', 'report', null, ':issue_snapshot');
\endif
commit;
