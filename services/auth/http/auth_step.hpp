#pragma once

#include "auth/auth_service.hpp"
#include "http/pipeline.hpp"

namespace lantian::auth {

/// The pipeline step in front of every non-public handler: a bearer token from the
/// Authorization header only (401 without a valid one), then the authorization matrix
/// (403 for a role that may not call the route at all).
http::AuthStep MakeAuthStep(AuthService& service);

/// The bearer token of a request, or empty.
std::string_view BearerToken(const http::Request& request);

}  // namespace lantian::auth
