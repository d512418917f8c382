-- GET /api/v1/sites/{id}: kFind of services/sites/site_repository.cpp, $1 = :id.
-- Run with: pgbench -n -M prepared -D maxid=N -f pg_find.sql
\set id random(1, :maxid)
select
    s.id, s.kind, s.name, s.address,
    st_y(s.location::geometry), st_x(s.location::geometry),
    s.subdistrict_id,
    coalesce(s.responsible_party ->> 'name', ''),
    coalesce(s.responsible_party ->> 'contact_name', ''),
    coalesce(s.responsible_party ->> 'phone', ''),
    s.attributes::text, s.status, s.version,
    (extract(epoch from s.created_at) * 1000000)::bigint,
    (extract(epoch from s.updated_at) * 1000000)::bigint, null::float8 from sites s where s.id = :id;
