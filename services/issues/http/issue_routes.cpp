#include "issues/http/issue_routes.hpp"

#include <nlohmann/json.hpp>

#include "common/cursor.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/list_params.hpp"
#include "issues/http/issue_json.hpp"

namespace lantian::issues {

namespace {

using http::BadParameter;
using nlohmann::json;

constexpr size_t kMaxIssueBody = 64 * 1024;
constexpr size_t kMaxInspectionBody = 512 * 1024;

/// The client's Idempotency-Key, scoped to the caller and bound to this exact request.
std::optional<IdempotencyKey> KeyOf(const http::Request& req) {
    const std::string_view key = req.Header("idempotency-key");
    if (key.empty()) return std::nullopt;
    if (key.size() > 255 || key.find_first_of("\r\n") != std::string_view::npos) {
        throw Error::InvalidArgument("invalid_idempotency_key",
                                     "Idempotency-Key must be 1 to 255 characters");
    }
    const std::string material = req.method + ' ' + req.path + '\n' + req.body;
    return IdempotencyKey{req.RequireActor().user_id, std::string(key), Sha256Hex(material)};
}

http::Response FromStored(const StoredResponse& stored) {
    http::Response r;
    r.status = stored.status;
    r.body = stored.body;
    if (!stored.location.empty()) r.Header("Location", stored.location);
    if (stored.replayed) r.Header("Idempotent-Replayed", "true");
    return r;
}

http::Response ReportIssue(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    FieldErrors errors;
    const TimePoint now = service.Now();
    const NewIssue issue = NewIssueFromJson(body, now, errors);
    const auto stored = service.Report(
        issue, req.RequireActor(), KeyOf(req),
        [now](const Issue& i) {
            return StoredResponse{201, "/api/v1/issues/" + std::to_string(i.id),
                                  IssueToJson(i, now).dump(), false};
        },
        errors);
    http::Response r = FromStored(stored);
    return r;
}

http::Response RecordInspection(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    FieldErrors errors;
    const NewInspection inspection = NewInspectionFromJson(body, errors);
    const TimePoint now = service.Now();
    const auto stored = service.Inspect(
        inspection, req.RequireActor(), KeyOf(req),
        [now](const Inspection& in) {
            // No Location: an inspection is read through its issues.
            return StoredResponse{201, "", InspectionToJson(in, now).dump(), false};
        },
        errors);
    return FromStored(stored);
}

std::optional<TimePoint> QueryTime(const http::Request& req, const std::string& name) {
    const auto value = req.QueryParam(name);
    if (!value) return std::nullopt;
    if (auto t = ParseRfc3339(*value)) return t;
    throw BadParameter(name, "must be an RFC 3339 time with an offset in 2000–2099");
}

http::Response List(IssueService& service, http::Request& req) {
    IssueQuery q;
    const auto page = http::ReadListParams(req);
    q.limit = http::FetchLimit(page);
    if (page.cursor) q.after_id = http::CursorId(*page.cursor);
    q.status = req.QueryParam("status");
    if (q.status && StatusLabel(*q.status).empty()) throw BadParameter("status", "is not a status");
    q.unit_id = http::QueryId(req, "unit_id");
    q.site_id = http::QueryId(req, "site_id");
    q.subdistrict_id = http::QueryId(req, "subdistrict_id");
    q.category = req.QueryParam("category");
    if (q.category && CategoryLabel(*q.category).empty()) {
        throw BadParameter("category", "is not a category");
    }
    if (const auto s = req.QueryParam("severity")) {
        if (*s != "1" && *s != "2" && *s != "3")
            throw BadParameter("severity", "must be 1, 2 or 3");
        q.severity = *s->data() - '0';
    }
    if (const auto o = req.QueryParam("overdue")) {
        if (*o != "true" && *o != "false") throw BadParameter("overdue", "must be true or false");
        q.overdue = *o == "true";
    }
    q.reported_from = QueryTime(req, "reported_from");
    q.reported_to = QueryTime(req, "reported_to");
    auto issues = service.List(q, req.RequireActor());
    const json next = http::CutPageById(issues, page);
    const TimePoint now = service.Now();
    json items = json::array();
    for (const auto& i : issues) items.push_back(IssueToJson(i, now));
    return http::JsonResponse(200, {{"items", items}, {"next_cursor", next}});
}

http::Response IssueResponse(IssueService& service, const Issue& issue) {
    http::Response r = http::JsonResponse(200, IssueToJson(issue, service.Now()));
    r.Header("ETag", http::ETagFor(issue.version));
    return r;
}

http::Response Events(IssueService& service, http::Request& req) {
    json items = json::array();
    for (const auto& e : service.Events(req.PathId("id"), req.RequireActor())) {
        items.push_back(EventToJson(e));
    }
    return http::JsonResponse(200, {{"items", items}});
}

http::Response PutDeadlineRules(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    FieldErrors errors;
    const auto rules = DeadlineRulesFromJson(body, errors);
    errors.ThrowIfAny();
    return http::JsonResponse(200, DeadlineRulesToJson(service.ReplaceDeadlineRules(rules)));
}

}  // namespace

void RegisterIssueRoutes(http::Router& router, IssueService& service) {
    router.Add("POST", "/api/v1/issues", {.max_body = kMaxIssueBody},
               [&service](http::Request& r) { return ReportIssue(service, r); });
    router.Add("POST", "/api/v1/inspections", {.max_body = kMaxInspectionBody},
               [&service](http::Request& r) { return RecordInspection(service, r); });
    router.Add(
        "GET", "/api/v1/issues",
        {.query_params = {"status", "unit_id", "site_id", "subdistrict_id", "category", "severity",
                          "overdue", "reported_from", "reported_to", "limit", "cursor"}},
        [&service](http::Request& r) { return List(service, r); });
    router.Add("GET", "/api/v1/issues/{id}", {}, [&service](http::Request& r) {
        return IssueResponse(service, service.Get(r.PathId("id"), r.RequireActor()));
    });
    router.Add("GET", "/api/v1/issues/{id}/events", {},
               [&service](http::Request& r) { return Events(service, r); });
    router.Add("GET", "/api/v1/rules/deadlines", {}, [&service](http::Request&) {
        return http::JsonResponse(200, DeadlineRulesToJson(service.DeadlineRules()));
    });
    router.Add("PUT", "/api/v1/rules/deadlines", {.max_body = 64 * 1024},
               [&service](http::Request& r) { return PutDeadlineRules(service, r); });
}

}  // namespace lantian::issues
