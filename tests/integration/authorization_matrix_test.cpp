// RELIABILITY promise 4, generated from auth::AuthorizationMatrix() and every route the
// production wiring registers: each route × each role (handlers of a subdistrict, a park and a
// department) × an object in and out of the caller's scope, through the real pipeline. Issues
// are made fresh per case, in the state the route's step needs.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "auth/authorization.hpp"
#include "support/matrix_fixture.hpp"

namespace lantian::auth {
namespace {

using itest::Describe;
using itest::Object;
using itest::ObjectName;
using itest::Principal;
using itest::ProblemCode;
using itest::Recipe;
using nlohmann::json;

/// Whether the route's path names one existing object ({id}, or the {sha256} of a photo).
bool NamesObject(const http::Route& route, const Recipe& recipe) {
    return route.pattern.find('{') != std::string::npos && !recipe.path_from_body;
}

std::string Name(const http::Route& route) {
    return route.method + " " + route.pattern;
}

json IdOf(const json& body) {
    return body.is_object() && body.contains("id") ? body.at("id") : json();
}

/// A problem body without its request id, which differs between any two requests.
json Comparable(const http::Response& response) {
    json body = json::parse(response.body, nullptr, false);
    if (body.is_object()) body.erase("request_id");
    return body;
}

class AuthorizationMatrixTest : public itest::MatrixTest {
protected:
    /// Every item of a list, page by page.
    std::vector<json> AllItems(const http::Route& route, const std::string& query,
                               const std::string& token, const std::string& what) {
        std::vector<json> items;
        std::string cursor;
        for (int page = 0; page < 100; ++page) {
            std::string target = route.pattern + query + (query.empty() ? "?" : "&") + "limit=200";
            if (!cursor.empty()) target += "&cursor=" + cursor;
            http::Request request = itest::MakeRequest("GET", target, token);
            const http::Response r = service().Handle(request);
            if (r.status != 200) {
                Deviation(what + ": page " + std::to_string(page + 1) + " answered " + Describe(r));
                break;
            }
            const json body = json::parse(r.body);
            for (const auto& item : body.at("items")) items.push_back(item);
            if (body.at("next_cursor").is_null()) break;
            cursor = body.at("next_cursor").get<std::string>();
        }
        return items;
    }

    /// What a list shows a caller: a scoped one only its scope (a handler's territory; an
    /// inspector's reports and subdistrict, a handler's issues), everyone else all.
    void CheckListScope(const http::Route& route, const RouteRule& rule, const Recipe& recipe,
                        const Principal& p, bool scoped, const std::string& query,
                        const std::string& what) {
        if (rule.scope == Scope::kTerritory && recipe.item_territory_field.empty()) {
            Deviation(what + ": the recipe of a territory-scoped list names no territory field");
            return;
        }
        const std::vector<json> items = AllItems(route, query, p.token, what);
        int outside = 0;
        for (const auto& item : items) {
            if (!ItemInScope(rule, recipe, item, p)) ++outside;
        }
        if (scoped && outside > 0) {
            Deviation(what + ": " + std::to_string(outside) + " of " +
                      std::to_string(items.size()) + " items lie outside the caller's scope");
        }
        if (!query.empty()) return;
        const long long expected = std::stoll(QueryValue(
            "select count(*) from " + recipe.table + " where " + ScopeCondition(rule, recipe, p)));
        if (static_cast<long long>(items.size()) != expected) {
            Deviation(what + ": listed " + std::to_string(items.size()) + " items, expected " +
                      std::to_string(expected));
        }
    }

    /// Whether a 2xx GET of one object answered that object (a photo: its bytes).
    bool AnswersObject(const Recipe& recipe, const http::Response& r) {
        if (recipe.table == "attachments") return itest::PhotoSha256(r.body) == built_object();
        const json body = json::parse(r.body, nullptr, false);
        if (recipe.table == "dispatch_runs") {  // a day's run, named by its date
            return body.is_object() && body.value("date", json()) == json(built_object());
        }
        const json id = std::stoll(built_object());
        if (!body.is_object() || !body.contains("items")) return IdOf(body) == id;
        const json& items = body["items"];  // an issue's events
        return !items.empty() && std::all_of(items.begin(), items.end(), [&](const json& e) {
            return e.value("issue_id", json()) == id;
        });
    }

