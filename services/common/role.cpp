#include "common/role.hpp"

namespace lantian {

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kInspector:
            return "inspector";
        case Role::kOffice:
            return "office";
        case Role::kHandler:
            return "handler";
        case Role::kSupervisor:
            return "supervisor";
        case Role::kLeader:
            return "leader";
        case Role::kAdmin:
            return "admin";
    }
    return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
    for (const Role r : kAllRoles) {
        if (RoleName(r) == name) return r;
    }
    return std::nullopt;
}

}  // namespace lantian
