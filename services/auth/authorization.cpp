#include "auth/authorization.hpp"

#include <array>

namespace lantian::auth {

namespace {

constexpr RoleSet kEveryone = RoleSet::All();
constexpr RoleSet kAdmin = {"admin"};

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
    RouteRule{"POST", "/api/v1/sites", {"inspector", "office", "admin"}},
    RouteRule{"PATCH", "/api/v1/sites/{id}", {"office", "admin"}},
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
