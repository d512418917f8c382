#pragma once

#include <optional>
#include <string>

namespace lantian {

/// Who is acting, as established by sign-in: passed from the request pipeline to services,
/// which decide scope from it and record it in the audit trail.
struct Actor {
    long long user_id = 0;
    std::string username;
    std::string role;  // inspector | office | handler | supervisor | leader | admin
    std::optional<long long> unit_id;
    std::string unit_kind;  // subdistrict | park | department | office, or empty
    std::string request_id;
};

}  // namespace lantian
