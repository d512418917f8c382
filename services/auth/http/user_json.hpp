#pragma once

#include <nlohmann/json_fwd.hpp>

#include "auth/user.hpp"

namespace lantian::auth {

nlohmann::json UserToJson(const User& user);

}  // namespace lantian::auth
