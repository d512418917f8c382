// The published ranking (reports::RankTerritories) and the bulletin's use of it, without a
// database: best rate first, no rate last, shared places, fewer overdue first within a tie.
#include "reports/ranking.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/bulletin_ranking.hpp"

namespace lantian::reports {
namespace {

RankingRow Row(long long unit, long long due, long long on_time, long long overdue) {
    RankingRow r;
    r.unit_id = unit;
    r.counts[Metric::kDue] = due;
    r.counts[Metric::kOnTime] = on_time;
    r.counts[Metric::kOverdue] = overdue;
    return r;
}

std::vector<std::pair<long long, int>> Ranked(std::vector<RankingRow> rows) {
    RankTerritories(rows);
    std::vector<std::pair<long long, int>> out;
    for (const auto& r : rows) out.emplace_back(r.unit_id, r.rank);
    return out;
}

using Places = std::vector<std::pair<long long, int>>;

TEST(Ranking, BestRateFirstTiesSharePlacesAndNoRateComesLast) {
    EXPECT_EQ(Ranked({Row(1, 0, 0, 0), Row(2, 5, 2, 1), Row(3, 2, 2, 0), Row(4, 4, 4, 3),
                      Row(5, 3, 0, 2), Row(6, 0, 0, 4)}),
              (Places{{3, 1}, {4, 1}, {2, 3}, {5, 4}, {1, 5}, {6, 5}}));
}

TEST(Ranking, WithinATieFewerOverdueComeFirstThenTheOrderGiven) {
    EXPECT_EQ(Ranked({Row(1, 2, 1, 3), Row(2, 4, 2, 0), Row(3, 6, 3, 0)}),
              (Places{{2, 1}, {3, 1}, {1, 1}}));
}

TEST(Ranking, RatesEqualToFourDecimalsTie) {
    // 2/3 and 6667/10000 both read 0.6667 in the bulletin: one place.
    EXPECT_EQ(Ranked({Row(1, 3, 2, 0), Row(2, 10000, 6667, 0), Row(3, 10000, 6668, 0)}),
              (Places{{3, 1}, {1, 2}, {2, 2}}));
}

TEST(Ranking, NothingToRankIsAnEmptyRanking) {
    EXPECT_TRUE(Ranked({}).empty());
}

TEST(BulletinRanking, TheBulletinRanksItsTerritoriesWithTheReportsRankingAndSkipsDepartments) {
    const nlohmann::json bulletin = {{"day", "2026-11-20"},
                                     {"units",
                                      {{{"unit_id", 9},
                                        {"unit_name", "产业集聚区"},
                                        {"unit_kind", "park"},
                                        {"due", 1},
                                        {"on_time", 1},
                                        {"overdue", 0}},
                                       {{"unit_id", 3},
                                        {"unit_name", "焦西街道"},
                                        {"unit_kind", "subdistrict"},
                                        {"due", 3},
                                        {"on_time", 2},
                                        {"overdue", 1}},
                                       {{"unit_id", 4},
                                        {"unit_name", "焦北街道"},
                                        {"unit_kind", "subdistrict"},
                                        {"due", 2},
                                        {"on_time", 2},
                                        {"overdue", 0}},
                                       {{"unit_id", 5},
                                        {"unit_name", "城管局"},
                                        {"unit_kind", "department"},
                                        {"due", 9},
                                        {"on_time", 9},
                                        {"overdue", 0}},
                                       {{"unit_id", 6},
                                        {"unit_name", "民主街道"},
                                        {"unit_kind", "subdistrict"},
                                        {"due", 0},
                                        {"on_time", 0},
                                        {"overdue", 2}}}},
                                     {"ranking", "replaced"}};
    const auto ranked = nlohmann::json::parse(dispatch::WithRanking(bulletin.dump()));
    const auto& r = ranked.at("ranking");
    ASSERT_EQ(r.size(), 4u) << "the subdistricts and the park only";
    // 焦北 and the park share the first place (1.0); 焦北, a subdistrict, is listed first.
    EXPECT_EQ(r[0].at("unit_id"), 4);
    EXPECT_EQ(r[1].at("unit_id"), 9);
    EXPECT_EQ(r[1].at("rank"), 1);
    EXPECT_EQ(r[2].at("unit_name"), "焦西街道");
    EXPECT_EQ(r[2].at("rank"), 3);
    EXPECT_DOUBLE_EQ(r[2].at("on_time_rate").get<double>(), 0.6667);
    EXPECT_EQ(r[2].at("overdue"), 1);
    EXPECT_EQ(r[3].at("unit_id"), 6);
    EXPECT_TRUE(r[3].at("on_time_rate").is_null());
    EXPECT_EQ(ranked.at("day"), "2026-11-20") << "the rest of the bulletin is kept";
    EXPECT_EQ(ranked.at("units").size(), 5u);
    // Every unit's rate is the reports' too, departments included; none when nothing was due.
    std::map<long long, nlohmann::json> rates;
    for (const auto& u : ranked.at("units")) rates[u.at("unit_id")] = u.at("on_time_rate");
    EXPECT_DOUBLE_EQ(rates.at(5).get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(rates.at(3).get<double>(), 0.6667);
    EXPECT_TRUE(rates.at(6).is_null());
}

}  // namespace
}  // namespace lantian::reports
