#include "reports/http/report_routes.hpp"

#include <nlohmann/json.hpp>

#include "common/cursor.hpp"
#include "common/error.hpp"
#include "http/json_body.hpp"
#include "http/list_params.hpp"
#include "issues/http/issue_json.hpp"
#include "reports/bulletin_html.hpp"
#include "reports/http/report_json.hpp"
#include "reports/report_table.hpp"

namespace lantian::reports {

namespace {

using nlohmann::json;

enum class Format { kJson, kCsv, kXlsx };

Error BadParameter(const std::string& name, const std::string& message) {
    return Error::InvalidArgument("invalid_parameter", name + " " + message, {{name, message}});
}

Format ReadFormat(const http::Request& req) {
    const auto f = req.QueryParam("format");
    if (!f || *f == "json") return Format::kJson;
    if (*f == "csv") return Format::kCsv;
    if (*f == "xlsx") return Format::kXlsx;
    throw BadParameter("format", "must be json, csv or xlsx");
}

Period ReadPeriod(const ReportService& service, const http::Request& req) {
    return service.ResolvePeriod(req.QueryParam("from"), req.QueryParam("to"));
}

// RFC 5987: the file name in UTF-8, percent-encoded, beside an ASCII fallback.
std::string Disposition(const std::string& ascii_name, const std::string& utf8_name) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (const unsigned char ch : utf8_name) {
        if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_') {
            encoded += static_cast<char>(ch);
        } else {
            encoded += '%';
            encoded += kHex[ch >> 4];
            encoded += kHex[ch & 15];
        }
    }
    return "attachment; filename=\"" + ascii_name + "\"; filename*=UTF-8''" + encoded;
}

http::Response Export(const Table& table, Format format, const std::string& stem) {
    http::Response r;
    const std::string ext = format == Format::kCsv ? ".csv" : ".xlsx";
    if (format == Format::kCsv) {
        r.content_type = "text/csv; charset=utf-8";
        r.body = ToCsv(table);
    } else {
        r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        r.body = ToXlsx(table);
    }
    r.Header("Content-Disposition", Disposition(stem + ext, table.title + ext));
    return r;
}

http::Response Summarize(ReportService& service, http::Request& req) {
    const Format format = ReadFormat(req);
    GroupBy group_by = GroupBy::kUnit;
    if (const auto g = req.QueryParam("group_by")) {
        const auto parsed = ParseGroupBy(*g);
        if (!parsed) {
            throw BadParameter("group_by", "must be unit, category, site_kind, subdistrict or day");
        }
        group_by = *parsed;
    }
    const Summary s = service.Summarize(ReadPeriod(service, req), group_by, req.RequireActor());
    if (format == Format::kJson) return http::JsonResponse(200, SummaryToJson(s));
    return Export(SummaryTable(s), format,
                  "lantian-summary-" + std::string(GroupByName(group_by)) + "-" + s.period.from +
                      "-" + s.period.to);
}

http::Response Rank(ReportService& service, http::Request& req) {
    const Format format = ReadFormat(req);
    const Ranking r = service.Rank(ReadPeriod(service, req), req.RequireActor());
    if (format == Format::kJson) return http::JsonResponse(200, RankingToJson(r));
    return Export(RankingTable(r), format, "lantian-ranking-" + r.period.from + "-" + r.period.to);
}

http::Response Drill(ReportService& service, http::Request& req) {
    DrillQuery q;
    const auto metric = req.QueryParam("metric");
    if (!metric) throw BadParameter("metric", "is required");
    const auto m = ParseMetric(*metric);
    if (!m) throw BadParameter("metric", "is not a figure of the reports");
    q.metric = *m;
    if (const auto g = req.QueryParam("group_by")) {
        q.group_by = ParseGroupBy(*g);
        if (!q.group_by) {
            throw BadParameter("group_by", "must be unit, category, site_kind, subdistrict or day");
        }
    }
    q.key = req.QueryParam("key");
    q.period = ReadPeriod(service, req);
    const auto page = http::ReadListParams(req);
    q.limit = page.limit;
    if (page.cursor) q.before_id = http::CursorId(*page.cursor);
    const DrillPage result = service.Drill(q, req.RequireActor());
    const TimePoint now = service.Now();
    json items = json::array();
    for (const auto& i : result.items) items.push_back(issues::IssueToJson(i, now));
    json next = nullptr;
    if (result.next_before_id) next = EncodeCursor("id:" + std::to_string(*result.next_before_id));
    return http::JsonResponse(200,
                              {{"items", items}, {"next_cursor", next}, {"total", result.total}});
}

http::Response Bulletin(ReportService& service, http::Request& req) {
    const BulletinData b = service.Bulletin(ReadPeriod(service, req), req.RequireActor());
    http::Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = RenderBulletinHtml(b, service.Now());
    return r;
}

}  // namespace

void RegisterReportRoutes(http::Router& router, ReportService& service) {
    router.Add("GET", "/api/v1/reports/summary",
               {.query_params = {"from", "to", "group_by", "format"}},
               [&service](http::Request& r) { return Summarize(service, r); });
    router.Add("GET", "/api/v1/reports/ranking", {.query_params = {"from", "to", "format"}},
               [&service](http::Request& r) { return Rank(service, r); });
    router.Add("GET", "/api/v1/reports/issues",
               {.query_params = {"metric", "from", "to", "group_by", "key", "limit", "cursor"}},
               [&service](http::Request& r) { return Drill(service, r); });
    router.Add("GET", "/api/v1/reports/bulletin", {.query_params = {"from", "to"}},
               [&service](http::Request& r) { return Bulletin(service, r); });
    router.Add("GET", "/api/v1/reports/map", {}, [&service](http::Request& r) {
        return http::JsonResponse(200, MapToJson(service.Map(r.RequireActor())));
    });
}

}  // namespace lantian::reports
