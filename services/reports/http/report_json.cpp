#include "reports/http/report_json.hpp"

#include "common/time.hpp"
#include "issues/issue.hpp"

namespace lantian::reports {

namespace {

using nlohmann::json;

json Nullable(std::optional<double> v) {
    return v ? json(*v) : json(nullptr);
}

// The link of one figure: /api/v1/reports/issues with the filter that produces it.
std::string DrillLink(Metric m, const Period& p, std::optional<GroupBy> g, const std::string& key) {
    std::string link = "/api/v1/reports/issues?metric=" + std::string(MetricName(m)) +
                       "&from=" + p.from + "&to=" + p.to;
    if (g) {
        // Keys are ids, codes of [a-z_] and days: nothing that needs escaping.
        link += "&group_by=" + std::string(GroupByName(*g)) + "&key=" + key;
    }
    return link;
}

json CountsToJson(const Counts& c, const Period& p, std::optional<GroupBy> g,
                  const std::string& key) {
    json out = json::object();
    json drill = json::object();
    for (const Metric m : kMetrics) {
        out[std::string(MetricName(m))] = c[m];
        drill[std::string(MetricName(m))] = DrillLink(m, p, g, key);
    }
    out["on_time_rate"] = Nullable(c.OnTimeRate());
    out["closure_rate"] = Nullable(c.ClosureRate());
    out["rework_rate"] = Nullable(c.ReworkRate());
    out["mean_hours_to_rectify"] = Nullable(c.MeanHoursToRectify());
    out["drill"] = std::move(drill);
    return out;
}

}  // namespace

json SummaryToJson(const Summary& s) {
    json rows = json::array();
    for (const auto& row : s.rows) {
        json r = {{"key", row.key}, {"label", row.label}};
        r.update(CountsToJson(row.counts, s.period, s.group_by, row.key));
        rows.push_back(std::move(r));
    }
    return {{"from", s.period.from},
            {"to", s.period.to},
            {"group_by", GroupByName(s.group_by)},
            {"as_of", FormatDistrictTime(s.as_of)},
            {"rows", std::move(rows)},
            {"totals", CountsToJson(s.totals, s.period, std::nullopt, "")}};
}

json RankingToJson(const Ranking& r) {
    json rows = json::array();
    for (const auto& row : r.rows) {
        const std::string key = std::to_string(row.unit_id);
        json drill = json::object();
        for (const Metric m : {Metric::kDue, Metric::kOnTime, Metric::kOverdue}) {
            drill[std::string(MetricName(m))] = DrillLink(m, r.period, GroupBy::kUnit, key);
        }
        rows.push_back({{"rank", row.rank},
                        {"unit_id", row.unit_id},
                        {"unit_name", row.unit_name},
                        {"unit_kind", row.unit_kind},
                        {"due", row.counts[Metric::kDue]},
                        {"on_time", row.counts[Metric::kOnTime]},
                        {"on_time_rate", Nullable(row.counts.OnTimeRate())},
                        {"overdue", row.counts[Metric::kOverdue]},
                        {"escalations",
                         {{"level1", row.escalations.level[0]},
                          {"level2", row.escalations.level[1]},
                          {"level3", row.escalations.level[2]},
                          {"total", row.escalations.Total()}}},
                        {"drill", std::move(drill)}});
    }
    return {{"from", r.period.from},
            {"to", r.period.to},
            {"as_of", FormatDistrictTime(r.as_of)},
            {"rows", std::move(rows)}};
}

json MapToJson(const OpenIssueMap& map) {
    json features = json::array();
    for (const auto& a : map.areas) {
        features.push_back(
            {{"type", "Feature"},
             {"id", a.unit_id},
             {"properties",
              {{"id", a.unit_id}, {"name", a.name}, {"open", a.open}, {"overdue", a.overdue}}},
             {"geometry", json::parse(a.geometry_json)}});
    }
    json points = json::array();
    for (const auto& p : map.points) {
        points.push_back({{"id", p.issue_id},
                          {"lon", p.lon},
                          {"lat", p.lat},
                          {"category", p.category},
                          {"category_label", issues::CategoryLabel(p.category)},
                          {"status", p.status},
                          {"status_label", issues::StatusLabel(p.status)},
                          {"overdue", p.overdue}});
    }
    return {{"as_of", FormatDistrictTime(map.as_of)},
            {"subdistricts", {{"type", "FeatureCollection"}, {"features", std::move(features)}}},
            {"issues", std::move(points)},
            {"truncated", map.truncated}};
}

}  // namespace lantian::reports
