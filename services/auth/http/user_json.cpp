#include "auth/http/user_json.hpp"

#include <nlohmann/json.hpp>

#include "common/time.hpp"

namespace lantian::auth {

nlohmann::json UserToJson(const User& u) {
    return {
        {"id", u.id},
        {"username", u.username},
        {"display_name", u.display_name},
        {"role", u.role},
        {"role_label", RoleLabel(u.role)},
        {"unit_id", u.unit_id ? nlohmann::json(*u.unit_id) : nlohmann::json(nullptr)},
        {"disabled", u.disabled},
        {"version", u.version},
        {"created_at", FormatDistrictTime(u.created_at)},
        {"updated_at", FormatDistrictTime(u.updated_at)},
    };
}

}  // namespace lantian::auth
