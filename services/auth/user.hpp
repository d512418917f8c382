#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace lantian::auth {

struct User {
    long long id = 0;
    std::string username;
    std::string display_name;
    std::string role;
    std::optional<long long> unit_id;
    bool disabled = false;
    int version = 1;
    TimePoint created_at;
    TimePoint updated_at;
};

struct NewUser {
    std::string username;
    std::string display_name;
    std::string role;
    std::optional<long long> unit_id;
    std::string password;
};

/// What an administrator may change; absent fields stay.
struct UserPatch {
    std::optional<std::string> display_name;
    std::optional<std::string> role;
    std::optional<std::optional<long long>> unit_id;
    std::optional<bool> disabled;
    std::optional<std::string> password;
};

/// The Chinese label of a role, or empty for an unknown role.
std::string_view RoleLabel(std::string_view role);

}  // namespace lantian::auth
