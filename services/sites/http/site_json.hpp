#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/error.hpp"
#include "sites/site.hpp"

namespace lantian::sites {

nlohmann::json SiteToJson(const Site& site);

/// Reads a create body; type errors are recorded in `errors`, unknown fields refused (400).
NewSite NewSiteFromJson(const nlohmann::json& body, FieldErrors& errors);

/// Reads a PATCH body (absent fields stay as they are).
SitePatch SitePatchFromJson(const nlohmann::json& body, FieldErrors& errors);

}  // namespace lantian::sites
