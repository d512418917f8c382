#pragma once

#include "dispatch/dispatch_service.hpp"
#include "http/router.hpp"

namespace lantian::dispatch {

/// /api/v1/dispatches, /api/v1/escalations, /api/v1/rules/routing, /api/v1/pollution-alerts.
void RegisterDispatchRoutes(http::Router& router, DispatchService& service);

}  // namespace lantian::dispatch
