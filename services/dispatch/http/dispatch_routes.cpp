#include "dispatch/http/dispatch_routes.hpp"

#include <nlohmann/json.hpp>

#include "common/cursor.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "http/json_values.hpp"
#include "http/list_params.hpp"

namespace lantian::dispatch {

namespace {

using http::BadParameter;
using nlohmann::json;

using http::OptionalTime;
using http::OptionalValue;

json RunToJson(const DispatchRun& run) {
    return {{"date", run.day},
            {"run_at", FormatDistrictTime(run.run_at)},
            {"assigned_count", run.assigned_count},
            {"assigned", run.assigned_ids},
            {"escalation_count", run.escalation_count},
            {"bulletin", json::parse(run.bulletin_json)},
            {"published_at", OptionalTime(run.published_at)},
            {"published_by", OptionalValue(run.published_by)}};
}

json EscalationToJson(const Escalation& e) {
    return {{"id", e.id},
            {"issue_id", e.issue_id},
            {"unit_id", e.unit_id},
            {"level", e.level},
            {"level_label", EscalationLevelLabel(e.level)},
            {"reason", e.reason},
            {"raised_at", FormatDistrictTime(e.raised_at)},
            {"dispatch_date", OptionalValue(e.dispatch_day)}};
}

json RulesToJson(const std::vector<RoutingRule>& rules) {
    json items = json::array();
    for (const auto& r : rules) {
        items.push_back({{"site_kind", OptionalValue(r.site_kind)},
                         {"category", OptionalValue(r.category)},
                         {"lead_unit_id", OptionalValue(r.lead_unit_id)},
                         {"co_unit_ids", r.co_unit_ids},
                         {"co_subdistrict", r.co_subdistrict}});
    }
    return {{"rules", items}};
}

json AlertToJson(const PollutionAlert& a) {
    return {{"id", a.id},
            {"level", a.level},
            {"level_label", AlertLevelLabel(a.level)},
            {"starts_at", FormatDistrictTime(a.starts_at)},
            {"ends_at", FormatDistrictTime(a.ends_at)},
            {"created_by", OptionalValue(a.created_by)}};
}

std::string QueryDate(const http::Request& req, const std::string& name, std::string fallback) {
    const auto value = req.QueryParam(name);
    if (!value) return fallback;
    if (!ParseDate(*value)) throw BadParameter(name, "must be a day as YYYY-MM-DD in 2000–2099");
    return *value;
}

std::optional<TimePoint> QueryTime(const http::Request& req, const std::string& name) {
    const auto value = req.QueryParam(name);
    if (!value) return std::nullopt;
    if (auto t = ParseRfc3339(*value)) return t;
    if (ParseDate(*value)) {
        // A bare day means its district midnight.
        return ParseRfc3339(*value + "T00:00:00+08:00");
    }
    throw BadParameter(name, "must be an RFC 3339 time or a day in 2000–2099");
}

http::Response RunDispatch(DispatchService& service, http::Request& req) {
    // No body at all means today.
    const json body = req.body.empty() ? json::object() : http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"date"});
    FieldErrors errors;
    http::JsonFields f(body, errors);
    const auto day = f.String("date").value_or(DistrictDate(service.Now()));
    errors.ThrowIfAny();
    const DispatchRun run = service.Run(day, req.request_id);
    http::Response r = http::JsonResponse(run.created ? 201 : 200, RunToJson(run));
    r.Header("Location", "/api/v1/dispatches/" + run.day);
    return r;
}

http::Response List(DispatchService& service, http::Request& req) {
    const std::string to = QueryDate(req, "to", "9999-12-31");
    const std::string from = QueryDate(req, "from", "0001-01-01");
    json items = json::array();
    for (const auto& run : service.List(from, to, req.RequireActor()))
        items.push_back(RunToJson(run));
    return http::JsonResponse(200, {{"items", items}});
}

http::Response Escalations(DispatchService& service, http::Request& req) {
    EscalationQuery q;
    const auto page = http::ReadListParams(req);
    q.limit = http::FetchLimit(page);
    if (page.cursor) q.after_id = http::CursorId(*page.cursor);
    q.unit_id = http::QueryId(req, "unit_id");
    q.issue_id = http::QueryId(req, "issue_id");
    if (const auto level = req.QueryParam("level")) {
        if (*level != "1" && *level != "2" && *level != "3") {
            throw BadParameter("level", "must be 1, 2 or 3");
        }
        q.level = (*level)[0] - '0';
    }
    q.from = QueryTime(req, "from");
    q.to = QueryTime(req, "to");
    auto list = service.Escalations(q, req.RequireActor());
    const json next = http::CutPageById(list, page);
    json items = json::array();
    for (const auto& e : list) items.push_back(EscalationToJson(e));
    return http::JsonResponse(200, {{"items", items}, {"next_cursor", next}});
}

