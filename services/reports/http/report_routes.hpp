#pragma once

#include "http/router.hpp"
#include "reports/report_service.hpp"

namespace lantian::reports {

/// /api/v1/reports/...: summary and ranking (JSON, CSV, xlsx), the issues behind a figure, the
/// printable bulletin and the map of open issues.
void RegisterReportRoutes(http::Router& router, ReportService& service);

}  // namespace lantian::reports
