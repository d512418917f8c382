-- The issue ledger: evidence photos, inspections, issues and their assignments, deadline rules,
-- idempotency keys, and the append-only, hash-chained audit trail of every state change.

create table attachments (
    sha256        text primary key,
    content_type  text not null,
    size_bytes    integer not null,
    uploaded_by   bigint not null references users (id),
    uploaded_at   timestamptz not null default now(),
    constraint attachments_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
    constraint attachments_type_check
        check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
    constraint attachments_size_check check (size_bytes between 1 and 10485760)
);

create table inspections (
    id            bigint generated always as identity primary key,
    client_id     uuid not null,
    site_id       bigint not null references sites (id),
    inspector_id  bigint not null references users (id),
    started_at    timestamptz not null,
    received_at   timestamptz not null default now(),
    location      geography(Point, 4326),
    notes         text not null default '',
    constraint inspections_client_id_key unique (client_id)
);
create index inspections_site_started_idx on inspections (site_id, started_at desc);

-- Hours to rectify, by category and severity; a null category is the severity's default.
create table deadline_rules (
    id          bigint generated always as identity primary key,
    category    text,
    severity    smallint not null,
    hours       integer not null,
    updated_at  timestamptz not null default now(),
    constraint deadline_rules_severity_check check (severity between 1 and 3),
    constraint deadline_rules_hours_check check (hours between 1 and 8760),
    constraint deadline_rules_key unique nulls not distinct (category, severity)
);
insert into deadline_rules (category, severity, hours) values
    (null, 1, 168),  -- general: 7 days
    (null, 2, 72),   -- serious: 3 days
    (null, 3, 24);   -- severe: 24 hours

create table issues (
    id                  bigint generated always as identity primary key,
    client_id           uuid not null,
    inspection_id       bigint references inspections (id),
    site_id             bigint not null references sites (id),
    -- Copied from the site when reported: scope and reports follow where the problem was.
    subdistrict_id      bigint not null references units (id),
    site_kind           text not null,
    category            text not null,
    severity            smallint not null,
    description         text not null,
    location            geography(Point, 4326),
    photo_ids           text[] not null default '{}',
    source              text not null,
    status              text not null,
    fixed_on_spot       boolean not null default false,
    reported_by         bigint not null references users (id),
    reported_at         timestamptz not null,
    received_at         timestamptz not null default now(),
    triaged_at          timestamptz,
    rejection_kind      text,
    rejection_reason    text,
    duplicate_of        bigint references issues (id),
    -- The current assignment (history in issue_assignments).
    lead_unit_id        bigint references units (id),
    co_unit_ids         bigint[] not null default '{}',
    assigned_at         timestamptz,
    due_at              timestamptz,
    submitted_at        timestamptz,
    rectification       text,
    rectification_photo_ids text[] not null default '{}',
    verification_comment text,
    verification_photo_ids text[] not null default '{}',
    closed_at           timestamptz,
    return_count        integer not null default 0,
    escalation_level    smallint not null default 0,
    version             integer not null default 1,
    updated_at          timestamptz not null default now(),
    constraint issues_client_id_key unique (client_id),
    constraint issues_status_check check (status in
        ('reported', 'confirmed', 'rejected', 'assigned', 'submitted', 'closed')),
    constraint issues_severity_check check (severity between 1 and 3),
    constraint issues_source_check check (source in
        ('patrol', 'hotline', 'superior', 'monitoring', 'media')),
    constraint issues_rejection_check check (
        (status = 'rejected') = (rejection_kind is not null)
        and (rejection_kind is null or rejection_kind in ('invalid', 'duplicate'))
        and ((rejection_kind = 'duplicate') = (duplicate_of is not null))),
    constraint issues_not_own_duplicate check (duplicate_of <> id),
    constraint issues_assigned_has_unit check (
        status not in ('assigned', 'submitted', 'closed')
        or (lead_unit_id is not null and due_at is not null and assigned_at is not null)),
    constraint issues_submitted_has_evidence check (
        status not in ('submitted', 'closed') or submitted_at is not null),
    constraint issues_closed_has_time check ((status = 'closed') = (closed_at is not null)),
    constraint issues_return_count_check check (return_count >= 0),
    constraint issues_escalation_check check (escalation_level between 0 and 3)
);
create index issues_status_due_idx on issues (status, due_at);
create index issues_lead_unit_status_idx on issues (lead_unit_id, status, id);
create index issues_co_units_idx on issues using gin (co_unit_ids);
create index issues_subdistrict_status_idx on issues (subdistrict_id, status, id);
create index issues_site_idx on issues (site_id, status);
create index issues_reported_by_idx on issues (reported_by, id);
create index issues_received_idx on issues (received_at, id);
-- Who may see a photo is decided by the issues that reference it.
create index issues_photo_ids_idx on issues using gin (photo_ids);
create index issues_rectification_photo_ids_idx on issues using gin (rectification_photo_ids);
create index issues_verification_photo_ids_idx on issues using gin (verification_photo_ids);

