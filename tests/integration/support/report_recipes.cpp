// The reports' part of the authorization matrix fixture: the recipes of the report routes and
// what Scope::kUnit leaves a handler of them: their own unit's row of the summary, the issues
// their unit is responsible for (the lead unit, or the territory before assignment) behind any
// figure, their unit's part of the bulletin and of the map. The ranking is the public 通报: the
// same for every reader. Each figure is also checked against a count in SQL of its own.
#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "support/matrix_fixture.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

/// The query parameters of a request target (no percent-decoding: the fixture's own targets).
std::map<std::string, std::string> QueryOf(const std::string& target) {
    std::map<std::string, std::string> out;
    const auto q = target.find('?');
    if (q == std::string::npos) return out;
    size_t start = q + 1;
    while (start <= target.size()) {
        size_t end = target.find('&', start);
        if (end == std::string::npos) end = target.size();
        const std::string pair = target.substr(start, end - start);
        const auto eq = pair.find('=');
        if (!pair.empty()) {
            out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
        }
        start = end + 1;
    }
    return out;
}

/// A row or the totals without what is not a figure (its key, label and drill links).
json Figures(json row) {
    if (!row.is_object()) return row;
    for (const char* key : {"key", "label", "drill"}) row.erase(key);
    return row;
}

/// The texts of the `<td class="name">` cells of the HTML table of `css_class`.
std::vector<std::string> NameCells(const std::string& html, const std::string& css_class) {
    std::vector<std::string> out;
    const auto table = html.find("<table class=\"" + css_class + "\">");
    if (table == std::string::npos) return out;
    const auto end = html.find("</table>", table);
    const std::string open = "<td class=\"name\">";
    for (auto at = html.find(open, table); at != std::string::npos && at < end;
         at = html.find(open, at + 1)) {
        const auto from = at + open.size();
        out.push_back(html.substr(from, html.find("</td>", from) - from));
    }
    return out;
}