    /// One route as one principal on one object: 403 for a role the rule leaves out, 404 (the
    /// same answer as a missing id) outside a scoped caller's reach, 403 not_lead_unit for a
    /// co-unit's handler on a lead unit's step, 2xx otherwise.
    void Check(const http::Route& route, const RouteRule& rule, const Recipe& recipe,
               const Principal& p, Object object, const std::string& query = "") {
        const std::string what =
            Name(route) + query + " as " + p.label + " (" + ObjectName(object) + ")";
        const bool scoped = Scoped(rule, p);
        ++checks_;
        if (!rule.roles.Contains(ParseRole(p.role).value())) {
            const auto r =
                SendRefused(BuildRequest(route, recipe, p, object, query, p.token), what);
            if (r.status != 403 || ProblemCode(r) != "forbidden") {
                Deviation(what + ": expected 403 forbidden, got " + Describe(r));
            }
            return;
        }
        if (object == Object::kMissing || (object == Object::kOutOfScope && scoped)) {
            const auto r =
                SendRefused(BuildRequest(route, recipe, p, object, query, p.token), what);
            if (r.status != 404) {
                Deviation(what + ": expected 404, got " + Describe(r));
            } else if (object == Object::kOutOfScope) {
                const auto missing = SendRefused(
                    BuildRequest(route, recipe, p, Object::kMissing, query, p.token), what);
                if (Comparable(r) != Comparable(missing) ||
                    r.content_type != missing.content_type) {
                    Deviation(what + ": answers " + r.body + ", a missing id " + missing.body);
                }
            }
            return;
        }
        if (object == Object::kOwnReportOrCoUnit && recipe.lead_unit_only && p.role == "handler") {
            const auto r =
                SendRefused(BuildRequest(route, recipe, p, object, query, p.token), what);
            if (r.status != 403 || ProblemCode(r) != "not_lead_unit") {
                Deviation(what + ": expected 403 not_lead_unit, got " + Describe(r));
            }
            return;
        }
        const std::string token =
            recipe.ends_own_session ? service().SignIn(p.username, kPassword) : p.token;
        http::Request request = BuildRequest(route, recipe, p, object, query, token);
        const http::Response r = service().Handle(request);
        if (r.status < 200 || r.status > 299) {
            Deviation(what + ": expected 2xx, got " + Describe(r) + " " + r.body);
            return;
        }
        if (recipe.ends_own_session) {
            http::Request me = itest::MakeRequest("GET", "/api/v1/me", token);
            if (const auto after = service().Handle(me); after.status != 401) {
                Deviation(what + ": the session still works afterwards: " + Describe(after));
            }
        }
        const json body = json::parse(r.body, nullptr, false);
        if (rule.scope == Scope::kSelf && !r.body.empty() && IdOf(body) != json(p.user_id)) {
            Deviation(what + ": answered another user's record " + r.body);
        }
        if (route.method == "GET" && NamesObject(route, recipe) && !AnswersObject(recipe, r)) {
            Deviation(what + ": answered another object " + r.body.substr(0, 200));
        }
        if (route.method == "GET" && !NamesObject(route, recipe) &&
            (rule.scope == Scope::kTerritory || rule.scope == Scope::kIssue)) {
            CheckListScope(route, rule, recipe, p, scoped, query, what);
        }
        if (recipe.after_success) recipe.after_success(p, request);
    }

