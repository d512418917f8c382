#include "auth/authorization.hpp"

#include <array>

namespace lantian::auth {

namespace {

constexpr RoleSet kEveryone = RoleSet::All();
constexpr RoleSet kAdmin = {Role::kAdmin};
constexpr RoleSet kIssueReaders = {Role::kInspector, Role::kOffice, Role::kHandler,
                                   Role::kSupervisor, Role::kLeader};
constexpr RoleSet kDispatchReaders = {Role::kOffice, Role::kHandler, Role::kSupervisor,
                                      Role::kLeader};
constexpr RoleSet kReportReaders = {Role::kOffice, Role::kHandler, Role::kSupervisor,
                                    Role::kLeader};

constexpr std::array kMatrix = {
    // Own session and profile.
    RouteRule{"GET", "/api/v1/me", kEveryone, Scope::kSelf},
    RouteRule{"DELETE", "/api/v1/sessions/current", kEveryone, Scope::kSelf},
    // People: the administrator only.
    RouteRule{"GET", "/api/v1/users", kAdmin},
    RouteRule{"POST", "/api/v1/users", kAdmin},
    RouteRule{"GET", "/api/v1/users/{id}", kAdmin},
    RouteRule{"PATCH", "/api/v1/users/{id}", kAdmin},
    // Units: everyone reads the organisation; the administrator changes it.
    RouteRule{"GET", "/api/v1/units", kEveryone},
    RouteRule{"GET", "/api/v1/units/{id}", kEveryone},
    RouteRule{"POST", "/api/v1/units", kAdmin},
    RouteRule{"PATCH", "/api/v1/units/{id}", kAdmin},
    // Sites: inspectors sweep the whole district; a subdistrict's handler sees its own
    // territory; inspectors register sources they find; the office keeps the registry.
    RouteRule{"GET", "/api/v1/sites", kEveryone, Scope::kTerritory},
    RouteRule{"GET", "/api/v1/sites/{id}", kEveryone, Scope::kTerritory},
    RouteRule{"POST", "/api/v1/sites", {Role::kInspector, Role::kOffice, Role::kAdmin}},
    RouteRule{"PATCH", "/api/v1/sites/{id}", {Role::kOffice, Role::kAdmin}},
    // The ledger. Inspectors record inspections; the office also types in hotline and other
    // sources; everyone but the administrator reads issues within their scope.
    RouteRule{"POST", "/api/v1/inspections", {Role::kInspector}},
    RouteRule{"POST", "/api/v1/issues", {Role::kInspector, Role::kOffice}},
    RouteRule{"GET", "/api/v1/issues", kIssueReaders, Scope::kIssue},
    RouteRule{"GET", "/api/v1/issues/{id}", kIssueReaders, Scope::kIssue},
    RouteRule{"GET", "/api/v1/issues/{id}/events", kIssueReaders, Scope::kIssue},
    RouteRule{"POST", "/api/v1/issues/{id}/triage", {Role::kOffice}, Scope::kIssue},
    RouteRule{"POST", "/api/v1/issues/{id}/assignments", {Role::kOffice}, Scope::kIssue},
    RouteRule{"POST", "/api/v1/issues/{id}/rectifications", {Role::kHandler}, Scope::kIssue},
    RouteRule{"POST", "/api/v1/issues/{id}/verifications", {Role::kSupervisor}, Scope::kIssue},
    // Evidence photos: uploaded by whoever brings evidence, shown within the issue scope.
    RouteRule{"PUT",
              "/api/v1/attachments/{sha256}",
              {Role::kInspector, Role::kOffice, Role::kHandler, Role::kSupervisor}},
    RouteRule{"GET", "/api/v1/attachments/{sha256}", kIssueReaders, Scope::kIssue},
    // Rules: read by everyone, kept by the office.
    RouteRule{"GET", "/api/v1/rules/deadlines", kEveryone},
    RouteRule{"PUT", "/api/v1/rules/deadlines", {Role::kOffice, Role::kAdmin}},
    // The daily dispatch: run and published by the office; a handler reads their unit's part.
    RouteRule{"POST", "/api/v1/dispatches", {Role::kOffice}},
    RouteRule{"GET", "/api/v1/dispatches", kDispatchReaders, Scope::kUnit},
    RouteRule{"GET", "/api/v1/dispatches/{date}", kDispatchReaders, Scope::kUnit},
    RouteRule{"POST", "/api/v1/dispatches/{date}/publish", {Role::kOffice}},
    RouteRule{"GET", "/api/v1/escalations", kDispatchReaders, Scope::kUnit},
    RouteRule{"GET", "/api/v1/rules/routing", kEveryone},
    RouteRule{"PUT", "/api/v1/rules/routing", {Role::kOffice, Role::kAdmin}},
    RouteRule{"GET", "/api/v1/pollution-alerts", kEveryone},
    RouteRule{"POST", "/api/v1/pollution-alerts", {Role::kOffice}},
    // Reports for leaders: a handler's figures are their own unit's; the ranking of the
    // territories is the public 通报, the same for every reader.
    RouteRule{"GET", "/api/v1/reports/summary", kReportReaders, Scope::kUnit},
    RouteRule{"GET", "/api/v1/reports/ranking", kReportReaders},
    RouteRule{"GET", "/api/v1/reports/issues", kReportReaders, Scope::kUnit},
    RouteRule{"GET", "/api/v1/reports/bulletin", kReportReaders, Scope::kUnit},
    RouteRule{"GET", "/api/v1/reports/map", kReportReaders, Scope::kUnit},
};

}  // namespace

std::span<const RouteRule> AuthorizationMatrix() {
    return kMatrix;
}

std::optional<RouteRule> FindRule(std::string_view method, std::string_view route) {
    if (method == "HEAD") method = "GET";
    for (const auto& rule : kMatrix) {
        if (rule.method == method && rule.route == route) return rule;
    }
    return std::nullopt;
}

}  // namespace lantian::auth
