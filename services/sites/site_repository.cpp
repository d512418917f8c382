#include "sites/site_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::sites {

namespace {

// $p is the query point for `near` (null otherwise); distance is null without it. Read by name
// (FromRow), the distance as `distance_m` after these.
constexpr const char* kColumns = R"(
    s.id, s.kind, s.name, s.address,
    st_y(s.location::geometry) as lat, st_x(s.location::geometry) as lon,
    s.subdistrict_id,
    coalesce(s.responsible_party ->> 'name', '') as party_name,
    coalesce(s.responsible_party ->> 'contact_name', '') as party_contact_name,
    coalesce(s.responsible_party ->> 'phone', '') as party_phone,
    s.attributes::text as attributes, s.status, s.version, s.created_at, s.updated_at)";

const std::string kFind =
    std::string("select") + kColumns + ", null::float8 as distance_m from sites s where s.id = $1";

// Open: not yet closed or rejected (reported, confirmed, assigned or awaiting verification).
constexpr const char* kLedger = R"(
    select (select count(*) from issues i
            where i.site_id = $1 and i.status not in ('closed', 'rejected')),
           (select max(started_at) from inspections where site_id = $1))";

const std::string kInsert = R"(
    with s as (
        insert into sites (kind, name, address, location, subdistrict_id, responsible_party,
                           attributes, status)
        values ($1, $2, $3, st_setsrid(st_makepoint($5, $4), 4326)::geography, $6,
                jsonb_build_object('name', $7::text, 'contact_name', $8::text, 'phone', $9::text),
                $10::jsonb, $11)
        returning *)
    select)" + std::string(kColumns) +
                            ", null::float8 as distance_m from s";

const std::string kUpdate = R"(
    with s as (
        update sites set
            kind = $3, name = $4, address = $5,
            location = st_setsrid(st_makepoint($7, $6), 4326)::geography,
            subdistrict_id = $8,
            responsible_party = jsonb_build_object('name', $9::text, 'contact_name', $10::text,
                                                   'phone', $11::text),
            attributes = $12::jsonb, status = $13,
            version = version + 1, updated_at = now()
        where id = $1 and version = $2
        returning *)
    select)" + std::string(kColumns) +
                            ", null::float8 as distance_m from s";

const std::string kList = std::string("select") + kColumns + R"(, null::float8 as distance_m
    from sites s
    where ($1::text is null or s.kind = $1)
      and ($2::bigint is null or s.subdistrict_id = $2)
      and ($3::text is null or s.status = $3)
      and ($4::text is null or s.name ilike $4 or s.address ilike $4)
      and ($7::bigint is null or s.subdistrict_id = $7)
      and s.id > $5
    order by s.id
    limit $6)";

// Keyset pagination on (distance, id); the distance is recomputed identically each time.
const std::string kListNear = R"(
    with p as (select st_setsrid(st_makepoint($8, $7), 4326)::geography as g)
    select)" + std::string(kColumns) +
                              R"(, st_distance(s.location, p.g) as distance_m
    from sites s, p
    where st_dwithin(s.location, p.g, $9)
      and ($1::text is null or s.kind = $1)
      and ($2::bigint is null or s.subdistrict_id = $2)
      and ($3::text is null or s.status = $3)
      and ($4::text is null or s.name ilike $4 or s.address ilike $4)
      and ($11::bigint is null or s.subdistrict_id = $11)
      and ($10::float8 is null or (st_distance(s.location, p.g), s.id) > ($10::float8, $5::bigint))
    order by st_distance(s.location, p.g), s.id
    limit $6)";

constexpr const char* kLocate = R"(
    select id from units
    where kind in ('subdistrict', 'park')
      and st_covers(boundary, st_setsrid(st_makepoint($2, $1), 4326))
    order by id
    limit 1)";

constexpr const char* kIsTerritorial =
    "select exists (select 1 from units where id = $1 and kind in ('subdistrict', 'park'))";

