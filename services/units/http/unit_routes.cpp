#include "units/http/unit_routes.hpp"

#include <nlohmann/json.hpp>

#include "common/cursor.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "http/json_values.hpp"
#include "http/list_params.hpp"

namespace lantian::units {

namespace {

using nlohmann::json;

json ToJson(const Unit& u) {
    return {
        {"id", u.id},
        {"code", u.code},
        {"name", u.name},
        {"kind", u.kind},
        {"kind_label", UnitKindLabel(u.kind)},
        {"parent_id", http::OptionalValue(u.parent_id)},
        {"has_boundary", u.has_boundary},
        {"version", u.version},
        {"created_at", FormatDistrictTime(u.created_at)},
        {"updated_at", FormatDistrictTime(u.updated_at)},
    };
}

http::Response UnitResponse(int status, const Unit& u) {
    return http::VersionedResponse(status, ToJson(u), u.version, "/api/v1/units", u.id);
}

http::Response List(UnitService& service, http::Request& req) {
    UnitQuery query;
    const auto page = http::ReadListParams(req);
    query.limit = http::FetchLimit(page);
    if (page.cursor) query.after_id = http::CursorId(*page.cursor);
    query.kind = req.QueryParam("kind");
    if (query.kind && UnitKindLabel(*query.kind).empty()) {
        throw Error::InvalidArgument(
            "invalid_parameter", "unknown unit kind",
            {{"kind", "must be one of subdistrict, park, department, office"}});
    }
    auto units = service.List(query);
    json items = json::array();
    const json next = http::CutPageById(units, page);
    for (const auto& u : units) items.push_back(ToJson(u));
    return http::JsonResponse(200, {{"items", items}, {"next_cursor", next}});
}

http::Response Create(UnitService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"code", "name", "kind", "parent_id"});
    FieldErrors errors;
    http::JsonFields f(body, errors);
    NewUnit unit;
    unit.code = f.String("code", true).value_or("");
    unit.name = f.String("name", true).value_or("");
    unit.kind = f.String("kind", true).value_or("");
    unit.parent_id = f.Id("parent_id");
    errors.ThrowIfAny();
    return UnitResponse(201, service.Create(unit));
}

http::Response Patch(UnitService& service, http::Request& req) {
    const long long id = req.PathId("id");
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"code", "name", "kind", "parent_id"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    UnitPatch patch;
    patch.code = f.String("code");
    patch.name = f.String("name");
    patch.kind = f.String("kind");
    if (f.Has("parent_id")) patch.parent_id = f.Id("parent_id");
    errors.ThrowIfAny();
    return UnitResponse(200, service.Patch(id, version, patch));
}

}  // namespace

void RegisterUnitRoutes(http::Router& router, UnitService& service) {
    router.Add("GET", "/api/v1/units", {.query_params = {"kind", "limit", "cursor"}},
               [&service](http::Request& r) { return List(service, r); });
    router.Add("POST", "/api/v1/units", {.max_body = 16 * 1024},
               [&service](http::Request& r) { return Create(service, r); });
    router.Add("GET", "/api/v1/units/{id}", {}, [&service](http::Request& r) {
        return UnitResponse(200, service.Get(r.PathId("id")));
    });
    router.Add("PATCH", "/api/v1/units/{id}", {.max_body = 16 * 1024},
               [&service](http::Request& r) { return Patch(service, r); });
}

}  // namespace lantian::units
