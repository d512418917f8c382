-- GET /api/v1/sites/{id}: kFind of services/sites/site_repository.cpp, $1 = :id.
-- Run with: pgbench -n -M prepared -D maxid=N -f pg_find.sql
\set id random(1, :maxid)
select
    s.id, s.kind, s.name, s.address,
    st_y(s.location::geometry) as lat, st_x(s.location::geometry) as lon,
    s.subdistrict_id,
    coalesce(s.responsible_party ->> 'name', '') as party_name,
    coalesce(s.responsible_party ->> 'contact_name', '') as party_contact_name,
    coalesce(s.responsible_party ->> 'phone', '') as party_phone,
    s.attributes::text as attributes, s.status, s.version, s.created_at, s.updated_at, null::float8 as distance_m from sites s where s.id = :id;
