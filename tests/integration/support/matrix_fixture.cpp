#include "support/matrix_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "db/transaction.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

// A point well inside 焦西街道 (JF-SD-JIAOXI) and one inside 民主街道 (JF-SD-MINZHU).
constexpr double kJiaoxiLat = 35.2200, kJiaoxiLon = 113.1990;
constexpr double kMinzhuLat = 35.2620, kMinzhuLon = 113.2600;

struct PrincipalSpec {
    const char* role;
    const char* unit_code;  // empty: none
    bool territorial;
};

constexpr PrincipalSpec kPrincipals[] = {
    {"inspector", "JF-SD-JIAOXI", false},  // an inspector's unit does not narrow what they see
    {"office", "JF-OFF-HUANWEIBAN", false},
    {"handler", "JF-SD-JIAOXI", true},
    {"handler", "JF-PK-CYJJQ", true},
    {"handler", "JF-DEPT-CHENGGUAN", false},
    {"supervisor", "JF-OFF-DUCHA", false},
    {"leader", "", false},
    {"admin", "", false},
};

}  // namespace

const char* ObjectName(Object object) {
    switch (object) {
        case Object::kNone:
            return "-";
        case Object::kInScope:
            return "in-scope";
        case Object::kOutOfScope:
            return "out-of-scope";
        case Object::kMissing:
            return "missing";
        case Object::kOwnReportOrCoUnit:
            return "own report / co-unit";
    }
    return "?";
}

void MatrixTest::SetUp() {
    SeededDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<ServiceHarness>(database().url(), pool());
    jiaoxi_ = UnitId("JF-SD-JIAOXI");
    minzhu_ = UnitId("JF-SD-MINZHU");
    for (const PrincipalSpec& spec : kPrincipals) {
        Principal p;
        p.role = spec.role;
        p.label = std::string(spec.role) + (*spec.unit_code ? "@" : "") + spec.unit_code;
        p.username = p.label;  // admin, handler.jf-sd-jiaoxi, ...
        std::replace(p.username.begin(), p.username.end(), '@', '.');
        std::transform(p.username.begin(), p.username.end(), p.username.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::optional<long long> unit;
        if (*spec.unit_code) unit = UnitId(spec.unit_code);
        if (spec.territorial) p.territory = unit;
        p.unit_id = unit;
        p.user_id = service().users().Create({p.username, p.label, p.role, unit, kPassword}).id;
        p.token = service().SignIn(p.username, kPassword);
        ASSERT_FALSE(p.token.empty()) << p.label;
        principals_.push_back(std::move(p));
    }
    target_user_ =
        service().users().Create({"matrix-target", "目标用户", "inspector", {}, kPassword}).id;
    target_unit_ = UnitId("JF-DEPT-HUANWEI");
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        for (const auto& row : tx.exec("select subdistrict_id, min(id) from sites group by 1")) {
            site_in_territory_[row[0].as<long long>()] = row[1].as<long long>();
        }
    });
    minzhu_site_ = site_in_territory_.at(minzhu_);

    const json restaurant = {
        {"kind", "restaurant"},
        {"name", "矩阵测试饭店"},
        {"address", "焦作市解放区焦西路1号"},
        {"location", {{"lat", kJiaoxiLat}, {"lon", kJiaoxiLon}}},
        {"responsible_party",
         {{"name", "矩阵餐饮有限公司"}, {"contact_name", "王建国"}, {"phone", "13912345678"}}},
        {"attributes", {{"has_fume_purifier", true}}},
    };
    char near[64];
    std::snprintf(near, sizeof near, "?near=%.4f,%.4f&radius_m=50000", kMinzhuLat, kMinzhuLon);
    auto rename = [](const char* field) {
        return [field](int i) { return json{{field, "改名 " + std::to_string(i)}}.dump(); };
    };
    recipes_ = {
        {"GET /api/v1/me", {}},
        {"DELETE /api/v1/sessions/current", {.ends_own_session = true}},
        {"GET /api/v1/users", {.list_queries = {"", "?limit=1"}}},
        {"POST /api/v1/users",
         {.body =
              [](int i) {
                  return json{{"username", "matrix-new-" + std::to_string(i)},
                              {"display_name", "新用户"},
                              {"role", "inspector"},
                              {"password", kPassword}}
                      .dump();
              }}},
        {"GET /api/v1/users/{id}", {.table = "users"}},
        {"PATCH /api/v1/users/{id}",
         {.table = "users", .body = rename("display_name"), .if_match = true}},
        {"GET /api/v1/units", {.list_queries = {"", "?kind=subdistrict"}}},
        {"POST /api/v1/units",
         {.body =
              [](int i) {
                  return json{{"code", "T-MATRIX-" + std::to_string(i)},
                              {"name", "矩阵测试单位"},
                              {"kind", "department"}}
                      .dump();
              }}},
        {"GET /api/v1/units/{id}", {.table = "units"}},
        {"PATCH /api/v1/units/{id}", {.table = "units", .body = rename("name"), .if_match = true}},
        {"GET /api/v1/sites",
         {.table = "sites",
          .list_queries = {"", "?subdistrict_id=" + std::to_string(minzhu_), near,
                           "?kind=restaurant"},
          .item_territory_field = "subdistrict_id"}},
        {"POST /api/v1/sites", {.body = [restaurant](int) { return restaurant.dump(); }}},
        {"GET /api/v1/sites/{id}", {.table = "sites"}},
        {"PATCH /api/v1/sites/{id}", {.table = "sites", .body = rename("name"), .if_match = true}},
    };
    SetUpLedger();
    AddLedgerRecipes();
    SetUpDispatch();
    AddDispatchRecipes();
    AddReportRecipes();
}

