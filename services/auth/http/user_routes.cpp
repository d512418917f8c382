#include <nlohmann/json.hpp>

#include "auth/http/session_routes.hpp"
#include "auth/http/user_json.hpp"
#include "common/cursor.hpp"
#include "common/error.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "http/list_params.hpp"

namespace lantian::auth {

namespace {

using nlohmann::json;

http::Response UserResponse(int status, const User& u) {
    return http::VersionedResponse(status, UserToJson(u), u.version, "/api/v1/users", u.id);
}

http::Response List(UserService& users, http::Request& req) {
    const auto page = http::ReadListParams(req);
    const long long after = page.cursor ? http::CursorId(*page.cursor) : 0;
    auto list = users.List(after, http::FetchLimit(page));
    const json next = http::CutPageById(list, page);
    json items = json::array();
    for (const auto& u : list) items.push_back(UserToJson(u));
    return http::JsonResponse(200, {{"items", items}, {"next_cursor", next}});
}

http::Response Create(UserService& users, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"username", "display_name", "role", "unit_id", "password"});
    FieldErrors errors;
    http::JsonFields f(body, errors);
    NewUser user;
    user.username = f.String("username", true).value_or("");
    user.display_name = f.String("display_name", true).value_or("");
    user.role = f.String("role", true).value_or("");
    user.unit_id = f.Id("unit_id");
    user.password = f.String("password", true).value_or("");
    errors.ThrowIfAny();
    return UserResponse(201, users.Create(user));
}

http::Response Patch(UserService& users, http::Request& req) {
    const long long id = req.PathId("id");
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"display_name", "role", "unit_id", "disabled", "password"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    UserPatch patch;
    patch.display_name = f.String("display_name");
    patch.role = f.String("role");
    if (f.Has("unit_id")) patch.unit_id = f.Id("unit_id");
    patch.disabled = f.Bool("disabled");
    patch.password = f.String("password");
    errors.ThrowIfAny();
    return UserResponse(200, users.Patch(id, version, patch));
}

}  // namespace

void RegisterUserRoutes(http::Router& router, UserService& users) {
    router.Add("GET", "/api/v1/users", {.query_params = {"limit", "cursor"}},
               [&users](http::Request& r) { return List(users, r); });
    router.Add("POST", "/api/v1/users", {.max_body = 4 * 1024},
               [&users](http::Request& r) { return Create(users, r); });
    router.Add("GET", "/api/v1/users/{id}", {},
               [&users](http::Request& r) { return UserResponse(200, users.Get(r.PathId("id"))); });
    router.Add("PATCH", "/api/v1/users/{id}", {.max_body = 4 * 1024},
               [&users](http::Request& r) { return Patch(users, r); });
}

}  // namespace lantian::auth
