// The indicators of DOMAIN.md (Reports) on a hand-built ledger with known answers (the table in
// support/report_ledger.cpp): GET /api/v1/reports/summary through the production pipeline as a
// leader, by unit, category, site kind, subdistrict and day, every figure checked against a
// number worked out by hand; day boundaries in Asia/Shanghai; overdue at the end of a past
// period against today; a period with nothing due; and every figure against the issues behind
// its drill link. Ranking, a handler's view and refused requests: report_ranking_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "support/report_ledger.hpp"

namespace lantian::reports {
namespace {

using itest::Figures;
using itest::kNull;
using namespace itest::ledger;  // the hand-built ledger's figures
using nlohmann::json;

class ReportIndicators : public itest::ReportLedgerTest {
protected:
    void SetUp() override {
        ReportLedgerTest::SetUp();
        if (HasFatalFailure()) return;
        PutHandBuiltLedger();
    }

    json Summary(const std::string& group_by, const std::string& from = kFrom,
                 const std::string& to = kTo) {
        return GetJson(leader_, "/api/v1/reports/summary?from=" + from + "&to=" + to +
                                    "&group_by=" + group_by);
    }

    std::set<long long> Ids(std::initializer_list<const char*> names) const {
        std::set<long long> out;
        for (const char* n : names) out.insert(Id(n));
        return out;
    }
    std::set<long long> DrillIds(const json& row, const std::string& metric) {
        const auto d = Drill(leader_, row.at("drill").at(metric).get<std::string>());
        return {d.ids.begin(), d.ids.end()};
    }
};

TEST_F(ReportIndicators, ByUnitEveryUnitHasItsHandComputedFiguresAndTheOthersZero) {
    const json s = Summary("unit");
    EXPECT_EQ(s.at("from"), kFrom);
    EXPECT_EQ(s.at("to"), kTo);
    EXPECT_EQ(s.at("group_by"), "unit");
    // A past period: "overdue at period end" is taken at the end of 11-10, not now.
    EXPECT_EQ(ParseRfc3339(s.at("as_of").get<std::string>()), ParseRfc3339(T("11-11 00:00")));
    // 9 subdistricts, 1 park, 6 departments; the offices have nothing and are left out.
    ASSERT_EQ(s.at("rows").size(), 16u);
    const std::map<long long, Figures> expected = {{a_, kJiaoxi},  {b_, kMinzhu},
                                                   {c_, kJiaonan}, {d_, kQibaijian},
                                                   {e_, kJiaobei}, {g_, kChengguan}};
    for (const auto& row : s.at("rows")) {
        const long long unit = std::stoll(row.at("key").get<std::string>());
        const auto it = expected.find(unit);
        ExpectFigures(row, it == expected.end() ? kNothing : it->second,
                      "unit " + row.at("label").get<std::string>());
    }
    EXPECT_EQ(RowOf(s, std::to_string(a_)).at("label"), "焦西街道");
    EXPECT_EQ(RowOf(s, std::to_string(g_)).at("label"), "解放区城管局");
    ExpectFigures(s.at("totals"), kDistrict, "totals by unit");
}

TEST_F(ReportIndicators, ByCategoryAndBySiteKind) {
    const json c = Summary("category");
    ASSERT_EQ(c.at("rows").size(), 13u) << "every category, zeros included";
    const std::map<std::string, Figures> by_category = {
        // a1 a3 a5 a6 a7 g1 b2: found 7; confirmed and assigned a1 a3 g1 b2, closed of them
        // a1 a3 → 0.5; evidence a1 a3 g1; closed a1 a3, reworked a3 → 0.5; due a1 a3 g1 b2, on
        // time a1 a3 → 0.5; overdue b2; rectified a1 a3: (72 + 95) / 2 = 83.5 h.
        {"fume_direct_emission", {7, 4, 4, 2, 3, 2, 1, 4, 2, 1, 2, 0.5, 0.5, 0.5, 83.5}},
        // a2 a8 a9 a10 b1: confirmed all; assigned a2 a9 a10 b1, closed a2 → 0.25; due the same
        // four, none on time; overdue a9 a10 b1; rectified a2 48 h.
        {"dust_uncovered", {5, 5, 4, 1, 1, 1, 0, 4, 0, 3, 1, 0.0, 0.25, 0.0, 48.0}},
        // a4, fixed on the spot: found, submitted, closed, nothing else.
        {"shop_front_duty", {1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, kNull, kNull, 0.0, kNull}},
        // c1 d1 e1 e2 found and assigned (d1 e1 e2 closed → 0.75); evidence and closing d1 d3
        // e1; due d1 d3 e1 all on time; overdue d2; (48 + 96 + 144) / 3 = 96 h.
        {"other", {4, 4, 4, 3, 3, 3, 0, 3, 3, 1, 3, 1.0, 0.75, 0.0, 96.0}},
    };
    for (const auto& row : c.at("rows")) {
        const auto it = by_category.find(row.at("key"));
        ExpectFigures(row, it == by_category.end() ? kNothing : it->second,
                      "category " + row.at("key").get<std::string>());
    }
    EXPECT_EQ(RowOf(c, "fume_direct_emission").at("label"), "油烟直排");
    ExpectFigures(c.at("totals"), kDistrict, "totals by category");

    const json k = Summary("site_kind");
    ASSERT_EQ(k.at("rows").size(), 10u) << "every site kind, zeros included";
    const std::map<std::string, Figures> by_kind = {
        // The fume issues less b2, which was at a barbecue stall: due a1 a3 g1, on time a1 a3.
        {"restaurant", {6, 3, 3, 2, 3, 2, 1, 3, 2, 0, 2, 0.6667, 0.6667, 0.5, 83.5}},
        {"open_air_bbq", {1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0.0, 0.0, kNull, kNull}},
        {"construction_site", {5, 5, 4, 1, 1, 1, 0, 4, 0, 3, 1, 0.0, 0.25, 0.0, 48.0}},
        {"shop_front", {1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, kNull, kNull, 0.0, kNull}},
        {"residential_compound", {4, 4, 4, 3, 3, 3, 0, 3, 3, 1, 3, 1.0, 0.75, 0.0, 96.0}},
    };
    for (const auto& row : k.at("rows")) {
        const auto it = by_kind.find(row.at("key"));
        ExpectFigures(row, it == by_kind.end() ? kNothing : it->second,
                      "site kind " + row.at("key").get<std::string>());
    }
    ExpectFigures(k.at("totals"), kDistrict, "totals by site kind");
}

TEST_F(ReportIndicators, BySubdistrictTheIssuesOfADepartmentCountWhereTheyWereFound) {
    const json s = Summary("subdistrict");
    ASSERT_EQ(s.at("rows").size(), 10u) << "9 subdistricts and the park";
    // 焦西's territory holds 焦西's issues and 城管局's g1: A + G.
    const Figures territory_a = {11, 7, 6, 3, 5, 4, 1, 6, 2, 2, 3, 0.3333, 0.5, 0.25, 71.7};
    const std::map<long long, Figures> expected = {
        {a_, territory_a}, {b_, kMinzhu}, {c_, kJiaonan}, {d_, kQibaijian}, {e_, kJiaobei}};
    for (const auto& row : s.at("rows")) {
        const auto it = expected.find(std::stoll(row.at("key").get<std::string>()));
        ExpectFigures(row, it == expected.end() ? kNothing : it->second,
                      "subdistrict " + row.at("label").get<std::string>());
    }
    EXPECT_TRUE(RowOf(s, std::to_string(g_)).is_null()) << "a department is no subdistrict";
    ExpectFigures(s.at("totals"), kDistrict, "totals by subdistrict");
}

TEST_F(ReportIndicators, ByDayEachDayCountsWhatHappenedOnItAndOverdueAtItsEnd) {
    const json s = Summary("day");
    const std::vector<std::pair<std::string, Figures>> days = {
        // found a1 a3 d1; confirmed and assigned the same (all closed since); evidence d3;
        // overdue at midnight: d2.
        {"2026-11-01", {3, 3, 3, 3, 1, 0, 0, 0, 0, 1, 0, kNull, 1.0, kNull, kNull}},
        // found a2 a8 (00:30) b1 e1, confirmed the same; assigned a2 b1 e1 (a2 e1 closed);
        // closed d3 at its deadline's day, on time; a3's first deadline (09:00) is no longer
        // its deadline and counts nowhere.
        {"2026-11-02", {4, 4, 3, 2, 0, 1, 0, 1, 1, 1, 1, 1.0, 0.6667, 0.0, 96.0}},
        // found a4 b2; b2 confirmed and assigned; evidence a4 d1; closed d1; due a2 (late) and
        // d1; at midnight a2 (evidence 11-04) and d2 overdue.
        {"2026-11-03", {2, 1, 1, 0, 2, 1, 0, 2, 1, 2, 1, 0.5, 0.0, 0.0, 48.0}},
        // found, confirmed, assigned a9; evidence a1 a2; closed a2 a4 (a4 not rectified).
        {"2026-11-04", {1, 1, 1, 0, 2, 2, 0, 0, 0, 1, 1, kNull, 0.0, 0.0, 48.0}},
        // found a5 a10 (a5 rejected); evidence a3; closed a1; due a1 b1, overdue b1 d2.
        {"2026-11-05", {2, 1, 1, 0, 1, 1, 0, 2, 1, 2, 1, 0.5, 0.0, 0.0, 72.0}},
        // found g1 and a6 (23:59:59); closed a3 (reworked); due a3 b2; overdue b1 b2 d2.
        {"2026-11-06", {2, 1, 1, 0, 0, 1, 1, 2, 1, 3, 1, 0.5, 0.0, 1.0, 95.0}},
        // found a7 (00:00:00); evidence g1 before its deadline today, not accepted.
        {"2026-11-07", {1, 0, 0, 0, 1, 0, 0, 1, 0, 3, 0, 0.0, kNull, kNull, kNull}},
        // found c1; evidence e1; due a9, overdue from 10:00.
        {"2026-11-08", {1, 1, 1, 0, 1, 0, 0, 1, 0, 4, 0, 0.0, 0.0, kNull, kNull}},
        // found e2 (closed since); closed e1; due a10 e1.
        {"2026-11-09", {1, 1, 1, 1, 0, 1, 0, 2, 1, 5, 1, 0.5, 1.0, 0.0, 144.0}},
        {"2026-11-10", {0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, kNull, kNull, kNull, kNull}},
    };
    ASSERT_EQ(s.at("rows").size(), days.size());
    for (size_t n = 0; n < days.size(); ++n) {
        EXPECT_EQ(s.at("rows")[n].at("key"), days[n].first);
        ExpectFigures(s.at("rows")[n], days[n].second, "day " + days[n].first);
    }
    // Flows add up over the days; overdue is a stock: the totals take the last day's.
    ExpectFigures(s.at("totals"), kDistrict, "totals by day");
}

TEST_F(ReportIndicators, DaysEndAtShanghaiMidnight) {
    // 23:59:59 on 11-06 is 11-06; 00:00:00 on 11-07 is 11-07; 16:30Z on 11-01 is 11-02 00:30.
    const auto found = [&](const std::string& day) {
        const json s = Summary("unit", day, day);
        return std::make_pair(RowOf(s, std::to_string(a_)).at("found").get<int>(),
                              DrillIds(RowOf(s, std::to_string(a_)), "found"));
    };
    EXPECT_EQ(found("2026-11-06"), std::make_pair(1, Ids({"a6"})));
    EXPECT_EQ(found("2026-11-07"), std::make_pair(1, Ids({"a7"})));
    EXPECT_EQ(found("2026-11-01"), std::make_pair(2, Ids({"a1", "a3"})));
    EXPECT_EQ(found("2026-11-02"), std::make_pair(2, Ids({"a2", "a8"})));
    // a8's confirmation (16:45Z) belongs to 11-02 as well.
    const json d2 = Summary("unit", "2026-11-02", "2026-11-02");
    EXPECT_EQ(DrillIds(RowOf(d2, std::to_string(a_)), "confirmed"), Ids({"a2", "a8"}));
    const json d1 = Summary("unit", "2026-11-01", "2026-11-01");
    EXPECT_EQ(DrillIds(RowOf(d1, std::to_string(a_)), "confirmed"), Ids({"a1", "a3"}));
}

TEST_F(ReportIndicators, TheDrillOfAFigureListsExactlyTheIssuesBehindIt) {
    const json s = Summary("unit");
    const json a = RowOf(s, std::to_string(a_));
    EXPECT_EQ(DrillIds(a, "assigned"), Ids({"a1", "a2", "a3", "a9", "a10"}));
    EXPECT_EQ(DrillIds(a, "due"), Ids({"a1", "a2", "a3", "a9", "a10"}));
    EXPECT_EQ(DrillIds(a, "on_time"), Ids({"a1", "a3"}));
    EXPECT_EQ(DrillIds(a, "reworked"), Ids({"a3"}));
    EXPECT_EQ(DrillIds(a, "closed"), Ids({"a1", "a2", "a3", "a4"}));
    EXPECT_EQ(DrillIds(a, "rectified"), Ids({"a1", "a2", "a3"}));
    EXPECT_EQ(DrillIds(a, "overdue"), Ids({"a9", "a10"}));
    EXPECT_EQ(DrillIds(s.at("totals"), "overdue"), Ids({"a9", "a10", "b1", "b2", "d2"}));
    EXPECT_EQ(DrillIds(RowOf(s, std::to_string(g_)), "submitted"), Ids({"g1"}));
}

TEST_F(ReportIndicators, EveryFigureOfEveryGroupingEqualsTheIssuesBehindItsDrillLink) {
    for (const char* g : {"unit", "category", "site_kind", "subdistrict", "day"}) {
        SCOPED_TRACE(g);
        ExpectDrillsMatch(leader_, Summary(g));
    }
}

TEST_F(ReportIndicators, OverdueAtTheEndOfAPastPeriodIsNotOverdueNow) {
    // a9 was overdue from 11-08 10:00 until its evidence came on 11-12: overdue at the end of
    // 11-10, not today. a10 (never rectified) is both; c1 fell due on 11-12, after the period.
    const json past = Summary("unit");
    const json now = Summary("unit", kFrom, Today());
    const auto overdue = [](const json& s, long long unit) {
        return RowOf(s, std::to_string(unit)).at("overdue").get<int>();
    };
    EXPECT_EQ(overdue(past, a_), 2);
    EXPECT_EQ(overdue(now, a_), 1);
    EXPECT_EQ(DrillIds(RowOf(past, std::to_string(a_)), "overdue"), Ids({"a9", "a10"}));
    EXPECT_EQ(DrillIds(RowOf(now, std::to_string(a_)), "overdue"), Ids({"a10"}));
    EXPECT_EQ(overdue(past, c_), 0);
    EXPECT_EQ(overdue(now, c_), 1);
    EXPECT_EQ(overdue(now, b_), 2);
    EXPECT_EQ(overdue(now, d_), 1);
    EXPECT_EQ(now.at("totals").at("overdue"), 5);  // a10 b1 b2 c1 d2
    // Up to today, "period end" is now.
    const auto as_of = ParseRfc3339(now.at("as_of").get<std::string>());
    ASSERT_TRUE(as_of.has_value());
    EXPECT_LE(*as_of, SystemClock().Now());
    EXPECT_GT(*as_of, SystemClock().Now() - std::chrono::minutes(5));
}

TEST_F(ReportIndicators, APeriodWithNothingDueHasNoRatesRatherThanAnError) {
    // October's first days: nothing happened at all.
    const json empty = Summary("unit", "2026-10-01", "2026-10-05");
    ExpectFigures(empty.at("totals"), kNothing, "2026-10-01..05");
    for (const auto& row : empty.at("rows")) ExpectFigures(row, kNothing, "2026-10-01..05");
    // 11-10 alone: nothing reported or due, five issues overdue at its end.
    const json last = Summary("day", "2026-11-10", "2026-11-10");
    ExpectFigures(last.at("totals"), {0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, kNull, kNull, kNull, kNull},
                  "2026-11-10");
}

TEST_F(ReportIndicators, TheOverdueOfAPeriodReachingIntoTheFutureIsTodaysInEveryGrouping) {
    // The contract: overdue at T = min(end of `to`, now). For a period that ends after today
    // that is now: a10 b1 b2 c1 d2, whatever the grouping; and each figure equals its drill.
    const std::string from = AddDays(Today(), -2), to = AddDays(Today(), 2);
    const json by_unit = Summary("unit", from, to);
    const json by_day = Summary("day", from, to);
    EXPECT_EQ(by_unit.at("totals").at("overdue"), 5);
    EXPECT_EQ(RowOf(by_day, Today()).at("overdue"), 5);
    EXPECT_EQ(by_day.at("totals").at("overdue"), 5)
        << "by day, the totals' overdue is the last row's, a day that has not come yet";
    const auto total = [&](const json& row) {
        return Drill(leader_, row.at("drill").at("overdue").get<std::string>(), 50).total;
    };
    EXPECT_EQ(total(by_day.at("totals")), 5);
    for (const auto& row : by_day.at("rows")) {
        EXPECT_EQ(total(row), row.at("overdue").get<long long>())
            << "day " << row.at("key") << ": the drill and the figure disagree";
    }
}

}  // namespace
}  // namespace lantian::reports
