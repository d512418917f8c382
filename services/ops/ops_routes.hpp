#pragma once

#include "db/pool.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace lantian::ops {

/// /healthz (alive), /readyz (database reachable and schema current), /metrics and the
/// API contract at /api/v1/openapi.yaml.
void RegisterOpsRoutes(http::Router& router, db::Pool& pool, http::Metrics& metrics);

}  // namespace lantian::ops