    /// The routes the auth step guards, in registration order.
    std::vector<const http::Route*> GuardedRoutes() {
        std::vector<const http::Route*> out;
        for (const auto& route : service().router().routes()) {
            if (!route.options.public_route) out.push_back(&route);
        }
        return out;
    }
};

TEST_F(AuthorizationMatrixTest, EveryGuardedRouteHasOneRuleAndEveryRuleARoute) {
    std::set<std::string> registered;
    for (const auto& route : service().router().routes()) {
        registered.insert(Name(route));
        const auto rule = FindRule(route.method, route.pattern);
        if (!route.options.public_route && !rule) {
            Deviation(Name(route) + " is registered but missing from the matrix");
        }
        if (route.options.public_route && rule) {
            Deviation(Name(route) + " is public, yet the matrix limits it to some roles");
        }
    }
    std::set<std::string> ruled;
    for (const RouteRule& rule : AuthorizationMatrix()) {
        const std::string name = std::string(rule.method) + " " + std::string(rule.route);
        if (!ruled.insert(name).second) Deviation(name + " has two rules");
        if (!registered.contains(name)) Deviation(name + " has a rule but no route");
    }
    Report("matrix coverage: " + std::to_string(registered.size()) + " routes, " +
           std::to_string(ruled.size()) + " rules");
}

TEST_F(AuthorizationMatrixTest, OnlyTheDocumentedRoutesArePublic) {
    const std::set<std::string> documented = {"GET /healthz", "GET /readyz", "GET /metrics",
                                              "GET /api/v1/openapi.yaml", "POST /api/v1/sessions"};
    for (const auto& route : service().router().routes()) {
        // The dashboard's static files, and /dashboard redirecting to its page.
        const bool dashboard =
            route.method == "GET" &&
            (route.pattern == "/dashboard" || route.pattern.rfind("/dashboard/", 0) == 0);
        if (route.options.public_route && !documented.contains(Name(route)) && !dashboard) {
            Deviation(Name(route) + " is open to callers without a token");
        }
    }
    Report("public routes checked");
}

TEST_F(AuthorizationMatrixTest, EveryRouteAnswersEveryRoleAsTheMatrixSays) {
    const auto routes = GuardedRoutes();
    for (const http::Route* route : routes) {
        const auto rule = FindRule(route->method, route->pattern);
        const Recipe* recipe = FindRecipe(route->method, route->pattern);
        if (!rule || !recipe) {
            Deviation(Name(*route) + (rule ? " has no request recipe in matrix_fixture.cpp"
                                           : " is missing from the matrix"));
            continue;
        }
        std::vector<Object> objects = {Object::kNone};
        if (NamesObject(*route, *recipe)) {
            objects = {Object::kInScope, Object::kMissing};
            if (rule->scope != Scope::kAll) objects.push_back(Object::kOutOfScope);
        }
        const std::vector<std::string> queries =
            recipe->list_queries.empty() ? std::vector<std::string>{""} : recipe->list_queries;
        for (const Principal& p : principals()) {
            std::vector<Object> mine = objects;
            if (objects.size() > 1 && rule->scope == Scope::kIssue && Scoped(*rule, p)) {
                mine.push_back(Object::kOwnReportOrCoUnit);
            }
            for (const Object object : mine) {
                for (const auto& query : queries) Check(*route, *rule, *recipe, p, object, query);
            }
        }
    }
    Report("authorization matrix: " + std::to_string(routes.size()) + " routes x " +
           std::to_string(principals().size()) + " roles: " + std::to_string(checks_) +
           " cases checked");
}

TEST_F(AuthorizationMatrixTest, EveryGuardedRouteRefusesCallersWithoutALiveSession) {
    const Principal& admin = Admin();  // may call every route: a bypass would answer 2xx
    ASSERT_EQ(admin.username, "admin");
    const std::string expired = service().SignIn(admin.username, kPassword);
    const std::string idle = service().SignIn(admin.username, kPassword);
    const std::string revoked = service().SignIn(admin.username, kPassword);
    service().users().Create({"matrix-gone", "已停用", "admin", {}, kPassword});
    const std::string disabled = service().SignIn("matrix-gone", kPassword);
    auto hash_of = [](const std::string& token) {
        return "encode(sha256(convert_to('" + token + "', 'UTF8')), 'hex')";
    };
    Execute("update sessions set expires_at = now() - interval '1 second' where token_hash = " +
            hash_of(expired));
    Execute("update sessions set last_seen_at = now() - interval '9 hours' where token_hash = " +
            hash_of(idle));
    http::Request sign_out = itest::MakeRequest("DELETE", "/api/v1/sessions/current", revoked);
    ASSERT_EQ(service().Handle(sign_out).status, 204);
    Execute("update users set disabled = true where username = 'matrix-gone'");
    const std::vector<std::pair<std::string, std::string>> credentials = {
        {"no Authorization header", ""},
        {"an empty bearer token", "Bearer "},
        {"a malformed token", "Bearer not-a-token"},
        {"a token never issued", "Bearer " + std::string(43, 'A')},
        {"the token without its scheme", admin.token},
        {"the right password as Basic credentials",  // admin:correct horse battery
         "Basic YWRtaW46Y29ycmVjdCBob3JzZSBiYXR0ZXJ5"},
        {"an expired session", "Bearer " + expired},
        {"an idle session", "Bearer " + idle},
        {"a signed-out session", "Bearer " + revoked},
        {"a disabled user's session", "Bearer " + disabled},
    };
    static const Recipe kBare{.table = "units"};
    const auto routes = GuardedRoutes();
    for (const http::Route* route : routes) {
        const Recipe* found = FindRecipe(route->method, route->pattern);
        const Recipe& recipe = found ? *found : kBare;
        for (const std::string& method : {route->method, std::string("HEAD")}) {
            if (method == "HEAD" && route->method != "GET") continue;
            for (const auto& [label, header] : credentials) {
                const std::string what = method + " " + route->pattern + " with " + label;
                http::Request request =
                    BuildRequest(*route, recipe, admin, Object::kInScope, "", "");
                request.method = method;
                if (!header.empty()) request.headers["authorization"] = header;
                ++checks_;
                const http::Response r = SendRefused(std::move(request), what);
                if (r.status != 401 || ProblemCode(r) != "unauthenticated" ||
                    itest::HeaderOf(r, "WWW-Authenticate") != "Bearer") {
                    Deviation(what + ": expected 401 unauthenticated with WWW-Authenticate, got " +
                              Describe(r));
                }
            }
        }
    }
    Report("authentication: " + std::to_string(routes.size()) + " routes x " +
           std::to_string(credentials.size()) + " dead credentials: " + std::to_string(checks_) +
           " cases checked");
}

TEST_F(AuthorizationMatrixTest, ATokenInTheQueryStringIsNeverAccepted) {
    const Principal& admin = Admin();
    static const Recipe kBare{.table = "units"};
    for (const http::Route* route : GuardedRoutes()) {
        const Recipe* found = FindRecipe(route->method, route->pattern);
        const std::string query = "?access_token=" + admin.token;
        const std::string what = Name(*route) + query.substr(0, 14) + "...";
        ++checks_;
        const http::Response r = SendRefused(
            BuildRequest(*route, found ? *found : kBare, admin, Object::kInScope, query, ""), what);
        if (r.status != 400 || ProblemCode(r) != "unknown_parameter") {
            Deviation(what + ": expected 400 unknown_parameter, got " + Describe(r));
        }
    }
    Report("query-string tokens: " + std::to_string(checks_) + " routes checked");
}

}  // namespace
}  // namespace lantian::auth