/// The lines of a CSV body without its byte order mark (no field of the fixture spans lines).
std::vector<std::string> CsvLines(const std::string& body) {
    std::vector<std::string> out;
    size_t start = body.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    while (start < body.size()) {
        size_t end = body.find("\r\n", start);
        if (end == std::string::npos) end = body.size();
        out.push_back(body.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

/// `target` with `format=...` replaced by JSON.
std::string AsJson(std::string target) {
    for (const char* f : {"format=csv", "format=xlsx"}) {
        if (const auto at = target.find(f); at != std::string::npos) {
            target.replace(at, std::string(f).size(), "format=json");
        }
    }
    return target;
}

bool StartsWith(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

constexpr const char* kOpen = "('reported', 'confirmed', 'assigned', 'submitted')";

}  // namespace

std::string MatrixTest::InReportPeriod(const std::string& column) const {
    const auto q = QueryOf("?" + report_period_);
    const std::string zone = "'" + DistrictZoneName() + "'";
    return "(" + column + " >= ('" + q.at("from") + "'::date)::timestamp at time zone " + zone +
           " and " + column + " < ('" + q.at("to") + "'::date + 1)::timestamp at time zone " +
           zone + ")";
}

json MatrixTest::GetJson(const Principal& p, const std::string& target) {
    const http::Response r = Call(p.token, "GET", target);
    json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) {
        Deviation("GET " + target + " as " + p.label + ": answered " + Describe(r));
        return json();
    }
    return body;
}

void MatrixTest::AddReportRecipes() {
    const std::string today = DistrictDate(SystemClock().Now());
    report_period_ = "from=" + AddDays(today, -2) + "&to=" + dispatch_day_;
    const std::string& period = report_period_;
    // Two issues only reported (no lead unit yet, each its territory's) with a place on the map.
    const struct {
        long long site;
        double lat, lon;
    } unassigned[] = {{jiaoxi_site_, 35.2200, 113.1990}, {minzhu_site_, 35.2620, 113.2600}};
    for (const auto& u : unassigned) {
        const json report = {{"client_id", QueryValue("select gen_random_uuid()")},
                             {"site_id", u.site},
                             {"category", "dust_uncovered"},
                             {"severity", 1},
                             {"description", "矩阵测试：报表待确认问题"},
                             {"location", {{"lat", u.lat}, {"lon", u.lon}}},
                             {"source", "patrol"}};
        const http::Response r = Call(reporter_token_, "POST", "/api/v1/issues", report.dump());
        if (r.status != 201) Deviation("a reported issue for the reports: " + Describe(r));
    }

    const std::string jiaoxi = std::to_string(jiaoxi_), minzhu = std::to_string(minzhu_);
    const std::string found = InReportPeriod("i.reported_at");
    drill_conditions_ = {
        {"/api/v1/reports/issues?metric=found&" + period, found},
        {"/api/v1/reports/issues?metric=assigned&" + period,
         "not i.fixed_on_spot and " +
             InReportPeriod(
                 "(select min(a.assigned_at) from issue_assignments a where a.issue_id = i.id)")},
        {"/api/v1/reports/issues?metric=found&group_by=unit&key=" + jiaoxi + "&" + period,
         found + " and coalesce(i.lead_unit_id, i.subdistrict_id) = " + jiaoxi},
        {"/api/v1/reports/issues?metric=submitted&group_by=category&key=fume_direct_emission&" +
             period,
         InReportPeriod("i.submitted_at") + " and i.category = 'fume_direct_emission'"},
        {"/api/v1/reports/issues?metric=closed&group_by=subdistrict&key=" + minzhu + "&" + period,
         InReportPeriod("i.closed_at") + " and i.subdistrict_id = " + minzhu},
    };
    unit_drill_metric_ = {
        {"/api/v1/reports/issues?metric=found&group_by=unit&key=" + jiaoxi + "&" + period, found}};
    std::vector<std::string> drills;
    for (const auto& [target, condition] : drill_conditions_) {
        drills.push_back(target.substr(std::string("/api/v1/reports/issues").size()));
    }

    recipes_["GET /api/v1/reports/summary"] = {
        .list_queries = {"", "?" + period, "?group_by=category&" + period,
                         "?group_by=site_kind&" + period, "?group_by=day&" + period,
                         "?format=csv&" + period, "?format=xlsx&group_by=subdistrict&" + period},
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckReportSummary(p, get);
        }};
    recipes_["GET /api/v1/reports/ranking"] = {
        .list_queries = {"", "?" + period, "?format=csv&" + period},
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckReportRanking(p, get);
        }};
    recipes_["GET /api/v1/reports/issues"] = {
        .list_queries = drills,
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckReportDrill(p, get);
        }};
    recipes_["GET /api/v1/reports/bulletin"] = {
        .list_queries = {"", "?" + period},
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckReportBulletin(p, get);
        }};
    recipes_["GET /api/v1/reports/map"] = {
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckReportMap(p, get);
        }};
}

namespace {

// The one scope of the issues (Visibility::IssueUnit): a handler sees the issues its unit
// leads or co-handles, in reports as in GET /api/v1/issues/{id}.
std::string VisibleToUnit(long long unit) {
    const std::string u = std::to_string(unit);
    return " and (i.lead_unit_id = " + u + " or " + u + " = any (i.co_unit_ids))";
}

}  // namespace

