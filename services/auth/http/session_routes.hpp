#pragma once

#include "auth/auth_service.hpp"
#include "auth/user_service.hpp"
#include "common/bounded_executor.hpp"
#include "http/router.hpp"

namespace lantian::auth {

/// POST /api/v1/sessions (sign in), DELETE /api/v1/sessions/current, GET /api/v1/me. Sign-ins
/// run on `hashing` (their argon2 hash is CPU-heavy), not on a request worker.
void RegisterSessionRoutes(http::Router& router, AuthService& auth, UserService& users,
                           BoundedExecutor& hashing);

/// /api/v1/users and /api/v1/users/{id} (administrators).
void RegisterUserRoutes(http::Router& router, UserService& users);

}  // namespace lantian::auth