Site FromRow(const pqxx::row& row) {
    Site s;
    s.id = row["id"].as<long long>();
    s.kind = row["kind"].as<std::string>();
    s.name = row["name"].as<std::string>();
    s.address = row["address"].as<std::string>();
    s.location = {row["lat"].as<double>(), row["lon"].as<double>()};
    s.subdistrict_id = row["subdistrict_id"].as<long long>();
    s.responsible_party = {row["party_name"].as<std::string>(),
                           row["party_contact_name"].as<std::string>(),
                           row["party_phone"].as<std::string>()};
    s.attributes_json = row["attributes"].as<std::string>();
    s.status = row["status"].as<std::string>();
    s.version = row["version"].as<int>();
    s.created_at = row["created_at"].as<TimePoint>();
    s.updated_at = row["updated_at"].as<TimePoint>();
    s.distance_m = db::Nullable<double>(row["distance_m"]);
    return s;
}

/// `%text%` for ILIKE, with the pattern characters in the text taken literally.
std::optional<std::string> ContainsPattern(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    std::string out = "%";
    for (const char c : *text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

}  // namespace

std::optional<Site> SiteRepository::Find(pqxx::transaction_base& tx, long long id) const {
    const auto result = db::Exec(tx, kFind, id);
    if (result.empty()) return std::nullopt;
    return FromRow(result[0]);
}

std::optional<Site> SiteRepository::FindWithLedger(pqxx::transaction_base& tx, long long id) const {
    auto site = Find(tx, id);
    if (!site) return site;
    const auto row = db::Exec1(tx, kLedger, id);
    site->open_issue_count = row[0].as<long long>();
    if (!row[1].is_null()) site->last_inspection_at = row[1].as<TimePoint>();
    return site;
}

Site SiteRepository::Insert(pqxx::transaction_base& tx, const Site& s) const {
    return FromRow(db::Exec1(tx, kInsert, s.kind, s.name, s.address, s.location.lat, s.location.lon,
                             s.subdistrict_id, s.responsible_party.name,
                             s.responsible_party.contact_name, s.responsible_party.phone,
                             s.attributes_json, s.status));
}

std::optional<Site> SiteRepository::Update(pqxx::transaction_base& tx, const Site& s,
                                           int expected_version) const {
    const auto result = db::Exec(tx, kUpdate, s.id, expected_version, s.kind, s.name, s.address,
                                 s.location.lat, s.location.lon, s.subdistrict_id,
                                 s.responsible_party.name, s.responsible_party.contact_name,
                                 s.responsible_party.phone, s.attributes_json, s.status);
    if (result.empty()) return std::nullopt;
    return FromRow(result[0]);
}

std::vector<Site> SiteRepository::List(pqxx::transaction_base& tx, const SiteQuery& q) const {
    const auto pattern = ContainsPattern(q.text);
    pqxx::result result;
    if (q.near) {
        result = db::Exec(tx, kListNear, q.kind, q.subdistrict_id, q.status, pattern, q.after_id,
                          q.limit, q.near->lat, q.near->lon, q.radius_m, q.after_distance_m,
                          q.territory);
    } else {
        result = db::Exec(tx, kList, q.kind, q.subdistrict_id, q.status, pattern, q.after_id,
                          q.limit, q.territory);
    }
    std::vector<Site> out;
    out.reserve(result.size());
    for (const auto& row : result) out.push_back(FromRow(row));
    return out;
}

std::optional<long long> SiteRepository::LocateSubdistrict(pqxx::transaction_base& tx,
                                                           GeoPoint p) const {
    const auto result = db::Exec(tx, kLocate, p.lat, p.lon);
    if (result.empty()) return std::nullopt;
    return result[0][0].as<long long>();
}

bool SiteRepository::IsTerritorialUnit(pqxx::transaction_base& tx, long long unit_id) const {
    return db::Exec1(tx, kIsTerritorial, unit_id)[0].as<bool>();
}

}  // namespace lantian::sites
