#pragma once

#include "auth/auth_service.hpp"
#include "auth/user_service.hpp"
#include "http/router.hpp"

namespace lantian::auth {

/// POST /api/v1/sessions (sign in), DELETE /api/v1/sessions/current, GET /api/v1/me.
void RegisterSessionRoutes(http::Router& router, AuthService& auth, UserService& users);

/// /api/v1/users and /api/v1/users/{id} (administrators).
void RegisterUserRoutes(http::Router& router, UserService& users);

}  // namespace lantian::auth
