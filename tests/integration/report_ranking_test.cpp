// The ranking of subdistricts (GET /api/v1/reports/ranking) and who may read what, on the
// hand-built ledger of support/report_ledger.hpp: competition ranks by on-time rate with ties
// and null rates last, the escalation counts of the period per level, a handler's reports
// limited to their own unit's issues, 403 for inspectors and administrators, 400 and 422 for
// requests the contract refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/report_ledger.hpp"

namespace lantian::reports {
namespace {

using itest::Figures;
using itest::kNull;
using itest::Person;
using itest::Reply;
using namespace itest::ledger;  // the hand-built ledger's figures
using nlohmann::json;

struct Place {
    int rank;
    long long unit;
    long long due, on_time;
    std::optional<double> rate;
    long long overdue;
    long long level1, level2, level3;
};

class ReportRanking : public itest::ReportLedgerTest {
protected:
    void SetUp() override {
        ReportLedgerTest::SetUp();
        if (HasFatalFailure()) return;
        PutHandBuiltLedger();
    }

    std::string Period() const { return std::string("from=") + kFrom + "&to=" + kTo; }
    json Summary(const Person& who, const std::string& group_by) {
        return GetJson(who, "/api/v1/reports/summary?" + Period() + "&group_by=" + group_by);
    }
    json Ranking(const Person& who) { return GetJson(who, "/api/v1/reports/ranking?" + Period()); }
};

TEST_F(ReportRanking, TerritoriesRankByOnTimeRateWithSharedPlacesAndNoRateLast) {
    const json r = Ranking(leader_);
    EXPECT_EQ(r.at("from"), kFrom);
    EXPECT_EQ(r.at("to"), kTo);
    // 焦北 and 七百间 both met every deadline (1.0) and share the first place; 焦北 is listed
    // first, having nothing overdue (七百间 has d2). Then 焦西 2 of 5 (0.4), 民主 0 of 2 (0.0).
    // Nothing fell due in 焦南 (c1 is due 11-12) nor anywhere else: no rate, all fifth, in the
    // order of the units (subdistricts by id, then the park). Escalations raised in the period:
    // 焦西 a10 level 1 (11-10 23:59:59), a3 level 2; 七百间 d2 levels 2 and 3 (its level 1 came
    // 10-31); 民主 b1 b2 level 1, b1 level 2 (b1's level 3 came 11-11 00:00, after the period).
    const std::vector<Place> expected = {
        {1, e_, 1, 1, 1.0, 0, 0, 0, 0},
        {1, d_, 2, 2, 1.0, 1, 0, 1, 1},
        {3, a_, 5, 2, 0.4, 2, 1, 1, 0},
        {4, b_, 2, 0, 0.0, 2, 2, 1, 0},
        {5, c_, 0, 0, kNull, 0, 0, 0, 0},
        {5, UnitId("JF-SD-MINSHENG"), 0, 0, kNull, 0, 0, 0, 0},
        {5, UnitId("JF-SD-XINHUA"), 0, 0, kNull, 0, 0, 0, 0},
        {5, UnitId("JF-SD-WANGCHU"), 0, 0, kNull, 0, 0, 0, 0},
        {5, UnitId("JF-SD-SHANGBAIZUO"), 0, 0, kNull, 0, 0, 0, 0},
        {5, UnitId("JF-PK-CYJJQ"), 0, 0, kNull, 0, 0, 0, 0},
    };
    const json& rows = r.at("rows");
    ASSERT_EQ(rows.size(), expected.size()) << "subdistricts and the park, no departments";
    for (size_t n = 0; n < expected.size(); ++n) {
        const Place& p = expected[n];
        const json& row = rows[n];
        const std::string what = "place " + std::to_string(n + 1) + " " + row.dump();
        EXPECT_EQ(row.at("unit_id"), p.unit) << what;
        EXPECT_EQ(row.at("rank"), p.rank) << what;
        EXPECT_EQ(row.at("due"), p.due) << what;
        EXPECT_EQ(row.at("on_time"), p.on_time) << what;
        if (p.rate) {
            EXPECT_DOUBLE_EQ(row.at("on_time_rate").get<double>(), *p.rate) << what;
        } else {
            EXPECT_TRUE(row.at("on_time_rate").is_null()) << what;
        }
        EXPECT_EQ(row.at("overdue"), p.overdue) << what;
        const json& e = row.at("escalations");
        EXPECT_EQ(e.at("level1"), p.level1) << what;
        EXPECT_EQ(e.at("level2"), p.level2) << what;
        EXPECT_EQ(e.at("level3"), p.level3) << what;
        EXPECT_EQ(e.at("total"), p.level1 + p.level2 + p.level3) << what;
        // The figures lead to the issues behind them.
        for (const char* metric : {"due", "on_time", "overdue"}) {
            const auto d = Drill(leader_, row.at("drill").at(metric).get<std::string>());
            EXPECT_EQ(d.total, row.at(metric).get<long long>()) << what << " " << metric;
            EXPECT_EQ(static_cast<long long>(d.ids.size()), d.total) << what << " " << metric;
        }
    }
    EXPECT_EQ(rows[2].at("unit_name"), "焦西街道");
    EXPECT_EQ(rows[2].at("unit_kind"), "subdistrict");
    EXPECT_EQ(rows[9].at("unit_kind"), "park");
}

TEST_F(ReportRanking, EscalationsCountInThePeriodTheyWereRaised) {
    // The same territories over 11-11 alone: b1's level 3 (raised 11-11 00:00:00) and nothing
    // else; over October's last week d2's level 1 (10-31).
    const auto escalations = [&](const std::string& from, const std::string& to, long long unit) {
        const json r = GetJson(leader_, "/api/v1/reports/ranking?from=" + from + "&to=" + to);
        for (const auto& row : r.at("rows")) {
            if (row.at("unit_id") == unit) return row.at("escalations");
        }
        return json();
    };
    EXPECT_EQ(escalations("2026-11-11", "2026-11-11", b_),
              json({{"level1", 0}, {"level2", 0}, {"level3", 1}, {"total", 1}}));
    EXPECT_EQ(escalations("2026-11-11", "2026-11-11", a_),
              json({{"level1", 0}, {"level2", 0}, {"level3", 0}, {"total", 0}}));
    EXPECT_EQ(escalations("2026-10-25", "2026-10-31", d_),
              json({{"level1", 1}, {"level2", 0}, {"level3", 0}, {"total", 1}}));
    EXPECT_EQ(escalations("2026-11-10", "2026-11-10", a_),
              json({{"level1", 1}, {"level2", 0}, {"level3", 0}, {"total", 1}}));
}

TEST_F(ReportRanking, TheRankingIsTheSameForEveryReaderAHandlerIncluded) {
    json leader = Ranking(leader_);
    json handler = Ranking(lead_handler_);
    json office = Ranking(office_);
    json supervisor = Ranking(supervisor_);
    for (json* r : {&leader, &handler, &office, &supervisor}) r->erase("as_of");
    EXPECT_EQ(handler, leader);
    EXPECT_EQ(office, leader);
    EXPECT_EQ(supervisor, leader);
}

TEST_F(ReportRanking, AHandlerSeesOnlyTheirOwnUnitsRowAndIssues) {
    // 焦西's handler: one row, the figures of the issues it may open, and totals the same. The
    // office's 焦西 row also counts the territory's issues no one leads yet (kJiaoxi).
    const json by_unit = Summary(lead_handler_, "unit");
    ASSERT_EQ(by_unit.at("rows").size(), 1u) << by_unit.dump();
    EXPECT_EQ(by_unit.at("rows")[0].at("key"), std::to_string(a_));
    ExpectFigures(by_unit.at("rows")[0], kJiaoxiSeenByItsHandler, "焦西's handler, 焦西");
    ExpectFigures(by_unit.at("totals"), kJiaoxiSeenByItsHandler, "焦西's handler, totals");

    // By category, rows hold only the issues 焦西 leads: fume a1 a3 (not a5 a6 a7 that no one
    // leads, not g1, not b2), dust a2 a9 a10 (not a8, not b1), shop a4.
    const json by_category = Summary(lead_handler_, "category");
    ExpectFigures(RowOf(by_category, "fume_direct_emission"),
                  {2, 2, 2, 2, 2, 2, 1, 2, 2, 0, 2, 1.0, 1.0, 0.5, 83.5}, "焦西's fume");
    ExpectFigures(RowOf(by_category, "dust_uncovered"),
                  {3, 3, 3, 1, 1, 1, 0, 3, 0, 2, 1, 0.0, 0.3333, 0.0, 48.0}, "焦西's dust");
    ExpectFigures(RowOf(by_category, "shop_front_duty"),
                  {1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, kNull, kNull, 0.0, kNull}, "焦西's shop");
    ExpectFigures(RowOf(by_category, "other"), kNothing, "焦西's other");
    ExpectFigures(by_category.at("totals"), kJiaoxiSeenByItsHandler,
                  "焦西's handler, totals by category");
    // By subdistrict: 焦西's territory holds their issues, the others nothing of theirs.
    const json by_subdistrict = Summary(lead_handler_, "subdistrict");
    for (const auto& row : by_subdistrict.at("rows")) {
        ExpectFigures(row, row.at("key") == std::to_string(a_) ? kJiaoxiSeenByItsHandler : kNothing,
                      "焦西's handler, territory " + row.at("label").get<std::string>());
    }
    // None of the issues no one leads yet is listed for the handler, who cannot open them.
    const auto found =
        Drill(lead_handler_, by_unit.at("totals").at("drill").at("found").get<std::string>());
    for (const char* unled : {"a5", "a6", "a7", "a8"}) {
        EXPECT_EQ(std::count(found.ids.begin(), found.ids.end(), Id(unled)), 0) << unled;
    }

    // Every figure they see leads to as many issues, all their own.
    ExpectDrillsMatch(lead_handler_, by_unit);
    ExpectDrillsMatch(lead_handler_, by_category);
    const auto all =
        Drill(lead_handler_, by_unit.at("totals").at("drill").at("found").get<std::string>());
    for (const char* other : {"g1", "b1", "b2", "c1", "d1", "e1"}) {
        EXPECT_EQ(std::count(all.ids.begin(), all.ids.end(), Id(other)), 0) << other;
    }
    // Asking for another unit's figures gives nothing, not their issues.
    const std::string minzhu_found = "/api/v1/reports/issues?metric=found&" + Period() +
                                     "&group_by=unit&key=" + std::to_string(b_);
    EXPECT_EQ(Drill(lead_handler_, minzhu_found).total, 0);
    EXPECT_EQ(Drill(leader_, minzhu_found).total, 2);
    const std::string minzhu_overdue = "/api/v1/reports/issues?metric=overdue&" + Period() +
                                       "&group_by=unit&key=" + std::to_string(b_);
    EXPECT_EQ(Drill(lead_handler_, minzhu_overdue).total, 0);
    EXPECT_EQ(Drill(leader_, minzhu_overdue).total, 2);

    // 城管局's handler: g1 only, which lies in 焦西's territory.
    const json chengguan = Summary(co_handler_, "unit");
    ASSERT_EQ(chengguan.at("rows").size(), 1u);
    ExpectFigures(chengguan.at("rows")[0], kChengguan, "城管局's handler, 城管局");
    const json chengguan_territories = Summary(co_handler_, "subdistrict");
    ExpectFigures(RowOf(chengguan_territories, std::to_string(a_)), kChengguan,
                  "城管局's handler, 焦西's territory");
    ExpectFigures(chengguan_territories.at("totals"), kChengguan, "城管局's handler, totals");

    // 民主's handler: b1 b2.
    const json minzhu = Summary(stranger_handler_, "unit");
    ASSERT_EQ(minzhu.at("rows").size(), 1u);
    ExpectFigures(minzhu.at("rows")[0], kMinzhu, "民主's handler, 民主");
}

TEST_F(ReportRanking, InspectorsAndAdministratorsMayNotReadReports) {
    const std::string link = "/api/v1/reports/issues?metric=found&" + Period();
    for (const Person* who : {&inspector_, &admin_}) {
        for (const std::string& target :
             {"/api/v1/reports/summary?" + Period(), "/api/v1/reports/ranking?" + Period(), link}) {
            const Reply r = Send(*who, "GET", target);
            EXPECT_EQ(r.status, 403) << who->label << " " << target << ": " << r.raw.body;
            EXPECT_EQ(r.raw.body.find("found\":"), std::string::npos) << "figures leaked";
        }
    }
    for (const Person* who : {&office_, &supervisor_, &leader_, &lead_handler_}) {
        EXPECT_EQ(Send(*who, "GET", "/api/v1/reports/summary?" + Period()).status, 200)
            << who->label;
    }
}

TEST_F(ReportRanking, MalformedRequestsAreRefusedWithTheContractsStatus) {
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"/api/v1/reports/summary?from=2026-02-30&to=2026-03-01", "400 invalid_parameter"},
        {"/api/v1/reports/summary?from=2026-11-01&to=2026-11-1", "400 invalid_parameter"},
        {"/api/v1/reports/summary?from=20261101&to=2026-11-10", "400 invalid_parameter"},
        {"/api/v1/reports/summary?from=yesterday", "400 invalid_parameter"},
        {"/api/v1/reports/ranking?to=2026-13-01", "400 invalid_parameter"},
        {"/api/v1/reports/summary?" + Period() + "&group_by=week", "400 invalid_parameter"},
        {"/api/v1/reports/summary?" + Period() + "&unit=4", "400 unknown_parameter"},
        {"/api/v1/reports/ranking?" + Period() + "&group_by=unit", "400 unknown_parameter"},
        {"/api/v1/reports/issues?metric=everything&" + Period(), "400 invalid_parameter"},
        {"/api/v1/reports/summary?from=2026-11-10&to=2026-11-01", "422 validation_failed"},
        {"/api/v1/reports/ranking?from=2026-11-10&to=2026-11-09", "422 validation_failed"},
        {"/api/v1/reports/issues?metric=found&from=2026-11-10&to=2026-11-01",
         "422 validation_failed"},
    };
    for (const auto& [target, expected] : refused) {
        const Reply r = Send(leader_, "GET", target);
        EXPECT_EQ(r.Describe(), expected) << target << ": " << r.raw.body;
    }
    // The same day as from and to is a period of one day, not an error.
    EXPECT_EQ(Send(leader_, "GET", "/api/v1/reports/summary?from=2026-11-10&to=2026-11-10").status,
              200);
}

}  // namespace
}  // namespace lantian::reports