-- A closed issue (销号) is evidence: it never changes again.
create function issues_closed_are_immutable() returns trigger language plpgsql as $$
begin
    if old.status = 'closed' then
        raise exception 'issue % is closed and cannot change', old.id
            using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger issues_closed_are_immutable before update on issues
    for each row execute function issues_closed_are_immutable();

-- Every assignment an issue had: a return for rework ends one and opens the next.
create table issue_assignments (
    id            bigint generated always as identity primary key,
    issue_id      bigint not null references issues (id),
    lead_unit_id  bigint not null references units (id),
    co_unit_ids   bigint[] not null default '{}',
    assigned_at   timestamptz not null,
    due_at        timestamptz not null,
    assigned_by   bigint references users (id),
    ended_at      timestamptz,
    outcome       text,
    constraint issue_assignments_outcome_check
        check ((ended_at is null) = (outcome is null)
               and (outcome is null or outcome in ('submitted', 'returned', 'closed')))
);
-- At most one open assignment per issue.
create unique index issue_assignments_open_key on issue_assignments (issue_id)
    where ended_at is null;

-- A creating request's answer, replayed byte for byte when the client retries with the key.
create table idempotency_keys (
    user_id        bigint not null references users (id),
    key            text not null,
    request_hash   text not null,
    status         smallint not null,
    location       text,
    response_body  text not null,
    created_at     timestamptz not null default now(),
    primary key (user_id, key)
);

-- The audit trail. Append-only; each event carries the hash of its content and of the
-- previous event, so any rewrite breaks the chain (`lantian audit verify`).
create table issue_events (
    seq            bigint primary key,
    issue_id       bigint not null references issues (id),
    at             timestamptz not null,
    actor_id       bigint references users (id),
    actor_role     text not null,
    actor_unit_id  bigint,
    request_id     text not null,
    action         text not null,
    before         jsonb,
    after          jsonb not null,
    prev_hash      text not null,
    hash           text not null
);
create index issue_events_issue_idx on issue_events (issue_id, seq);

-- One row: the end of the chain. Locking it orders concurrent events.
create table audit_chain_head (
    id         boolean primary key default true check (id),
    last_seq   bigint not null,
    last_hash  text not null
);
insert into audit_chain_head values (true, 0, repeat('0', 64));

-- The text an event's hash covers; the verifier recomputes it from the stored columns.
create function issue_event_content(e issue_events) returns text
    language sql stable as $$
    select concat_ws('|', e.seq, e.issue_id,
                     (extract(epoch from e.at) * 1000000)::bigint, coalesce(e.actor_id, 0),
                     e.actor_role, coalesce(e.actor_unit_id, 0), e.request_id, e.action,
                     coalesce(e.before::text, 'null'), e.after::text, e.prev_hash)
$$;

create function issue_events_chain() returns trigger language plpgsql as $$
declare
    head audit_chain_head%rowtype;
begin
    select * into head from audit_chain_head for update;
    new.seq := head.last_seq + 1;
    new.at := coalesce(new.at, now());
    new.prev_hash := head.last_hash;
    new.hash := encode(sha256(convert_to(issue_event_content(new), 'UTF8')), 'hex');
    update audit_chain_head set last_seq = new.seq, last_hash = new.hash;
    return new;
end $$;
create trigger issue_events_chain before insert on issue_events
    for each row execute function issue_events_chain();

create function issue_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end $$;
create trigger issue_events_no_update before update or delete on issue_events
    for each row execute function issue_events_append_only();
create trigger issue_events_no_truncate before truncate on issue_events
    for each statement execute function issue_events_append_only();

-- The role the service should run as in production: everything it needs, and no way to
-- rewrite the audit trail even without the triggers. Grant it to the service's login role.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'lantian_app') then
        create role lantian_app nologin;
    end if;
end $$;
grant select, insert, update, delete on all tables in schema public to lantian_app;
revoke update, delete, truncate on issue_events from lantian_app;
revoke update, delete, truncate on schema_migrations from lantian_app;
grant usage on all sequences in schema public to lantian_app;
