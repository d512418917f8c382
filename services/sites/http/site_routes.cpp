#include "sites/http/site_routes.hpp"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/cursor.hpp"
#include "common/error.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/list_params.hpp"
#include "sites/http/site_json.hpp"

namespace lantian::sites {

namespace {

using http::BadParameter;
using nlohmann::json;

constexpr size_t kMaxSiteBody = 32 * 1024;
constexpr size_t kMaxTextQueryBytes = 100;

http::Response SiteResponse(int status, const Site& s) {
    return http::VersionedResponse(status, SiteToJson(s), s.version, "/api/v1/sites", s.id);
}

bool ParseDouble(std::string_view s, double& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

GeoPoint ParseNear(const std::string& value) {
    const size_t comma = value.find(',');
    GeoPoint p;
    if (comma == std::string::npos ||
        !ParseDouble(std::string_view(value).substr(0, comma), p.lat) ||
        !ParseDouble(std::string_view(value).substr(comma + 1), p.lon)) {
        throw BadParameter("near", "must be <lat>,<lon>");
    }
    return p;
}

/// Near lists page by (distance, id); plain lists by id.
std::string PagePosition(const SiteQuery& q, const Site& last) {
    if (q.near) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "d:%.17g:%lld", last.distance_m.value_or(0), last.id);
        return std::string(buf);
    }
    return http::IdPosition(last.id);
}

void ApplyCursor(SiteQuery& q, const std::string& position) {
    if (!q.near) {
        q.after_id = http::CursorId(position);
        return;
    }
    const size_t colon = position.rfind(':');
    double distance = 0;
    long long id = 0;
    if (position.rfind("d:", 0) == 0 && colon > 2 &&
        ParseDouble(std::string_view(position).substr(2, colon - 2), distance)) {
        const std::string_view id_text = std::string_view(position).substr(colon + 1);
        auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec == std::errc() && ptr == id_text.data() + id_text.size()) {
            q.after_distance_m = distance;
            q.after_id = id;
            return;
        }
    }
    throw Error::InvalidArgument("invalid_cursor", "cursor does not belong to this list",
                                 {{"cursor", "is malformed or belongs to another list"}});
}

http::Response List(SiteService& service, http::Request& req) {
    SiteQuery q;
    const auto page = http::ReadListParams(req);
    q.limit = http::FetchLimit(page);
    q.kind = req.QueryParam("kind");
    if (q.kind && SiteKindLabel(*q.kind).empty()) throw BadParameter("kind", "is not a site kind");
    q.status = req.QueryParam("status");
    if (q.status && SiteStatusLabel(*q.status).empty()) {
        throw BadParameter("status", "must be active or closed");
    }
    q.subdistrict_id = http::QueryId(req, "subdistrict_id");
    q.text = req.QueryParam("q");
    if (q.text && (q.text->empty() || q.text->size() > kMaxTextQueryBytes)) {
        throw BadParameter("q", "must be 1 to 100 bytes");
    }
    if (const auto near = req.QueryParam("near")) q.near = ParseNear(*near);
    if (const auto radius = req.QueryParam("radius_m")) {
        if (!q.near) throw BadParameter("radius_m", "is only meaningful with near");
        if (!ParseDouble(*radius, q.radius_m)) throw BadParameter("radius_m", "must be a number");
    }
    if (page.cursor) ApplyCursor(q, *page.cursor);
    auto sites = service.List(q, req.RequireActor());
    const json next =
        http::CutPage(sites, page, [&](const Site& last) { return PagePosition(q, last); });
    json items = json::array();
    for (const auto& s : sites) items.push_back(SiteToJson(s));
    return http::JsonResponse(200, {{"items", items}, {"next_cursor", next}});
}

http::Response Create(SiteService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    FieldErrors errors;
    const NewSite site = NewSiteFromJson(body, errors);
    return SiteResponse(201, service.Create(site, errors));
}

http::Response Patch(SiteService& service, http::Request& req) {
    const long long id = req.PathId("id");
    const json body = http::JsonObjectBody(req);
    FieldErrors errors;
    const SitePatch patch = SitePatchFromJson(body, errors);
    const int version = http::RequireIfMatch(req);
    return SiteResponse(200, service.Patch(id, version, patch, errors));
}

}  // namespace

void RegisterSiteRoutes(http::Router& router, SiteService& service) {
    router.Add("GET", "/api/v1/sites",
               {.query_params = {"kind", "subdistrict_id", "status", "q", "near", "radius_m",
                                 "limit", "cursor"}},
               [&service](http::Request& r) { return List(service, r); });
    router.Add("POST", "/api/v1/sites", {.max_body = kMaxSiteBody},
               [&service](http::Request& r) { return Create(service, r); });
    router.Add("GET", "/api/v1/sites/{id}", {}, [&service](http::Request& r) {
        return SiteResponse(200, service.Get(r.PathId("id"), r.RequireActor()));
    });
    router.Add("PATCH", "/api/v1/sites/{id}", {.max_body = kMaxSiteBody},
               [&service](http::Request& r) { return Patch(service, r); });
}

}  // namespace lantian::sites
