// The published ranking has one definition (reports::RankTerritories): the daily dispatch's
// bulletin ranks the territories exactly as GET /api/v1/reports/ranking does for the 30 days
// before the day, on a seeded random workload of the whole lifecycle.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/time.hpp"
#include "support/report_workload.hpp"

namespace lantian::reports {
namespace {

using nlohmann::json;

constexpr unsigned kSeed = 20261202;
constexpr const char* kFirstDay = "2026-09-01";
constexpr int kDays = 12;

struct Place {
    int rank;
    long long due, on_time;
    std::optional<double> rate;
    bool operator==(const Place&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Place& p) {
    return out << "rank " << p.rank << " (" << p.on_time << "/" << p.due << ")";
}

class RankingAgreement : public itest::ReportWorkloadTest {};

TEST_F(RankingAgreement, TheBulletinRanksTheTerritoriesAsTheReportsDoForItsThirtyDays) {
    SCOPED_TRACE("seed " + std::to_string(kSeed));
    int compared = 0;
    int rated = 0;
    int shared = 0;
    for (int d = 0; d < kDays; ++d) {
        const std::string day = AddDays(kFirstDay, d);
        clock_.Set(DistrictDayStart(day) + std::chrono::hours(8));
        const auto run = dispatch_->Run(day, "ranking-agreement");
        // Compared at the moment the bulletin froze, before the day's work changes the figures.
        const Ranking report = reports_->Rank({AddDays(day, -30), AddDays(day, -1)}, leader_);
        std::map<long long, Place> from_report;
        for (const auto& row : report.rows) {
            from_report[row.unit_id] = {row.rank, row.counts[Metric::kDue],
                                        row.counts[Metric::kOnTime], row.counts.OnTimeRate()};
        }
        std::map<long long, Place> from_bulletin;
        const json bulletin = json::parse(run.bulletin_json);
        for (const auto& r : bulletin.at("ranking")) {
            const auto& rate = r.at("on_time_rate");
            from_bulletin[r.at("unit_id").get<long long>()] = {
                r.at("rank").get<int>(), r.at("due").get<long long>(),
                r.at("on_time").get<long long>(),
                rate.is_null() ? std::nullopt : std::optional(rate.get<double>())};
        }
        EXPECT_EQ(from_bulletin, from_report) << day;
        ++compared;
        for (const auto& [unit, p] : from_report) {
            if (p.rate) ++rated;
            for (const auto& [other, q] : from_report) {
                if (other != unit && q.rank == p.rank && p.rate) ++shared;
            }
        }
        RunWorkload(kSeed + static_cast<unsigned>(d), day, 1);
        ASSERT_FALSE(HasFatalFailure());
    }
    // The comparison had something to compare: rates, and places shared by rated units.
    EXPECT_EQ(compared, kDays);
    EXPECT_GE(rated, kDays * 2);
    RecordProperty("rated_places", rated);
    RecordProperty("shared_places", shared);
}

}  // namespace
}  // namespace lantian::reports
