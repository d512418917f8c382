-- The daily dispatch: routing rules, pollution alerts, one run row per day (exactly once),
-- escalations (督办 → 约谈 → 问责) and the frozen bulletin.

-- From a site's kind and an issue's category to the responsible units. Null kind or category
-- matches any; a null lead unit means the site's own subdistrict (属地).
create table routing_rules (
    id              bigint generated always as identity primary key,
    site_kind       text,
    category        text,
    lead_unit_id    bigint references units (id),
    co_unit_ids     bigint[] not null default '{}',
    -- Add the site's subdistrict as a co-unit (territorial duty beside a department's).
    co_subdistrict  boolean not null default false,
    updated_at      timestamptz not null default now(),
    constraint routing_rules_key unique nulls not distinct (site_kind, category)
);

create table pollution_alerts (
    id          bigint generated always as identity primary key,
    level       text not null,
    starts_at   timestamptz not null,
    ends_at     timestamptz not null,
    created_by  bigint references users (id),
    created_at  timestamptz not null default now(),
    constraint pollution_alerts_level_check check (level in ('yellow', 'orange', 'red')),
    constraint pollution_alerts_period_check check (ends_at > starts_at)
);
create index pollution_alerts_period_idx on pollution_alerts (starts_at, ends_at);

-- One row per Asia/Shanghai day, written in the same transaction as everything the run does:
-- a second run for the day finds it and changes nothing.
create table dispatch_runs (
    day               date primary key,
    run_at            timestamptz not null,
    assigned_count    integer not null,
    escalation_count  integer not null,
    assigned_ids      bigint[] not null,
    bulletin          jsonb not null,
    published_at      timestamptz,
    published_by      bigint references users (id)
);

create table escalations (
    id           bigint generated always as identity primary key,
    issue_id     bigint not null references issues (id),
    unit_id      bigint not null references units (id),
    level        smallint not null,
    reason       text not null,
    raised_at    timestamptz not null,
    dispatch_day date references dispatch_runs (day),
    constraint escalations_level_check check (level between 1 and 3),
    -- Each level is raised once per issue, never silently removed.
    constraint escalations_issue_level_key unique (issue_id, level)
);
create index escalations_unit_idx on escalations (unit_id, raised_at);
create index escalations_raised_idx on escalations (raised_at);

create function escalations_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'escalations are never removed or rewritten (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end $$;
create trigger escalations_no_update before update or delete on escalations
    for each row execute function escalations_append_only();

grant select, insert, update, delete on routing_rules, pollution_alerts to lantian_app;
grant select, insert, update on dispatch_runs to lantian_app;
grant select, insert on escalations to lantian_app;

-- The fields of an issue the audit trail records (one definition for the service and the
-- set-based dispatch).
create function issue_snapshot(i issues) returns jsonb language sql stable as $$
    select jsonb_build_object(
        'status', i.status, 'lead_unit_id', i.lead_unit_id, 'co_unit_ids', i.co_unit_ids,
        'assigned_at', i.assigned_at, 'due_at', i.due_at, 'submitted_at', i.submitted_at,
        'rectification', i.rectification, 'rectification_photo_ids', i.rectification_photo_ids,
        'verification_comment', i.verification_comment,
        'verification_photo_ids', i.verification_photo_ids,
        'closed_at', i.closed_at, 'rejection_kind', i.rejection_kind,
        'rejection_reason', i.rejection_reason, 'duplicate_of', i.duplicate_of,
        'return_count', i.return_count, 'escalation_level', i.escalation_level,
        'version', i.version)
$$;

-- The hours allowed under the alert in force: orange halves (rounding up), red caps at 24.
create function tightened_hours(hours integer, alert text) returns integer
    language sql immutable as $$
    select case alert when 'orange' then (hours + 1) / 2
                      when 'red' then least(hours, 24)
                      else hours end
$$;

-- The highest alert level in force at a time, or null.
create function alert_level_at(t timestamptz) returns text language sql stable as $$
    select level from pollution_alerts
    where starts_at <= t and t < ends_at
    order by case level when 'red' then 3 when 'orange' then 2 else 1 end desc
    limit 1
$$;