http::Response PutRouting(DispatchService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"rules"});
    FieldErrors errors;
    std::vector<RoutingRule> rules;
    auto it = body.find("rules");
    if (it == body.end() || !it->is_array()) {
        errors.Add("rules", "must be an array of rules");
    } else {
        for (size_t n = 0; n < it->size(); ++n) {
            const json& item = (*it)[n];
            const std::string path = "rules[" + std::to_string(n) + "].";
            if (!item.is_object()) {
                errors.Add(path.substr(0, path.size() - 1), "must be an object");
                continue;
            }
            http::RejectUnknownFields(
                item, {"site_kind", "category", "lead_unit_id", "co_unit_ids", "co_subdistrict"},
                path);
            http::JsonFields f(item, errors, path);
            RoutingRule rule;
            rule.site_kind = f.String("site_kind");
            rule.category = f.String("category");
            rule.lead_unit_id = f.Id("lead_unit_id");
            rule.co_subdistrict = f.Bool("co_subdistrict").value_or(false);
            if (auto co = item.find("co_unit_ids"); co != item.end() && !co->is_null()) {
                if (!co->is_array()) {
                    errors.Add(path + "co_unit_ids", "must be an array of unit ids");
                } else {
                    for (const auto& v : *co) {
                        if (!v.is_number_integer() || v.get<long long>() <= 0) {
                            errors.Add(path + "co_unit_ids", "must be an array of unit ids");
                            break;
                        }
                        rule.co_unit_ids.push_back(v.get<long long>());
                    }
                }
            }
            rules.push_back(rule);
        }
    }
    errors.ThrowIfAny();
    return http::JsonResponse(200, RulesToJson(service.ReplaceRoutingRules(rules)));
}

http::Response DeclareAlert(DispatchService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"level", "starts_at", "ends_at"});
    FieldErrors errors;
    http::JsonFields f(body, errors);
    PollutionAlert alert;
    alert.level = f.String("level", true).value_or("");
    for (const char* key : {"starts_at", "ends_at"}) {
        const auto text = f.String(key, true);
        const auto t = text ? ParseRfc3339(*text) : std::nullopt;
        if (text && !t) errors.Add(key, "must be an RFC 3339 time with an offset in 2000–2099");
        if (t) (std::string_view(key) == "starts_at" ? alert.starts_at : alert.ends_at) = *t;
    }
    errors.ThrowIfAny();
    const PollutionAlert created = service.DeclareAlert(alert, req.RequireActor());
    return http::JsonResponse(201, AlertToJson(created));
}

}  // namespace

void RegisterDispatchRoutes(http::Router& router, DispatchService& service) {
    router.Add("POST", "/api/v1/dispatches", {.max_body = 1024},
               [&service](http::Request& r) { return RunDispatch(service, r); });
    router.Add("GET", "/api/v1/dispatches", {.query_params = {"from", "to"}},
               [&service](http::Request& r) { return List(service, r); });
    router.Add("GET", "/api/v1/dispatches/{date}", {}, [&service](http::Request& r) {
        return http::JsonResponse(
            200, RunToJson(service.Get(r.path_params.at("date"), r.RequireActor())));
    });
    router.Add("POST", "/api/v1/dispatches/{date}/publish", {.max_body = 1024},
               [&service](http::Request& r) {
                   return http::JsonResponse(
                       200, RunToJson(service.Publish(r.path_params.at("date"), r.RequireActor())));
               });
    router.Add("GET", "/api/v1/escalations",
               {.query_params = {"unit_id", "issue_id", "level", "from", "to", "limit", "cursor"}},
               [&service](http::Request& r) { return Escalations(service, r); });
    router.Add("GET", "/api/v1/rules/routing", {}, [&service](http::Request&) {
        return http::JsonResponse(200, RulesToJson(service.RoutingRules()));
    });
    router.Add("PUT", "/api/v1/rules/routing", {.max_body = 64 * 1024},
               [&service](http::Request& r) { return PutRouting(service, r); });
    router.Add("GET", "/api/v1/pollution-alerts", {.query_params = {"from", "to"}},
               [&service](http::Request& r) {
                   json items = json::array();
                   for (const auto& a : service.Alerts(QueryTime(r, "from"), QueryTime(r, "to"))) {
                       items.push_back(AlertToJson(a));
                   }
                   return http::JsonResponse(200, {{"items", items}});
               });
    router.Add("POST", "/api/v1/pollution-alerts", {.max_body = 4 * 1024},
               [&service](http::Request& r) { return DeclareAlert(service, r); });
}

}  // namespace lantian::dispatch
