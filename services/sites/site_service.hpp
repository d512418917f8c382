#pragma once

#include <vector>

#include "db/pool.hpp"
#include "sites/site.hpp"
#include "sites/site_repository.hpp"

namespace lantian::sites {

/// The rules of the site registry: known kinds, sane coordinates (GCJ-02 converted to
/// WGS-84), a site always inside exactly one subdistrict or park, compare-and-set versions.
class SiteService {
public:
    SiteService(db::Pool& pool, const SiteRepository& repository)
        : pool_(pool), repository_(repository) {}

    Site Create(const NewSite& site);
    Site Get(long long id);
    Site Patch(long long id, int expected_version, const SitePatch& patch);
    /// Up to `query.limit` sites; ordered by id, or by distance when `near` is set.
    std::vector<Site> List(const SiteQuery& query);

private:
    db::Pool& pool_;
    const SiteRepository& repository_;
};

}  // namespace lantian::sites
