#pragma once

#include <optional>
#include <string>

#include "common/role.hpp"
#include "common/visibility.hpp"

namespace lantian {

/// Who is acting, as established by sign-in: passed from the request pipeline to services,
/// which filter by its `visibility` and record it in the audit trail.
struct Actor {
    long long user_id = 0;
    std::string username;
    Role role = Role::kInspector;
    std::optional<long long> unit_id;
    std::string unit_kind;  // subdistrict | park | department | office, or empty
    std::string request_id;
    /// What this actor may see; computed once (WithVisibility) when the actor is established.
    Visibility visibility;
};

/// The actor with its visibility computed from its role and unit (the one scope policy).
inline Actor WithVisibility(Actor actor) {
    actor.visibility = VisibilityFor(actor.role, actor.user_id, actor.unit_id, actor.unit_kind);
    return actor;
}

}  // namespace lantian
