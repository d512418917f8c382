#include "sites/site_service.hpp"

#include <cmath>

#include "common/error.hpp"
#include "db/transaction.hpp"
#include "sites/gcj02.hpp"

namespace lantian::sites {

namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxAddressBytes = 500;
constexpr size_t kMaxPartyFieldBytes = 100;

bool Blank(const std::string& s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

/// Validates and converts to WGS-84 in place.
void CheckLocation(GeoPoint& p, Crs crs, FieldErrors& errors) {
    bool ok = true;
    if (!std::isfinite(p.lat) || p.lat < -90 || p.lat > 90) {
        errors.Add("location.lat", "must be a latitude between -90 and 90");
        ok = false;
    }
    if (!std::isfinite(p.lon) || p.lon < -180 || p.lon > 180) {
        errors.Add("location.lon", "must be a longitude between -180 and 180");
        ok = false;
    }
    if (ok && crs == Crs::kGcj02) {
        const LatLon wgs = Gcj02ToWgs84({p.lat, p.lon});
        p = {wgs.lat, wgs.lon};
    }
}

void CheckFields(const Site& s, FieldErrors& errors) {
    if (SiteKindLabel(s.kind).empty()) errors.Add("kind", "is not a known site kind");
    if (Blank(s.name)) errors.Add("name", "must not be blank");
    if (s.name.size() > kMaxNameBytes) errors.Add("name", "must be at most 200 bytes");
    if (Blank(s.address)) errors.Add("address", "must not be blank");
    if (s.address.size() > kMaxAddressBytes) errors.Add("address", "must be at most 500 bytes");
    if (SiteStatusLabel(s.status).empty()) errors.Add("status", "must be active or closed");
    const auto& party = s.responsible_party;
    for (const auto& [field, value] : {std::pair{"responsible_party.name", &party.name},
                                       {"responsible_party.contact_name", &party.contact_name},
                                       {"responsible_party.phone", &party.phone}}) {
        if (value->size() > kMaxPartyFieldBytes) errors.Add(field, "must be at most 100 bytes");
    }
}

/// Resolves the territorial unit: checks a given one, or finds the one covering the point.
long long ResolveSubdistrict(pqxx::transaction_base& tx, const SiteRepository& repository,
                             std::optional<long long> given, GeoPoint location) {
    if (given) {
        if (!repository.IsTerritorialUnit(tx, *given)) {
            throw Error::Validation({{"subdistrict_id", "names no subdistrict or park"}});
        }
        return *given;
    }
    if (auto found = repository.LocateSubdistrict(tx, location)) return *found;
    throw Error::Validation({{"location", "lies outside every subdistrict of the district"}});
}

}  // namespace

Site SiteService::Create(const NewSite& input, const FieldErrors& input_errors) {
    Site site;
    site.kind = input.kind;
    site.name = input.name;
    site.address = input.address;
    site.location = input.location;
    site.responsible_party = input.responsible_party;
    site.attributes_json = input.attributes_json;
    site.status = input.status;
    FieldErrors errors = input_errors;
    CheckLocation(site.location, input.crs, errors);
    CheckFields(site, errors);
    errors.ThrowIfAny();
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        Site row = site;
        row.subdistrict_id =
            ResolveSubdistrict(tx, repository_, input.subdistrict_id, site.location);
        return repository_.Insert(tx, row);
    });
}

Site SiteService::Get(long long id, const Actor& actor) {
    auto site = db::Read(
        pool_, [&](pqxx::transaction_base& tx) { return repository_.FindWithLedger(tx, id); });
    const auto territory = actor.visibility.SiteTerritory();
    if (!site || (territory && site->subdistrict_id != *territory)) {
        throw Error::NotFound("site");
    }
    return *site;
}

Site SiteService::Patch(long long id, int expected_version, const SitePatch& patch,
                        const FieldErrors& input_errors) {
    FieldErrors location_errors = input_errors;
    std::optional<GeoPoint> location = patch.location;
    if (location) CheckLocation(*location, patch.crs, location_errors);
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        auto current = repository_.Find(tx, id);
        if (!current) throw Error::NotFound("site");
        Site next = *current;
        if (patch.kind) next.kind = *patch.kind;
        if (patch.name) next.name = *patch.name;
        if (patch.address) next.address = *patch.address;
        if (location) next.location = *location;
        if (patch.responsible_party) next.responsible_party = *patch.responsible_party;
        if (patch.attributes_json) next.attributes_json = *patch.attributes_json;
        if (patch.status) next.status = *patch.status;
        FieldErrors errors = location_errors;
        CheckFields(next, errors);
        errors.ThrowIfAny();
        if (current->version != expected_version) {
            throw Error(ErrorCode::kAborted, "precondition_failed",
                        "site " + std::to_string(id) + " has changed (now version " +
                            std::to_string(current->version) + ")");
        }
        // A moved site belongs to wherever it now lies, unless the client names the unit.
        if (patch.subdistrict_id || location) {
            next.subdistrict_id =
                ResolveSubdistrict(tx, repository_, patch.subdistrict_id, next.location);
        }
        auto updated = repository_.Update(tx, next, expected_version);
        if (!updated) {
            throw Error(ErrorCode::kAborted, "precondition_failed", "site has changed meanwhile");
        }
        return *updated;
    });
}

std::vector<Site> SiteService::List(const SiteQuery& query, const Actor& actor) {
    SiteQuery q = query;
    q.territory = actor.visibility.SiteTerritory();
    if (q.near) {
        FieldErrors errors;
        GeoPoint p = *q.near;
        CheckLocation(p, Crs::kWgs84, errors);
        if (!errors.empty()) {
            throw Error::InvalidArgument("invalid_parameter", "near is not a valid position",
                                         {{"near", "must be <lat>,<lon> in WGS-84 degrees"}});
        }
        if (!(q.radius_m > 0 && q.radius_m <= kMaxNearRadiusM)) {
            throw Error::InvalidArgument(
                "invalid_parameter", "radius_m is out of range",
                {{"radius_m", "must be greater than 0 and at most 50000"}});
        }
    }
    return db::Read(pool_, [&](pqxx::transaction_base& tx) { return repository_.List(tx, q); });
}

}  // namespace lantian::sites
