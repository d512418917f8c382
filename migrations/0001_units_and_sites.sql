-- Extensions, responsible units (with the territorial boundaries) and the site registry.
create extension if not exists postgis;
create extension if not exists pg_trgm;

create table units (
    id          bigint generated always as identity primary key,
    code        text not null,
    name        text not null,
    kind        text not null,
    parent_id   bigint references units (id),
    -- Territory of a subdistrict or park (WGS-84); sites are placed in a unit by it.
    boundary    geometry(MultiPolygon, 4326),
    version     integer not null default 1,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint units_code_key unique (code),
    constraint units_kind_check check (kind in ('subdistrict', 'park', 'department', 'office')),
    constraint units_name_not_blank check (btrim(name) <> ''),
    constraint units_boundary_only_territorial
        check (boundary is null or kind in ('subdistrict', 'park'))
);
create index units_boundary_idx on units using gist (boundary);

create table sites (
    id                 bigint generated always as identity primary key,
    kind               text not null,
    name               text not null,
    address            text not null,
    location           geography(Point, 4326) not null,
    subdistrict_id     bigint not null references units (id),
    responsible_party  jsonb not null default '{}'::jsonb,
    attributes         jsonb not null default '{}'::jsonb,
    status             text not null default 'active',
    version            integer not null default 1,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint sites_kind_check check (kind in (
        'restaurant', 'open_air_bbq', 'construction_site', 'bare_soil', 'industrial_enterprise',
        'shop_front', 'residential_compound', 'back_alley', 'mall_supermarket', 'farmers_market')),
    constraint sites_status_check check (status in ('active', 'closed')),
    constraint sites_name_not_blank check (btrim(name) <> ''),
    constraint sites_responsible_party_object check (jsonb_typeof(responsible_party) = 'object'),
    constraint sites_attributes_object check (jsonb_typeof(attributes) = 'object')
);
create index sites_location_idx on sites using gist (location);
create index sites_kind_id_idx on sites (kind, id);
create index sites_subdistrict_id_idx on sites (subdistrict_id, id);
create index sites_name_trgm_idx on sites using gin (name gin_trgm_ops);
create index sites_address_trgm_idx on sites using gin (address gin_trgm_ops);