void MatrixTest::CheckReportSummary(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    const bool handler = p.role == "handler";
    const std::string unit = std::to_string(p.unit_id.value_or(-1));
    const std::string target = "/api/v1/reports/summary?group_by=unit&" + report_period_;
    const json mine = GetJson(p, target);
    const json office = GetJson(RoleOf("office"), target);
    if (mine.is_null() || office.is_null()) return;
    std::map<std::string, json> office_rows;
    for (const auto& row : office.at("rows")) office_rows[row.at("key").get<std::string>()] = row;
    std::string expected_found;
    if (handler) {
        std::string keys;
        for (const auto& row : mine.at("rows")) keys += row.at("key").get<std::string>() + " ";
        if (mine.at("rows").size() != 1 || mine["rows"][0].at("key") != unit) {
            Deviation(what + ": rows by unit of units [" + keys + "], expected only " + unit);
        } else if (Figures(mine.at("totals")) != Figures(mine["rows"][0])) {
            Deviation(what + ": the totals are not the unit's row");
        }
        expected_found =
            QueryValue("select count(*) from issues i where " + InReportPeriod("i.reported_at") +
                       VisibleToUnit(p.unit_id.value_or(-1)));
        if (expected_found == "0") Deviation(what + ": the fixture left the unit without issues");
    } else {
        if (mine.at("rows") != office.at("rows")) {
            Deviation(what + ": rows differ from the office's");
        }
        const std::string units = QueryValue(
            "select string_agg(id::text, ' ' order by id) from units "
            "where kind in ('subdistrict', 'park', 'department')");
        std::string missing;
        size_t start = 0;
        while (start < units.size()) {
            size_t end = units.find(' ', start);
            if (end == std::string::npos) end = units.size();
            const std::string id = units.substr(start, end - start);
            if (!office_rows.contains(id) ||
                std::none_of(mine["rows"].begin(), mine["rows"].end(),
                             [&](const json& row) { return row.at("key") == id; })) {
                missing += id + " ";
            }
            start = end + 1;
        }
        if (!missing.empty()) Deviation(what + ": no rows of units [" + missing + "]");
        expected_found =
            QueryValue("select count(*) from issues i where " + InReportPeriod("i.reported_at"));
    }
    if (mine.at("totals").at("found").dump() != expected_found) {
        Deviation(what + ": found " + mine["totals"]["found"].dump() + " issues, SQL counts " +
                  expected_found);
    }
    // Any grouping adds up to the same figures (overdue, a stock, included).
    const json by_category =
        GetJson(p, "/api/v1/reports/summary?group_by=category&" + report_period_);
    if (!by_category.is_null() && Figures(by_category.at("totals")) != Figures(mine.at("totals"))) {
        Deviation(what + ": the totals by category " + Figures(by_category["totals"]).dump() +
                  " differ from those by unit " + Figures(mine["totals"]).dump());
    }
    // An export has the rows the JSON has, and a handler's only their unit's.
    const auto query = QueryOf(get.target);
    const auto format = query.find("format");
    if (format == query.end()) return;
    http::Request again = get;
    const http::Response r = service().Handle(again);
    const json same = GetJson(p, AsJson(get.target));
    if (r.status != 200 || same.is_null()) {
        Deviation(what + ": answered " + Describe(r) + " on a second look");
        return;
    }
    if (format->second == "xlsx") {
        if (r.content_type != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
            !StartsWith(r.body, "PK\x03\x04")) {
            Deviation(what + ": not a workbook (" + r.content_type + ")");
        }
        return;
    }
    if (r.content_type != "text/csv; charset=utf-8" || !StartsWith(r.body, "\xEF\xBB\xBF")) {
        Deviation(what + ": not UTF-8 CSV with a BOM (" + r.content_type + ")");
        return;
    }
    const auto lines = CsvLines(r.body);
    if (lines.size() != same.at("rows").size() + 2) {  // the header, the rows, 合计
        Deviation(what + ": " + std::to_string(lines.size()) + " CSV lines for " +
                  std::to_string(same["rows"].size()) + " rows");
    } else if (handler && query.count("group_by") == 0) {
        const std::string name = QueryValue("select name from units where id = " + unit);
        if (!StartsWith(lines[1], name + ",") || !StartsWith(lines[2], "合计,")) {
            Deviation(what + ": the CSV rows are not the unit's: " + lines[1]);
        }
    }
}

