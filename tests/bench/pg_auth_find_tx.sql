-- Everything GET /api/v1/sites/{id} asks of PostgreSQL, with the service's round trips:
-- the auth step (AuthService::Authenticate: its own db::InTransaction running kFindActive of
-- services/auth/session_repository.cpp; $2 = idle timeout 8 h, $3 = min(60, idle/4) s), then
-- SiteService::Get (a second db::InTransaction running kFind). Both statements are unnamed
-- (exec_params: parsed and planned on every call), so run with -M extended.
-- pgbench -n -M extended -D maxid=N -D hash=<token_hash of the benchmark's session>
\set id random(1, :maxid)
begin;
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
commit;
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
