#include "auth/http/session_routes.hpp"

#include <nlohmann/json.hpp>

#include "auth/http/auth_step.hpp"
#include "auth/http/user_json.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"

namespace lantian::auth {

namespace {

using nlohmann::json;

http::Response SignIn(AuthService& auth, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"username", "password"});
    FieldErrors errors;
    http::JsonFields f(body, errors);
    const auto username = f.String("username", true);
    const auto password = f.String("password", true);
    if (!errors.empty()) {
        throw Error::InvalidArgument("validation_failed", "username and password are required",
                                     {{"username", "is required"}, {"password", "is required"}});
    }
    const SignedIn session = auth.SignIn(*username, *password, req.client_address);
    http::Response r =
        http::JsonResponse(201, {{"token", session.token},
                                 {"token_type", "Bearer"},
                                 {"expires_at", FormatDistrictTime(session.expires_at)},
                                 {"idle_timeout_seconds", auth.policy().idle_timeout.count()},
                                 {"user", UserToJson(session.user)}});
    r.Header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void RegisterSessionRoutes(http::Router& router, AuthService& auth, UserService& users,
                           BoundedExecutor& hashing) {
    router.Add("POST", "/api/v1/sessions",
               {.max_body = 4 * 1024,
                .public_route = true,
                .executor = &hashing,
                .busy_code = "signin_busy"},
               [&auth](http::Request& r) { return SignIn(auth, r); });
    router.Add("DELETE", "/api/v1/sessions/current", {}, [&auth](http::Request& r) {
        auth.SignOut(BearerToken(r));
        http::Response response;
        response.status = 204;
        response.content_type.clear();
        return response;
    });
    router.Add("GET", "/api/v1/me", {}, [&users](http::Request& r) {
        return http::JsonResponse(200, UserToJson(users.Get(r.RequireActor().user_id)));
    });
}

}  // namespace lantian::auth