void MatrixTest::CheckReportRanking(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    const std::string target = "/api/v1/reports/ranking?" + report_period_;
    const json mine = GetJson(p, target);
    const json office = GetJson(RoleOf("office"), target);
    if (mine.is_null() || office.is_null()) return;
    if (mine.at("rows") != office.at("rows")) {
        Deviation(what + ": the ranking differs from the office's");
    }
    std::vector<long long> ids;
    long long escalations = 0;
    for (const auto& row : mine.at("rows")) {
        ids.push_back(row.at("unit_id").get<long long>());
        escalations += row.at("escalations").at("total").get<long long>();
    }
    std::sort(ids.begin(), ids.end());
    std::string listed;
    for (const long long id : ids) listed += (listed.empty() ? "" : " ") + std::to_string(id);
    const std::string territories = QueryValue(
        "select string_agg(id::text, ' ' order by id) from units where kind in ('subdistrict', "
        "'park')");
    if (listed != territories) {
        Deviation(what + ": ranks units [" + listed + "], the territories are [" + territories +
                  "]");
    }
    const std::string raised = QueryValue(
        "select count(*) from escalations i join units u on u.id = i.unit_id "
        "where u.kind in ('subdistrict', 'park') and " +
        InReportPeriod("i.raised_at"));
    if (std::to_string(escalations) != raised || raised == "0") {
        Deviation(what + ": " + std::to_string(escalations) + " escalations ranked, SQL counts " +
                  raised + " (the fixture's dispatch raised some)");
    }
    if (QueryOf(get.target).count("format") == 0) return;
    http::Request again = get;
    const http::Response r = service().Handle(again);
    if (r.content_type != "text/csv; charset=utf-8" ||
        CsvLines(r.body).size() != mine["rows"].size() + 1) {
        Deviation(what + ": the CSV (" + r.content_type + ") does not have a line per unit");
    }
}

