#include "issues/http/issue_json.hpp"

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "http/json_values.hpp"

namespace lantian::issues {

using nlohmann::json;

namespace {

using http::OptionalTime;
using http::OptionalValue;

std::optional<GeoPoint> ReadPoint(const json& object, const std::string& key,
                                  const std::string& path, FieldErrors& errors) {
    http::JsonFields f(object, errors, path);
    const json* p = f.Object(key);
    if (!p) return std::nullopt;
    http::RejectUnknownFields(*p, {"lat", "lon"}, path + key + ".");
    http::JsonFields pf(*p, errors, path + key + ".");
    const auto lat = pf.Number("lat", true);
    const auto lon = pf.Number("lon", true);
    if (!lat || !lon) return std::nullopt;
    return GeoPoint{*lat, *lon};
}

NewFinding ReadFinding(const json& body, const std::string& path, TimePoint default_time,
                       FieldErrors& errors) {
    http::JsonFields f(body, errors, path);
    NewFinding finding;
    finding.client_id = f.String("client_id", true).value_or("");
    finding.category = f.String("category", true).value_or("");
    finding.severity = f.IntInRange("severity", true, 1, 3, "must be 1, 2 or 3").value_or(1);
    finding.description = f.String("description", true).value_or("");
    finding.location = ReadPoint(body, "location", path, errors);
    finding.photo_ids = ReadPhotoIds(body, "photo_ids", path, errors);
    finding.fixed_on_spot = f.Bool("fixed_on_spot").value_or(false);
    finding.reported_at = ReadTime(body, "found_at", path, errors).value_or(default_time);
    if (const json* ev = f.Object("evidence")) {
        http::RejectUnknownFields(*ev, {"description", "photo_ids"}, path + "evidence.");
        http::JsonFields ef(*ev, errors, path + "evidence.");
        finding.evidence = Evidence{ef.String("description", true).value_or(""),
                                    ReadPhotoIds(*ev, "photo_ids", path + "evidence.", errors)};
    }
    return finding;
}

}  // namespace

std::optional<TimePoint> ReadTime(const json& object, const std::string& key,
                                  const std::string& path, FieldErrors& errors) {
    http::JsonFields f(object, errors, path);
    const auto text = f.String(key);
    if (!text) return std::nullopt;
    const auto t = ParseRfc3339(*text);
    if (!t)
        errors.Add(path + key,
                   "must be an RFC 3339 time with an offset (e.g. +08:00) in 2000–2099");
    return t;
}

std::vector<std::string> ReadPhotoIds(const json& object, const std::string& key,
                                      const std::string& path, FieldErrors& errors) {
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return out;
    if (!it->is_array()) {
        errors.Add(path + key, "must be an array of photo ids");
        return out;
    }
    for (const auto& v : *it) {
        if (!v.is_string()) {
            errors.Add(path + key, "must be an array of photo ids");
            return {};
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

json IssueToJson(const Issue& i, TimePoint now) {
    json location = nullptr;
    if (i.location) location = {{"lat", i.location->lat}, {"lon", i.location->lon}};
    json rectification = nullptr;
    if (i.rectification) {
        rectification = {{"description", *i.rectification},
                         {"photo_ids", i.rectification_photo_ids}};
    }
    return {
        {"id", i.id},
        {"client_id", i.client_id},
        {"inspection_id", OptionalValue(i.inspection_id)},
        {"site_id", i.site_id},
        {"subdistrict_id", i.subdistrict_id},
        {"site_kind", i.site_kind},
        {"category", i.category},
        {"category_label", CategoryLabel(i.category)},
        {"severity", i.severity},
        {"severity_label", SeverityLabel(i.severity)},
        {"description", i.description},
        {"location", location},
        {"photo_ids", i.photo_ids},
        {"status", i.status},
        {"status_label", StatusLabel(i.status)},
        {"source", i.source},
        {"source_label", SourceLabel(i.source)},
        {"fixed_on_spot", i.fixed_on_spot},
        {"reported_by", i.reported_by},
        {"reported_at", FormatDistrictTime(i.reported_at)},
        {"received_at", FormatDistrictTime(i.received_at)},
        {"rejection_kind", OptionalValue(i.rejection_kind)},
        {"rejection_reason", OptionalValue(i.rejection_reason)},
        {"duplicate_of", OptionalValue(i.duplicate_of)},
        {"lead_unit_id", OptionalValue(i.lead_unit_id)},
        {"co_unit_ids", i.co_unit_ids},
        {"assigned_at", OptionalTime(i.assigned_at)},
        {"due_at", OptionalTime(i.due_at)},
        {"overdue", i.OverdueAt(now)},
        {"submitted_at", OptionalTime(i.submitted_at)},
        {"rectification", rectification},
        {"verification_comment", OptionalValue(i.verification_comment)},
        {"closed_at", OptionalTime(i.closed_at)},
        {"return_count", i.return_count},
        {"escalation_level", i.escalation_level},
        {"version", i.version},
        {"updated_at", FormatDistrictTime(i.updated_at)},
    };
}

json InspectionToJson(const Inspection& in, TimePoint now) {
    json issues = json::array();
    for (const auto& i : in.issues) issues.push_back(IssueToJson(i, now));
    return {{"id", in.id},
            {"client_id", in.client_id},
            {"site_id", in.site_id},
            {"inspector_id", in.inspector_id},
            {"started_at", FormatDistrictTime(in.started_at)},
            {"received_at", FormatDistrictTime(in.received_at)},
            {"issues", issues}};
}

json EventToJson(const IssueEvent& e) {
    return {{"seq", e.seq},
            {"issue_id", e.issue_id},
            {"at", FormatDistrictTime(e.at)},
            {"actor_id", OptionalValue(e.actor_id)},
            {"actor_role", e.actor_role},
            {"actor_unit_id", OptionalValue(e.actor_unit_id)},
            {"action", e.action},
            {"before", json::parse(e.before_json)},
            {"after", json::parse(e.after_json)},
            {"request_id", e.request_id},
            {"hash", e.hash},
            {"prev_hash", e.prev_hash}};
}

json DeadlineRulesToJson(const std::vector<DeadlineRule>& rules) {
    json items = json::array();
    for (const auto& r : rules) {
        items.push_back({{"category", OptionalValue(r.category)},
                         {"severity", r.severity},
                         {"hours", r.hours}});
    }
    return {{"rules", items}};
}

NewIssue NewIssueFromJson(const json& body, TimePoint now, FieldErrors& errors) {
    http::RejectUnknownFields(
        body, {"client_id", "site_id", "category", "severity", "description", "location",
               "photo_ids", "source", "found_at", "fixed_on_spot", "evidence"});
    NewIssue issue;
    issue.finding = ReadFinding(body, "", now, errors);
    http::JsonFields f(body, errors);
    issue.site_id = f.Id("site_id", true).value_or(0);
    issue.source = f.String("source").value_or("patrol");
    return issue;
}

NewInspection NewInspectionFromJson(const json& body, FieldErrors& errors) {
    http::RejectUnknownFields(
        body, {"client_id", "site_id", "started_at", "location", "notes", "findings"});
    http::JsonFields f(body, errors);
    NewInspection in;
    in.client_id = f.String("client_id", true).value_or("");
    in.site_id = f.Id("site_id", true).value_or(0);
    if (!f.Has("started_at")) errors.Add("started_at", "is required");
    in.started_at = ReadTime(body, "started_at", "", errors).value_or(TimePoint{});
    in.location = ReadPoint(body, "location", "", errors);
    in.notes = f.String("notes").value_or("");
    auto it = body.find("findings");
    if (it == body.end() || !it->is_array()) {
        errors.Add("findings", "must be an array of findings");
        return in;
    }
    for (size_t n = 0; n < it->size(); ++n) {
        const json& item = (*it)[n];
        const std::string path = "findings[" + std::to_string(n) + "].";
        if (!item.is_object()) {
            errors.Add(path.substr(0, path.size() - 1), "must be an object");
            continue;
        }
        http::RejectUnknownFields(item,
                                  {"client_id", "category", "severity", "description", "location",
                                   "photo_ids", "fixed_on_spot", "evidence", "found_at"},
                                  path);
        in.findings.push_back(ReadFinding(item, path, in.started_at, errors));
    }
    return in;
}

std::vector<DeadlineRule> DeadlineRulesFromJson(const json& body, FieldErrors& errors) {
    http::RejectUnknownFields(body, {"rules"});
    std::vector<DeadlineRule> rules;
    auto it = body.find("rules");
    if (it == body.end() || !it->is_array()) {
        errors.Add("rules", "must be an array of rules");
        return rules;
    }
    for (size_t n = 0; n < it->size(); ++n) {
        const json& item = (*it)[n];
        const std::string path = "rules[" + std::to_string(n) + "].";
        if (!item.is_object()) {
            errors.Add(path.substr(0, path.size() - 1), "must be an object");
            continue;
        }
        http::RejectUnknownFields(item, {"category", "severity", "hours"}, path);
        http::JsonFields f(item, errors, path);
        DeadlineRule rule;
        rule.category = f.String("category");
        // Checked on the full value: 4294967320 hours is not 24.
        rule.severity = f.IntInRange("severity", true, 1, 3, "must be 1, 2 or 3").value_or(1);
        rule.hours = f.IntInRange("hours", true, 1, 8760, "must be between 1 and 8760").value_or(1);
        rules.push_back(rule);
    }
    return rules;
}

}  // namespace lantian::issues
