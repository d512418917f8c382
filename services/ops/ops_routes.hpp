#pragma once

#include "db/pool.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace lantian::db {
class HealthMonitor;
}

namespace lantian::ops {

/// /healthz (alive), /readyz (database reachable and schema current), /metrics and the
/// API contract at /api/v1/openapi.yaml. With a health monitor, /readyz answers from what it
/// last saw and, like /healthz and /metrics, off the worker threads (never waiting on the
/// database); without one (tests), it asks the database through the pool.
void RegisterOpsRoutes(http::Router& router, db::Pool& pool, http::Metrics& metrics,
                       const db::HealthMonitor* health = nullptr);

}  // namespace lantian::ops
