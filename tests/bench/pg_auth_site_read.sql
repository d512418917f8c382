-- Everything GET /api/v1/sites/{id} asks of PostgreSQL, with the service's round trips: the
-- auth step (pg_session_lookup.sql) and then the site read (pg_site_read.sql), each statement
-- prepared per connection, none in a BEGIN/COMMIT block (db::Read). Run with -M prepared.
-- pgbench -n -M prepared -D maxid=N -D hash=<token_hash> -f pg_auth_site_read.sql
\set id random(1, :maxid)
select s.id, u.id, u.username, u.role, u.unit_id, coalesce(un.kind, ''),
       s.last_seen_at < now() - make_interval(secs => 60)
from sessions s
join users u on u.id = s.user_id
left join units un on un.id = u.unit_id
where s.token_hash = :hash
  and s.revoked_at is null
  and s.expires_at > now()
  and s.last_seen_at > now() - make_interval(secs => 28800)
  and not u.disabled;
select
    s.id, s.kind, s.name, s.address,
    st_y(s.location::geometry) as lat, st_x(s.location::geometry) as lon,
    s.subdistrict_id,
    coalesce(s.responsible_party ->> 'name', '') as party_name,
    coalesce(s.responsible_party ->> 'contact_name', '') as party_contact_name,
    coalesce(s.responsible_party ->> 'phone', '') as party_phone,
    s.attributes::text as attributes, s.status, s.version, s.created_at, s.updated_at, null::float8 as distance_m from sites s where s.id = :id;
select (select count(*) from issues i
        where i.site_id = :id and i.status not in ('closed', 'rejected')),
       (select max(started_at) from inspections where site_id = :id);
