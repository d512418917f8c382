// The exported forms of a report: what a spreadsheet program and a printer receive.
#include <gtest/gtest.h>

#include <string>

#include "common/time.hpp"
#include "reports/bulletin_html.hpp"
#include "reports/report.hpp"
#include "reports/report_table.hpp"

namespace lantian::reports {
namespace {

Counts Figures(long long due, long long on_time, long long assigned, long long closed_of_assigned,
               long long closed, long long reworked) {
    Counts c;
    c[Metric::kDue] = due;
    c[Metric::kOnTime] = on_time;
    c[Metric::kAssigned] = assigned;
    c[Metric::kClosedOfAssigned] = closed_of_assigned;
    c[Metric::kClosed] = closed;
    c[Metric::kReworked] = reworked;
    return c;
}

TEST(ReportRates, ZeroDenominatorsGiveNoRate) {
    const Counts none;
    EXPECT_FALSE(none.OnTimeRate());
    EXPECT_FALSE(none.ClosureRate());
    EXPECT_FALSE(none.ReworkRate());
    EXPECT_FALSE(none.MeanHoursToRectify());
}

TEST(ReportRates, RatesAreFractionsRoundedToFourDecimals) {
    const Counts c = Figures(7, 5, 3, 1, 6, 2);
    EXPECT_DOUBLE_EQ(*c.OnTimeRate(), 0.7143);
    EXPECT_DOUBLE_EQ(*c.ClosureRate(), 0.3333);
    EXPECT_DOUBLE_EQ(*c.ReworkRate(), 0.3333);
    EXPECT_DOUBLE_EQ(*Figures(4, 0, 0, 0, 0, 0).OnTimeRate(), 0.0);
}

TEST(ReportRates, MeanHoursAreOverTheRectifiedIssues) {
    Counts c;
    c[Metric::kRectified] = 2;
    c.rectify_seconds = 3600 * 30;  // 10 h and 20 h
    EXPECT_DOUBLE_EQ(*c.MeanHoursToRectify(), 15.0);
    c.rectify_seconds = 3600 * 3 + 360;  // 1.55 h → 1.6 (one decimal)
    EXPECT_DOUBLE_EQ(*c.MeanHoursToRectify(), 1.6);
}

TEST(ReportNames, EveryMetricAndGroupingRoundTrips) {
    for (const Metric m : kMetrics) {
        EXPECT_EQ(ParseMetric(MetricName(m)), m);
        EXPECT_FALSE(MetricLabel(m).empty());
    }
    for (const GroupBy g : {GroupBy::kUnit, GroupBy::kCategory, GroupBy::kSiteKind,
                            GroupBy::kSubdistrict, GroupBy::kDay}) {
        EXPECT_EQ(ParseGroupBy(GroupByName(g)), g);
    }
    EXPECT_FALSE(ParseGroupBy("week"));
    EXPECT_FALSE(ParseMetric("found; drop table issues"));
}

Summary TwoRowSummary() {
    Summary s;
    s.period = {"2026-11-01", "2026-11-30"};
    s.group_by = GroupBy::kUnit;
    s.as_of = *ParseRfc3339("2026-12-01T00:00:00+08:00");
    SummaryRow a{"3", "焦西街道, \"东片\"", Figures(4, 3, 5, 2, 4, 1)};
    a.counts[Metric::kFound] = 9;
    SummaryRow b{"4", "民主街道", Counts{}};
    s.rows = {a, b};
    for (const auto& r : s.rows) s.totals += r.counts;
    return s;
}

TEST(ReportCsv, StartsWithABomAndQuotesChineseWithCommasAndQuotes) {
    const std::string csv = ToCsv(SummaryTable(TwoRowSummary()));
    ASSERT_GE(csv.size(), 3u);
    EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
    const std::string header = csv.substr(3, csv.find("\r\n") - 3);
    EXPECT_EQ(header.substr(0, header.find(',')), "责任单位");
    EXPECT_NE(header.find("按期整改率"), std::string::npos);
    // The label with a comma and quotes is one quoted field with the quotes doubled.
    EXPECT_NE(csv.find("\r\n\"焦西街道, \"\"东片\"\"\",9,"), std::string::npos) << csv;
    // Rates as percentages; a rate over nothing is an empty field, not 0 or NaN.
    EXPECT_NE(csv.find(",75.00%,40.00%,25.00%,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\n民主街道,0,0,0,0,0,0,0,,,,0,\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\n合计,9,"), std::string::npos);
    EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
}

TEST(ReportXlsx, IsAZipWorkbook) {
    const std::string xlsx = ToXlsx(SummaryTable(TwoRowSummary()));
    ASSERT_GT(xlsx.size(), 1000u);
    EXPECT_EQ(xlsx.substr(0, 4), std::string("PK\x03\x04", 4));
    // The parts a spreadsheet program opens (stored names appear in the zip directory).
    EXPECT_NE(xlsx.find("xl/worksheets/sheet1.xml"), std::string::npos);
    EXPECT_NE(xlsx.find("xl/sharedStrings.xml"), std::string::npos);
    EXPECT_NE(xlsx.find("xl/styles.xml"), std::string::npos);
}

TEST(ReportRanking, TableListsRankUnitAndEscalations) {
    Ranking r;
    r.period = {"2026-11-01", "2026-11-30"};
    RankingRow row;
    row.rank = 1;
    row.unit_name = "产业集聚区";
    row.counts = Figures(2, 2, 0, 0, 0, 0);
    row.escalations.level = {3, 1, 0};
    r.rows = {row};
    const std::string csv = ToCsv(RankingTable(r));
    EXPECT_NE(csv.find("名次,街道（园区）,到期,按期整改,按期整改率,期末超期,督办,约谈,问责"),
              std::string::npos);
    EXPECT_NE(csv.find("\r\n1,产业集聚区,2,2,100.00%,0,3,1,0\r\n"), std::string::npos) << csv;
}

TEST(ReportBulletin, IsAnA4ChinesePageWithEscapedNames) {
    BulletinData b;
    b.by_unit = TwoRowSummary();
    b.ranking.period = b.by_unit.period;
    RankingRow row;
    row.rank = 1;
    row.unit_name = "<script>alert(1)</script>街道";
    b.ranking.rows = {row};
    OverdueIssue o;
    o.issue_id = 42;
    o.site_name = "老王烧烤 & 小吃";
    o.category = "open_air_bbq";
    o.unit_name = "焦西街道";
    o.due_at = *ParseRfc3339("2026-11-20T08:00:00+08:00");
    o.days_late = 10;
    o.escalation_level = 3;
    b.overdue = {o};
    b.overdue_total = 5;
    const std::string html = RenderBulletinHtml(b, *ParseRfc3339("2026-12-01T09:00:00+08:00"));
    EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
    EXPECT_NE(html.find("@page { size: A4;"), std::string::npos);
    EXPECT_NE(html.find("统计期间：2026-11-01 至 2026-11-30"), std::string::npos);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;街道"), std::string::npos);
    EXPECT_NE(html.find("老王烧烤 &amp; 小吃</td><td>露天烧烤</td>"), std::string::npos);
    EXPECT_NE(html.find("2026-11-20 08:00</td><td>10</td><td>问责"), std::string::npos);
    EXPECT_NE(html.find("另有 4 个超期问题未列出"), std::string::npos);
    EXPECT_NE(html.find("按期整改率 75.0%"), std::string::npos);
}

}  // namespace
}  // namespace lantian::reports
