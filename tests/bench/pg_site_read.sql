-- Everything SiteService::Get asks of PostgreSQL for GET /api/v1/sites/{id}: db::Read (no
-- BEGIN/COMMIT) running kFind, then kLedger (SiteRepository::FindWithLedger), both prepared per
-- connection (db::Exec). Run with -M prepared.
-- pgbench -n -M prepared -D maxid=N -f pg_site_read.sql
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
select (select count(*) from issues i
        where i.site_id = :id and i.status not in ('closed', 'rejected')),
       (select (extract(epoch from max(started_at)) * 1000000)::bigint
        from inspections where site_id = :id);
