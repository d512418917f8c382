-- The auth step of every authenticated request: AuthService::Authenticate runs kFindActive of
-- services/auth/session_repository.cpp through db::Read (no BEGIN/COMMIT), prepared per
-- connection; $2 = idle timeout (8 h = 28800 s), $3 = min(60, idle/4) = 60 s. (kTouch, an UPDATE,
-- follows at most once a minute per session and is left out.) Run with -M prepared.
-- pgbench -n -M prepared -D hash=<token_hash of a live session> -f pg_session_lookup.sql
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
