#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lantian {

/// The roles of DOMAIN.md. The database's users_role_check lists the same names; a name this
/// enum does not know is refused at sign-in (never treated as "sees nothing").
enum class Role : std::uint8_t { kInspector, kOffice, kHandler, kSupervisor, kLeader, kAdmin };

inline constexpr std::array kAllRoles = {Role::kInspector,  Role::kOffice, Role::kHandler,
                                         Role::kSupervisor, Role::kLeader, Role::kAdmin};

/// The stored name: inspector | office | handler | supervisor | leader | admin.
std::string_view RoleName(Role role);

/// The role with this stored name, or nullopt for a name no role has.
std::optional<Role> ParseRole(std::string_view name);

}  // namespace lantian