void MatrixTest::TearDown() {
    service_.reset();  // its pool's connections go before the database does
    SeededDatabaseTest::TearDown();
}

const Principal& MatrixTest::Admin() const {
    for (const auto& p : principals_) {
        if (p.role == "admin") return p;
    }
    throw std::logic_error("no admin principal");
}

const Recipe* MatrixTest::FindRecipe(const std::string& method, const std::string& pattern) const {
    const auto it = recipes_.find(method + " " + pattern);
    return it == recipes_.end() ? nullptr : &it->second;
}

long long MatrixTest::ObjectId(const std::string& table, Object object, const Principal& p) {
    if (object == Object::kMissing) return kMissingId;
    if (table == "users") return target_user_;
    if (table == "units") return target_unit_;
    if (table == "sites") {
        if (object == Object::kOutOfScope) return minzhu_site_;
        return site_in_territory_.at(p.territory.value_or(jiaoxi_));
    }
    Deviation("the test knows no objects of table \"" + table + "\"");
    return kMissingId;
}

bool MatrixTest::Scoped(const auth::RouteRule& rule, const Principal& p) {
    if (rule.scope == auth::Scope::kTerritory) return p.territory.has_value();
    if (rule.scope == auth::Scope::kIssue) return p.role == "inspector" || p.role == "handler";
    return false;
}

bool MatrixTest::ItemInScope(const auth::RouteRule& rule, const Recipe& recipe, const json& item,
                             const Principal& p) const {
    auto is = [&item](const char* field, std::optional<long long> value) {
        return item.contains(field) && value && item[field] == json(*value);
    };
    if (rule.scope == auth::Scope::kTerritory) {
        return is(recipe.item_territory_field.c_str(), p.territory.value_or(jiaoxi_));
    }
    if (rule.scope != auth::Scope::kIssue || !Scoped(rule, p)) return true;
    if (p.role == "inspector")
        return is("reported_by", p.user_id) || is("subdistrict_id", p.unit_id);
    const json co = item.value("co_unit_ids", json::array());
    return is("lead_unit_id", p.unit_id) ||
           (p.unit_id && std::find(co.begin(), co.end(), json(*p.unit_id)) != co.end());
}

