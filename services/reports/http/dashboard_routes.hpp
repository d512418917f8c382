#pragma once

#include <string>

#include "http/router.hpp"

namespace lantian::reports {

/// Serves the supervision dashboard at /dashboard/ without a token: index.html, app.js and
/// app.css from `dir`, and Apache ECharts from `dir`/node_modules (npm). The files are read
/// once at start; only these names are served, so no path reaches the rest of the disk.
/// A missing file is logged and answers 503 until the service restarts with it in place.
void RegisterDashboardRoutes(http::Router& router, const std::string& dir);

}  // namespace lantian::reports
