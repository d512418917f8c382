-- GET /api/v1/sites/{id} with the service's round trips: db::InTransaction opens a
-- pqxx::transaction (BEGIN), SiteRepository::Find runs kFind with exec_params (an unnamed
-- statement: parse + plan on every call), then COMMIT. Run with -M extended (not prepared).
\set id random(1, :maxid)
begin;
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
commit;
