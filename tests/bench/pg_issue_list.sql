-- GET /api/v1/issues?unit_id=U&status=assigned, first page (limit 50 → $15 = 51): kList of
-- services/issues/issue_repository.cpp, PREPAREd once per client with the service's exact text
-- and run with EXECUTE and the values the service binds (null for every filter not given;
-- $10..$12 the caller's scope: all null for the office, $12 = the unit for a handler; $13 now).
-- pgbench -n -M simple -D prepared=0 -D units='{1,2,…}' -D nunits=N -D status=assigned
--         -D scope_unit=null (or a handler's unit id)
\set k random(1, :nunits)
\if :prepared = 0
prepare lt_list as
    select i.id, i.client_id::text as client_id, i.inspection_id, i.site_id, i.subdistrict_id, i.site_kind, i.category, i.severity, i.description, st_y(i.location::geometry) as lat, st_x(i.location::geometry) as lon, array_to_string(i.photo_ids, ',') as photo_ids, i.source, i.status, i.fixed_on_spot, i.reported_by, i.reported_at, i.received_at, i.rejection_kind, i.rejection_reason, i.duplicate_of, i.lead_unit_id, array_to_string(i.co_unit_ids, ',') as co_unit_ids, i.assigned_at, i.due_at, i.submitted_at, i.rectification, array_to_string(i.rectification_photo_ids, ',') as rectification_photo_ids, i.closed_at, i.return_count, i.escalation_level, i.version, i.updated_at, i.verification_comment, array_to_string(i.verification_photo_ids, ',') as verification_photo_ids
    from issues i
    where ($1::text is null or i.status = $1)
      and ($2::bigint is null or i.lead_unit_id = $2 or $2 = any (i.co_unit_ids))
      and ($3::bigint is null or i.site_id = $3)
      and ($4::bigint is null or i.subdistrict_id = $4)
      and ($5::text is null or i.category = $5)
      and ($6::smallint is null or i.severity = $6)
      and ($7::boolean is null or $7 = is_overdue(i.status, i.due_at, $13::timestamptz))
      and ($8::timestamptz is null or i.reported_at >= $8)
      and ($9::timestamptz is null or i.reported_at < $9)
      and ($10::bigint is null or i.reported_by = $10 or i.subdistrict_id = $11)
      and ($12::bigint is null or i.lead_unit_id = $12 or $12 = any (i.co_unit_ids))
      and ($14::bigint is null or i.id < $14)
    order by i.id desc
    limit $15;
\set prepared 1
\endif
execute lt_list(':status', (':units'::bigint[])[:k], null, null, null, null, null, null, null, null, null, :scope_unit, clock_timestamp(), null, 51);