std::string MatrixTest::ScopeCondition(const auth::RouteRule& rule, const Recipe& recipe,
                                       const Principal& p) const {
    const std::string unit = std::to_string(p.unit_id.value_or(-1));
    if (rule.scope == auth::Scope::kTerritory) {
        return recipe.item_territory_field +
               (Scoped(rule, p) ? " = " + std::to_string(*p.territory) : " is not null");
    }
    if (rule.scope != auth::Scope::kIssue || !Scoped(rule, p)) return "true";
    if (p.role == "inspector") {
        return "(reported_by = " + std::to_string(p.user_id) + " or subdistrict_id = " + unit + ")";
    }
    return "(lead_unit_id = " + unit + " or " + unit + " = any (co_unit_ids))";
}

http::Request MatrixTest::BuildRequest(const http::Route& route, const Recipe& recipe,
                                       const Principal& p, Object object, const std::string& query,
                                       const std::string& token) {
    std::string path = route.pattern;
    std::string if_match;
    const std::string body = recipe.body ? recipe.body(++serial_) : "";
    built_object_.clear();
    if (const auto at = path.find('{'); at != std::string::npos) {
        built_object_ = recipe.path_from_body ? PhotoSha256(body) : ObjectKey(recipe, object, p);
        path.replace(at, path.find('}', at) - at + 1, built_object_);
        if (recipe.if_match) {
            const std::string version =
                QueryValue("select coalesce((select version from " + recipe.table +
                           " where id = " + built_object_ + "), 1)");
            if_match = "\"v" + version + "\"";
        }
    }
    http::Request request = MakeRequest(route.method, path + query, token, body, if_match);
    if (!recipe.content_type.empty()) request.headers["content-type"] = recipe.content_type;
    return request;
}

std::string MatrixTest::Snapshot() {
    auto digest = [](const std::string& rows, const std::string& table, const std::string& order) {
        return "(select md5(coalesce(string_agg(" + rows + "::text, ',' order by " + order +
               "), '')) from " + table + " t)";
    };
    return QueryValue(
        "select concat_ws('|', " + digest("t", "users", "t.id") + ", " +
        digest("t", "units", "t.id") + ", " + digest("t", "sites", "t.id") + ", " +
        digest("(t.id, t.user_id, t.token_hash, t.expires_at, t.revoked_at)", "sessions", "t.id") +
        ", " + digest("t", "sign_in_throttle", "t.subject") + ", " + digest("t", "issues", "t.id") +
        ", " + digest("t", "issue_events", "t.seq") + ", " +
        digest("t", "issue_assignments", "t.id") + ", " + digest("t", "inspections", "t.id") +
        ", " + digest("t", "attachments", "t.sha256") + ", " +
        digest("t", "idempotency_keys", "t.user_id, t.key") + ", " +
        digest("t", "deadline_rules", "t.id") + ", " + digest("t", "audit_chain_head", "t.id") +
        ", " + digest("t", "routing_rules", "t.id") + ", " +
        digest("t", "pollution_alerts", "t.id") + ", " + digest("t", "dispatch_runs", "t.day") +
        ", " + digest("t", "escalations", "t.id") + ")");
}

http::Response MatrixTest::SendRefused(http::Request request, const std::string& what) {
    const std::string before = Snapshot();
    const http::Response response = service().Handle(request);
    if (Snapshot() != before) Deviation(what + ": rows changed although the call was refused");
    return response;
}

void MatrixTest::Report(const std::string& summary) {
    std::string all;
    for (const auto& d : deviations_) all += "\n  " + d;
    std::printf("%s, deviations %zu\n", summary.c_str(), deviations_.size());
    EXPECT_TRUE(deviations_.empty()) << deviations_.size() << " deviations:" << all;
}

std::string ProblemCode(const http::Response& response) {
    const json body = json::parse(response.body, nullptr, false);
    return body.is_object() && body.contains("code") && body["code"].is_string()
               ? body["code"].get<std::string>()
               : "";
}

std::string Describe(const http::Response& response) {
    const std::string code = ProblemCode(response);
    return std::to_string(response.status) + (code.empty() ? "" : " " + code);
}

std::string HeaderOf(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return "";
}

}  // namespace lantian::itest
