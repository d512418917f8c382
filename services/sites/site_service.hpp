#pragma once

#include <vector>

#include "common/actor.hpp"
#include "common/error.hpp"
#include "db/pool.hpp"
#include "sites/site.hpp"
#include "sites/site_repository.hpp"

namespace lantian::sites {

/// The rules of the site registry: known kinds, sane coordinates (GCJ-02 converted to
/// WGS-84), a site always inside exactly one subdistrict or park, compare-and-set versions.
/// A subdistrict's or park's handler sees the sites of its own territory only; everyone
/// else (inspectors sweep the whole district, departments supervise across it) sees all
/// (Visibility::SiteTerritory).

class SiteService {
public:
    SiteService(db::Pool& pool, const SiteRepository& repository)
        : pool_(pool), repository_(repository) {}

    /// `input_errors` are what the caller found while reading the input (types, nulls); they
    /// are reported together with the rule violations, so one answer names every field.
    Site Create(const NewSite& site, const FieldErrors& input_errors = {});
    /// A site the actor may see; 404 exactly like a missing one otherwise.
    Site Get(long long id, const Actor& actor);
    Site Patch(long long id, int expected_version, const SitePatch& patch,
               const FieldErrors& input_errors = {});
    /// Up to `query.limit` sites the actor may see; ordered by id, or by distance when
    /// `near` is set.
    std::vector<Site> List(const SiteQuery& query, const Actor& actor);

private:
    db::Pool& pool_;
    const SiteRepository& repository_;
};

}  // namespace lantian::sites
