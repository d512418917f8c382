#include "auth/http/auth_step.hpp"

#include <strings.h>

#include "auth/authorization.hpp"
#include "common/error.hpp"

namespace lantian::auth {

std::string_view BearerToken(const http::Request& request) {
    const std::string_view header = request.Header("authorization");
    constexpr std::string_view kScheme = "bearer ";
    if (header.size() <= kScheme.size() ||
        strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
        return {};
    }
    std::string_view token = header.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

http::AuthStep MakeAuthStep(AuthService& service) {
    return [&service](http::Request& request, const http::Route& route) {
        const std::string_view token = BearerToken(request);
        if (token.empty()) {
            throw Error(ErrorCode::kUnauthenticated, "unauthenticated",
                        "sign in and send the token as \"Authorization: Bearer <token>\"");
        }
        auto actor = service.Authenticate(token);
        if (!actor) {
            throw Error(ErrorCode::kUnauthenticated, "unauthenticated",
                        "the session has ended or the token is not valid; sign in again");
        }
        actor->request_id = request.request_id;
        const auto rule = FindRule(request.method, route.pattern);
        if (!rule || !rule->roles.Contains(actor->role)) {
            throw Error(ErrorCode::kPermissionDenied, "forbidden",
                        "role \"" + std::string(RoleName(actor->role)) + "\" may not " +
                            request.method + " " + route.pattern);
        }
        // The one scope policy, computed once for the whole request.
        request.actor = WithVisibility(std::move(*actor));
    };
}

}  // namespace lantian::auth
