#pragma once

#include "http/router.hpp"
#include "sites/site_service.hpp"

namespace lantian::sites {

/// POST/GET /api/v1/sites, GET/PATCH /api/v1/sites/{id}.
void RegisterSiteRoutes(http::Router& router, SiteService& service);

}  // namespace lantian::sites
