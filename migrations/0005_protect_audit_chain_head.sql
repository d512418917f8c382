-- The service's role may append to the audit trail but never move the end of its chain:
-- the chain trigger runs as the owner, and lantian_app loses its writes on the head row.
alter function issue_events_chain() security definer set search_path = public, pg_temp;
revoke insert, update, delete, truncate on audit_chain_head from lantian_app;
grant select on audit_chain_head to lantian_app;
