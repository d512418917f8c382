#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "sites/site.hpp"

namespace lantian::sites {

/// The SQL for sites (PostGIS for places and distances, pg_trgm for Chinese text).
class SiteRepository {
public:
    std::optional<Site> Find(pqxx::transaction_base& tx, long long id) const;
    /// Find, plus the site's open-issue count and the time of its last inspection.
    std::optional<Site> FindWithLedger(pqxx::transaction_base& tx, long long id) const;
    /// Takes `site` as it should be stored (WGS-84, subdistrict resolved).
    Site Insert(pqxx::transaction_base& tx, const Site& site) const;
    /// Compare-and-set on version; nullopt when no row has that id and version.
    std::optional<Site> Update(pqxx::transaction_base& tx, const Site& site,
                               int expected_version) const;
    std::vector<Site> List(pqxx::transaction_base& tx, const SiteQuery& query) const;

    /// The subdistrict or park whose boundary covers the point, if any.
    std::optional<long long> LocateSubdistrict(pqxx::transaction_base& tx, GeoPoint p) const;
    /// True when the id names a subdistrict or park.
    bool IsTerritorialUnit(pqxx::transaction_base& tx, long long unit_id) const;
};

}  // namespace lantian::sites
