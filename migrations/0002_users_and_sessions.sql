-- People who sign in, their sessions (only token hashes are stored) and sign-in throttling.
create table users (
    id             bigint generated always as identity primary key,
    username       text not null,
    display_name   text not null,
    role           text not null,
    unit_id        bigint references units (id),
    password_hash  text not null,
    disabled       boolean not null default false,
    version        integer not null default 1,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint users_role_check
        check (role in ('inspector', 'office', 'handler', 'supervisor', 'leader', 'admin')),
    constraint users_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    -- A handler acts for a unit; without one they could see nothing and do nothing.
    constraint users_handler_has_unit check (role <> 'handler' or unit_id is not null)
);
create unique index users_username_key on users (username);

create table sessions (
    id             bigint generated always as identity primary key,
    token_hash     text not null,  -- hex SHA-256 of the token
    user_id        bigint not null references users (id),
    created_at     timestamptz not null default now(),
    last_seen_at   timestamptz not null default now(),
    expires_at     timestamptz not null,
    revoked_at     timestamptz,
    constraint sessions_token_hash_key unique (token_hash)
);
create index sessions_user_id_idx on sessions (user_id) where revoked_at is null;

-- Failed sign-ins per subject ('user:<name>' or 'addr:<ip>'), shared by every replica.
create table sign_in_throttle (
    subject            text primary key,
    failures           integer not null,
    window_started_at  timestamptz not null,
    locked_until       timestamptz
);
