#pragma once

#include "http/router.hpp"
#include "issues/issue_service.hpp"

namespace lantian::issues {

/// Creation, reading and listing: /api/v1/inspections, /api/v1/issues, /api/v1/issues/{id},
/// /api/v1/issues/{id}/events, and the deadline rules.
void RegisterIssueRoutes(http::Router& router, IssueService& service);

/// The lifecycle steps: triage, assignments, rectifications, verifications.
void RegisterWorkflowRoutes(http::Router& router, IssueService& service);

}  // namespace lantian::issues
