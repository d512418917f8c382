#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "issues/http/issue_json.hpp"
#include "issues/http/issue_routes.hpp"

namespace lantian::issues {

namespace {

using nlohmann::json;

constexpr size_t kMaxStepBody = 32 * 1024;

http::Response Stepped(IssueService& service, const Issue& issue) {
    http::Response r = http::JsonResponse(200, IssueToJson(issue, service.Now()));
    r.Header("ETag", http::ETagFor(issue.version));
    return r;
}

http::Response Triage(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"decision", "reason", "duplicate_of"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    const auto decision = f.String("decision", true);
    if (decision && *decision != "confirm" && *decision != "reject") {
        errors.Add("decision", "must be confirm or reject");
    }
    TriageDecision d;
    d.confirm = decision.value_or("confirm") == "confirm";
    d.reason = f.String("reason").value_or("");
    d.duplicate_of = f.Id("duplicate_of");
    errors.ThrowIfAny();
    return Stepped(service, service.Triage(req.PathId("id"), version, d, req.RequireActor()));
}

http::Response Assign(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"lead_unit_id", "co_unit_ids", "due_at"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    AssignmentInput in;
    in.lead_unit_id = f.Id("lead_unit_id", true).value_or(0);
    if (auto it = body.find("co_unit_ids"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) {
            errors.Add("co_unit_ids", "must be an array of unit ids");
        } else {
            for (const auto& v : *it) {
                if (!v.is_number_integer() || v.get<long long>() <= 0) {
                    errors.Add("co_unit_ids", "must be an array of unit ids");
                    break;
                }
                in.co_unit_ids.push_back(v.get<long long>());
            }
        }
    }
    in.due_at = ReadTime(body, "due_at", "", errors);
    errors.ThrowIfAny();
    return Stepped(service, service.Assign(req.PathId("id"), version, in, req.RequireActor()));
}

http::Response Rectify(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"description", "photo_ids"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    RectificationInput in;
    in.description = f.String("description", true).value_or("");
    in.photo_ids = ReadPhotoIds(body, "photo_ids", "", errors);
    errors.ThrowIfAny();
    return Stepped(service, service.Rectify(req.PathId("id"), version, in, req.RequireActor()));
}

http::Response Verify(IssueService& service, http::Request& req) {
    const json body = http::JsonObjectBody(req);
    http::RejectUnknownFields(body, {"decision", "comment", "photo_ids", "due_at"});
    const int version = http::RequireIfMatch(req);
    FieldErrors errors;
    http::JsonFields f(body, errors);
    const auto decision = f.String("decision", true);
    if (decision && *decision != "accept" && *decision != "return") {
        errors.Add("decision", "must be accept or return");
    }
    VerificationInput in;
    in.accept = decision.value_or("accept") == "accept";
    in.comment = f.String("comment").value_or("");
    in.photo_ids = ReadPhotoIds(body, "photo_ids", "", errors);
    in.due_at = ReadTime(body, "due_at", "", errors);
    errors.ThrowIfAny();
    return Stepped(service, service.Verify(req.PathId("id"), version, in, req.RequireActor()));
}

}  // namespace

void RegisterWorkflowRoutes(http::Router& router, IssueService& service) {
    const http::RouteOptions step{.max_body = kMaxStepBody};
    router.Add("POST", "/api/v1/issues/{id}/triage", step,
               [&service](http::Request& r) { return Triage(service, r); });
    router.Add("POST", "/api/v1/issues/{id}/assignments", step,
               [&service](http::Request& r) { return Assign(service, r); });
    router.Add("POST", "/api/v1/issues/{id}/rectifications", step,
               [&service](http::Request& r) { return Rectify(service, r); });
    router.Add("POST", "/api/v1/issues/{id}/verifications", step,
               [&service](http::Request& r) { return Verify(service, r); });
}

}  // namespace lantian::issues
