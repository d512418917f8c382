-- Bulk sites for tests/bench/sites_bench.sh, set-based, after `lantian seed-demo`.
-- psql -v n=100000 -f load_sites.sql
-- Points are uniform over the demo district's bbox (113.1668–113.2717 E, 35.1956–35.2838 N);
-- those that fall in no subdistrict or park are dropped, and each kept point gets the unit
-- whose boundary covers it (lowest id, as SiteRepository::LocateSubdistrict picks), so the data
-- satisfies the same rule as sites created through the API. Deterministic (setseed).
\set ON_ERROR_STOP 1
select setseed(0.20240601);

insert into sites (kind, name, address, location, subdistrict_id, responsible_party,
                   attributes, status)
select (array['restaurant', 'open_air_bbq', 'construction_site', 'bare_soil',
              'industrial_enterprise', 'shop_front', 'residential_compound', 'back_alley',
              'mall_supermarket', 'farmers_market'])[1 + c.g % 10],
       '压测点位' || c.g || '号',
       '焦作市解放区压测路' || (1 + c.g % 997) || '号',
       c.pt::geography,
       u.id,
       jsonb_build_object('name', '焦作市压测' || (c.g % 211) || '有限公司',
                          'contact_name', '联系人' || (c.g % 97),
                          'phone', '1390391' || lpad((c.g % 10000)::text, 4, '0')),
       jsonb_build_object('area_m2', 50 + c.g % 950, 'permit_no', 'BENCH-' || c.g,
                          'covered', c.g % 3 <> 0),
       case when c.g % 20 = 0 then 'closed' else 'active' end
from (select g,
             st_setsrid(st_makepoint(113.1668 + random() * 0.1049,
                                     35.1956 + random() * 0.0882), 4326) as pt
      from generate_series(1, (:n * 2)::int) as g) as c
cross join lateral (
    select id from units
    where kind in ('subdistrict', 'park') and st_covers(boundary, c.pt)
    order by id
    limit 1) as u
limit :n;

analyze units;
analyze sites;
