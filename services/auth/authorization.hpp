#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/role.hpp"

namespace lantian::auth {

/// A set of roles as a bit mask over Role.
class RoleSet {
public:
    constexpr RoleSet() = default;
    constexpr RoleSet(std::initializer_list<Role> roles) {
        for (auto r : roles) bits_ |= Bit(r);
    }
    static constexpr RoleSet All() {
        RoleSet all;
        for (auto r : kAllRoles) all.bits_ |= Bit(r);
        return all;
    }
    constexpr bool Contains(Role role) const { return (bits_ & Bit(role)) != 0; }

private:
    static constexpr std::uint32_t Bit(Role role) { return 1u << static_cast<std::uint32_t>(role); }
    std::uint32_t bits_ = 0;
};

/// How far a permitted role reaches among a route's objects (enforced by the services and
/// recorded here so that the matrix tests know which objects must answer 404).
enum class Scope {
    kAll,        // every object
    kTerritory,  // a handler of a subdistrict or park: objects in that territory only
    kSelf,       // the caller's own record
    kIssue,      // issues (and their photos): an inspector's own reports and their subdistrict's,
                 // a handler's unit as lead or co-unit; office, supervisor and leader see all
    kUnit,       // bulletins and escalations: a handler sees their own unit's part only
};

struct RouteRule {
    std::string_view method;
    std::string_view route;
    RoleSet roles;
    /// How far the permitted roles reach on this route (see Scope).
    Scope scope = Scope::kAll;
};

/// The one machine-readable authorization matrix (role × route × scope). The request
/// pipeline consults it before every handler, and the tests are generated from it.
std::span<const RouteRule> AuthorizationMatrix();

/// The rule for a method and route template (HEAD counts as GET); nullopt when none, which
/// the pipeline treats as "nobody may".
std::optional<RouteRule> FindRule(std::string_view method, std::string_view route);

}  // namespace lantian::auth