void MatrixTest::CheckReportDrill(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    const auto condition = drill_conditions_.find(get.target);
    if (condition == drill_conditions_.end()) {
        Deviation(what + ": the test knows no SQL condition for this drill");
        return;
    }
    const bool handler = p.role == "handler";
    const long long unit = p.unit_id.value_or(-1);
    std::vector<long long> ids;
    std::set<long long> totals;
    int outside = 0;
    std::string cursor;
    for (int page = 0; page < 200; ++page) {  // two a page, so that the cursor is exercised
        const json body =
            GetJson(p, get.target + "&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        if (body.is_null()) return;
        totals.insert(body.at("total").get<long long>());
        for (const auto& item : body.at("items")) {
            ids.push_back(item.at("id").get<long long>());
            const json& co = item.at("co_unit_ids");
            const bool visible = item.at("lead_unit_id") == json(unit) ||
                                 std::find(co.begin(), co.end(), json(unit)) != co.end();
            if (!visible) ++outside;
        }
        if (body.at("next_cursor").is_null()) break;
        cursor = body["next_cursor"].get<std::string>();
    }
    if (handler && outside > 0) {
        Deviation(what + ": " + std::to_string(outside) + " of " + std::to_string(ids.size()) +
                  " issues are neither led nor co-handled by the caller's unit");
    }
    std::string listed;
    for (const long long id : ids) listed += (listed.empty() ? "" : ",") + std::to_string(id);
    // A handler's one row by unit holds all it may see: its own key drills into all of it,
    // another unit's into nothing.
    std::string where = condition->second;
    if (handler && unit_drill_metric_.contains(get.target)) {
        where = QueryOf(get.target).at("key") == std::to_string(unit)
                    ? unit_drill_metric_.at(get.target)
                    : "false";
    }
    const std::string scope = handler ? VisibleToUnit(unit) : "";
    const std::string stored = QueryValue(
        "select coalesce(string_agg(id::text, ',' order by id desc), '') from issues i where " +
        where + scope);
    if (listed != stored) {
        Deviation(what + ": listed issues [" + listed + "], SQL finds [" + stored + "]");
    }
    if (totals.size() != 1 || *totals.begin() != static_cast<long long>(ids.size())) {
        Deviation(what + ": total " + (totals.empty() ? "-" : std::to_string(*totals.begin())) +
                  " on " + std::to_string(totals.size()) + " distinct values, " +
                  std::to_string(ids.size()) + " issues listed");
    }
    // The figure of the summary the drill is behind.
    const auto query = QueryOf(get.target);
    const std::string group = query.count("group_by") ? query.at("group_by") : "unit";
    const json summary =
        GetJson(p, "/api/v1/reports/summary?group_by=" + group + "&" + report_period_);
    if (summary.is_null()) return;
    json figure = 0;
    if (query.count("key") == 0) {
        figure = summary.at("totals").at(query.at("metric"));
    } else {
        for (const auto& row : summary.at("rows")) {
            if (row.at("key") == query.at("key")) figure = row.at(query.at("metric"));
        }
    }
    if (figure != json(ids.size())) {
        Deviation(what + ": " + std::to_string(ids.size()) + " issues behind the figure " +
                  figure.dump());
    }
}

void MatrixTest::CheckReportBulletin(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    http::Request again = get;
    const http::Response r = service().Handle(again);
    if (r.status != 200 || r.content_type != "text/html; charset=utf-8" ||
        r.body.find("<html lang=\"zh-CN\">") == std::string::npos) {
        Deviation(what + ": not the HTML bulletin: " + Describe(r) + " " + r.content_type);
        return;
    }
    const auto names = NameCells(r.body, "units");
    if (p.role == "handler") {
        const std::string name =
            QueryValue("select name from units where id = " + std::to_string(*p.unit_id));
        if (names != std::vector<std::string>{name, "合计"}) {
            std::string shown;
            for (const auto& n : names) shown += n + " ";
            Deviation(what + ": the units table shows [" + shown + "], expected " + name);
        }
        return;
    }
    const bool own_period = QueryOf(get.target).count("from") > 0;
    const json summary = GetJson(
        p, "/api/v1/reports/summary?group_by=unit" + (own_period ? "&" + report_period_ : ""));
    if (!summary.is_null() && names.size() != summary.at("rows").size() + 1) {
        Deviation(what + ": the units table has " + std::to_string(names.size()) +
                  " rows, the summary " + std::to_string(summary["rows"].size()) + " and 合计");
    }
}

void MatrixTest::CheckReportMap(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    const json map = GetJson(p, get.target);
    if (map.is_null()) return;
    const bool handler = p.role == "handler";
    const std::string scope = handler ? VisibleToUnit(*p.unit_id) : "";
    long long open = 0;
    for (const auto& f : map.at("subdistricts").at("features")) {
        open += f.at("properties").at("open").get<long long>();
    }
    const std::string expected_open = QueryValue(
        "select count(*) from issues i join units u on u.id = i.subdistrict_id "
        "where u.kind in ('subdistrict', 'park') and u.boundary is not null and i.status in " +
        std::string(kOpen) + scope);
    if (std::to_string(open) != expected_open) {
        Deviation(what + ": " + std::to_string(open) + " open issues over the areas, SQL counts " +
                  expected_open);
    }
    std::string listed;
    for (const auto& point : map.at("issues")) {
        listed += (listed.empty() ? "" : ",") + point.at("id").dump();
    }
    // Each open issue at its finding's place, or its site's.
    const std::string stored = QueryValue(
        "select coalesce(string_agg(i.id::text, ',' order by i.id desc), '') from issues i "
        "join sites s on s.id = i.site_id "
        "where coalesce(i.location, s.location) is not null and i.status in " +
        std::string(kOpen) + scope);
    if (listed != stored) {
        Deviation(what + ": the map shows issues [" + listed + "], SQL finds [" + stored + "]");
    }
    if (stored.empty() && (!handler || p.unit_id == jiaoxi_)) {
        Deviation(what + ": the fixture put no open issue on the caller's map");
    }
}

}  // namespace lantian::itest
