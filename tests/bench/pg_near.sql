-- GET /api/v1/sites?near=LAT,LON&radius_m=500&limit=20: kListNear of
-- services/sites/site_repository.cpp with the values the service binds for that request:
-- $1..$4 (kind, subdistrict_id, status, q), $10 (cursor distance) and $11 (territory: null for
-- a district-wide reader) null, $5 (after_id) 0,
-- $6 = limit + 1 = 21, $7/$8 = a random point in the demo district's bbox, $9 = 500.
\set lat 35.1956 + random(0, 882000) / 10000000.0
\set lon 113.1668 + random(0, 1049000) / 10000000.0
with p as (select st_setsrid(st_makepoint(:lon, :lat), 4326)::geography as g)
select
    s.id, s.kind, s.name, s.address,
    st_y(s.location::geometry) as lat, st_x(s.location::geometry) as lon,
    s.subdistrict_id,
    coalesce(s.responsible_party ->> 'name', '') as party_name,
    coalesce(s.responsible_party ->> 'contact_name', '') as party_contact_name,
    coalesce(s.responsible_party ->> 'phone', '') as party_phone,
    s.attributes::text as attributes, s.status, s.version, s.created_at, s.updated_at, st_distance(s.location, p.g) as distance_m
from sites s, p
where st_dwithin(s.location, p.g, 500)
  and (null::text is null or s.kind = null::text)
  and (null::bigint is null or s.subdistrict_id = null::bigint)
  and (null::text is null or s.status = null::text)
  and (null::text is null or s.name ilike null::text or s.address ilike null::text)
  and (null::bigint is null or s.subdistrict_id = null::bigint)
  and (null::float8 is null or (st_distance(s.location, p.g), s.id) > (null::float8, 0::bigint))
order by st_distance(s.location, p.g), s.id
limit 21;
