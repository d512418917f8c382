// The per-day aggregates (report_daily, kept by the statement triggers of migration 0007) stay
// equal to a recomputation from the ledger through a seeded random workload of the whole
// lifecycle through the real services (reports, inspections with findings fixed on the spot,
// triage, assignment by hand and by the daily dispatch, rectification, acceptance and returns)
// and direct SQL changes; every figure of the summary by unit and by day equals the issues
// behind its drill link; concurrent steps on one hot aggregate row lose nothing; a corrupted
// table is rebuilt; and a change of district zone re-buckets the days and back.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "db/transaction.hpp"
#include "support/report_workload.hpp"

namespace lantian::reports {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

constexpr unsigned kSeed = 20261101;
constexpr const char* kFirstDay = "2026-09-01";

TimePoint At(const std::string& rfc3339) {
    return *ParseRfc3339(rfc3339);
}

class ReportAggregates : public itest::ReportWorkloadTest {
protected:
    long long Count(const std::string& sql) { return std::stoll(QueryValue(sql)); }
};

TEST_F(ReportAggregates, EvidenceSubmittedBeforeTheDeadlineIsTakenAndNeverOverdue) {
    // The plainest case of all: assigned with 7 days to go, rectified an hour later.
    clock_.Set(At("2026-10-05T09:00:00+08:00"));
    const long long site = sites_.front();
    const long long id = ReportFinding(site, "other", 1, clock_.Now(), false);
    auto i = Load(id);
    i = issues_->Triage(id, i.version, {}, office_);
    i = issues_->Assign(id, i.version, {.lead_unit_id = jiaoxi_}, office_);
    clock_.Set(At("2026-10-05T10:00:00+08:00"));
    ASSERT_NO_THROW(
        i = issues_->Rectify(id, i.version, {"已整改到位", {photo_}}, HandlerOf(jiaoxi_)))
        << "evidence before the deadline must be accepted";
    EXPECT_EQ(i.status, "submitted");
    // Neither before nor after its deadline (10-12 09:00) is it overdue.
    const json s = Get("/api/v1/reports/summary?from=2026-10-05&to=2026-10-20&group_by=unit");
    ASSERT_TRUE(s.is_object());
    EXPECT_EQ(s.at("totals").at("submitted"), 1);
    EXPECT_EQ(s.at("totals").at("due"), 1);
    EXPECT_EQ(s.at("totals").at("overdue"), 0);
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
}

TEST_F(ReportAggregates, ASeededWorkloadKeepsTheAggregatesEqualToTheLedgerAndToEveryDrill) {
    constexpr int kDays = 10;
    SCOPED_TRACE("seed " + std::to_string(kSeed));
    RunWorkload(kSeed, kFirstDay, kDays);
    ASSERT_FALSE(HasFatalFailure());

    // The workload did what it says (it cannot pass by doing nothing).
    std::string summary;
    int operations = 0;
    for (const auto& [what, n] : done_) {
        summary += " " + what + "=" + std::to_string(n);
        if (what != "dispatch assigned" && what != "escalations") operations += n;
    }
    SCOPED_TRACE("operations:" + summary);
    EXPECT_GE(operations, 400);
    for (const char* what :
         {"reported", "fixed on the spot", "confirmed", "rejected", "assigned by hand",
          "dispatch assigned", "rectified", "accepted", "returned", "direct sql", "escalations"}) {
        EXPECT_GE(done_[what], 5) << what;
    }
    EXPECT_GE(Count("select count(*) from issues where return_count > 0 and status = 'closed'"), 3);

    // The triggers kept step with every change, services' and SQL's alike.
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    EXPECT_GT(Count("select count(*) from report_daily"), 100);

    // Over the whole period, by unit and by day, every figure is the number of issues its drill
    // link finds (the drill reads the ledger, the summary the aggregates).
    const std::string period =
        std::string("from=") + kFirstDay + "&to=" + AddDays(kFirstDay, kDays - 1);
    int compared = 0;
    for (const char* g : {"unit", "day", "category"}) {
        const json s = Get("/api/v1/reports/summary?" + period + "&group_by=" + g);
        ASSERT_TRUE(s.is_object());
        compared += ExpectFiguresEqualDrills(s);
        if (std::string(g) == "day") {
            EXPECT_EQ(s.at("rows").size(), static_cast<size_t>(kDays));
        }
        const json& t = s.at("totals");
        EXPECT_EQ(t.at("found"),
                  Count("select count(*) from issues where reported_at >= '" +
                        std::string(kFirstDay) + "T00:00:00+08:00' and reported_at < '" +
                        AddDays(kFirstDay, kDays) + "T00:00:00+08:00'"))
            << g;
        EXPECT_GT(t.at("closed").get<int>(), 20) << g;
        EXPECT_GT(t.at("reworked").get<int>(), 0) << g;
        EXPECT_GT(t.at("due").get<int>(), t.at("on_time").get<int>()) << g;
        EXPECT_GT(t.at("overdue").get<int>(), 0) << g;
    }
    EXPECT_GT(compared, 400);
    RecordProperty("operations", summary);
    RecordProperty("figures_compared", compared);
}

TEST_F(ReportAggregates, ConcurrentStepsOnOneHotAggregateRowLoseNoUpdate) {
    // 40 issues of one unit, category, site kind and day, taken by 4 threads at once through
    // rectification (every third returned once and rectified again) and acceptance, while the
    // same threads report 20 more findings on the same day: all of it lands on the same
    // report_daily rows.
    constexpr int kThreads = 4, kEach = 10, kNewEach = 5;
    clock_.Set(At("2026-10-05T09:00:00+08:00"));
    const long long site = std::stoll(
        QueryValue("select min(id) from sites where kind = 'restaurant' and subdistrict_id = " +
                   std::to_string(jiaoxi_)));
    std::vector<long long> ids;
    for (int n = 0; n < kThreads * kEach; ++n) {
        const long long id =
            ReportFinding(site, "fume_direct_emission", 1, clock_.Now() - minutes(30), false);
        auto i = issues_->Triage(id, 1, {}, office_);
        issues_->Assign(id, i.version, {.lead_unit_id = jiaoxi_}, office_);
        ids.push_back(id);
    }
    clock_.Set(At("2026-10-05T10:00:00+08:00"));
    const Actor handler = HandlerOf(jiaoxi_);
    std::mutex mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int n = 0; n < kEach; ++n) {
                    const long long id = ids[static_cast<size_t>(t * kEach + n)];
                    auto i =
                        issues_->Rectify(id, Load(id).version, {"已安装净化器", {photo_}}, handler);
                    if (n % 3 == 0) {
                        i = issues_->Verify(id, i.version, {false, "净化器未运行"}, supervisor_);
                        i = issues_->Rectify(id, i.version, {"已运行", {photo_}}, handler);
                    }
                    issues_->Verify(id, i.version, {true, "核查通过"}, supervisor_);
                    if (n < kNewEach) {
                        ReportFinding(site, "fume_direct_emission", 1, clock_.Now() - minutes(1),
                                      false);
                    }
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                errors.push_back("thread " + std::to_string(t) + ": " + e.what());
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(errors.empty()) << errors.front();

    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    const std::string key = " and unit_id = " + std::to_string(jiaoxi_) +
                            " and category = 'fume_direct_emission' and site_kind = 'restaurant'";
    // Reported, confirmed, assigned, submitted and closed on 10-05: 40 + 20 found; 4 of every
    // thread's 10 returned once (n = 0, 3, 6, 9).
    EXPECT_EQ(QueryValue("select row(found, confirmed, assigned, closed_of_assigned, submitted, "
                         "closed, reworked, rectified)::text from report_daily "
                         "where day = '2026-10-05'" +
                         key),
              "(60,40,40,40,40,40,16,40)");
    // Due 168 hours after assignment (or after the return), all met.
    EXPECT_EQ(QueryValue("select row(sum(due), sum(on_time))::text from report_daily "
                         "where day = '2026-10-12'" +
                         key),
              "(40,40)");
    const Summary s = reports_->Summarize({"2026-10-05", "2026-10-12"}, GroupBy::kUnit, leader_);
    EXPECT_EQ(s.totals[Metric::kFound], 60);
    EXPECT_EQ(s.totals[Metric::kClosed], 40);
    EXPECT_EQ(s.totals[Metric::kReworked], 16);
    EXPECT_EQ(s.totals[Metric::kOnTime], 40);
}

TEST_F(ReportAggregates, RebuildRestoresAggregatesCorruptedBehindTheTriggersBack) {
    RunWorkload(kSeed + 1, kFirstDay, 6);
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_EQ(reports_->Verify(), 0) << AggregateDiff();
    const std::string before = AggregateSnapshot();
    ASSERT_GT(Count("select count(*) from report_daily"), 20);
    // By category: read from report_daily itself (by unit and by day read its day × unit rollup).
    const std::string period = "from=2026-09-01&to=2026-09-06&group_by=category";
    const json right = Get("/api/v1/reports/summary?" + period);
    ASSERT_TRUE(right.is_object());

    // As the database superuser (the tests' role), past the triggers: one row's figure raised,
    // another row deleted, a row for no issue at all added.
    Execute(
        "update report_daily set found = found + 7 where (day, unit_id, subdistrict_id, "
        "category, site_kind) = (select day, unit_id, subdistrict_id, category, site_kind "
        "from report_daily where found > 0 and day >= '2026-09-01' order by 1, 2, 3, 4, 5 limit "
        "1)");
    Execute(
        "delete from report_daily where (day, unit_id, subdistrict_id, category, site_kind) = "
        "(select day, unit_id, subdistrict_id, category, site_kind from report_daily "
        "where due > 0 order by 1 desc, 2, 3, 4, 5 limit 1)");
    Execute(
        "insert into report_daily (day, unit_id, subdistrict_id, category, site_kind, found) "
        "values ('2026-12-31', " +
        std::to_string(jiaoxi_) + ", " + std::to_string(jiaoxi_) +
        ", 'other', 'farmers_market', 3)");
    // Verify sees each: the raised row twice (as kept and as recomputed), the others once.
    EXPECT_EQ(reports_->Verify(), 4) << AggregateDiff();
    const json wrong = Get("/api/v1/reports/summary?" + period);
    EXPECT_NE(wrong.at("totals").at("found"), right.at("totals").at("found"))
        << "the summary reads the aggregates";

    // The rollup behind the by-unit figures is checked and rebuilt too.
    Execute(
        "update report_daily_unit set due = due + 2 where (day, unit_id) = (select day, "
        "unit_id from report_daily_unit where due > 0 order by 1, 2 limit 1)");
    EXPECT_EQ(reports_->Verify(), 6) << AggregateDiff();

    reports_->Rebuild();
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    EXPECT_EQ(SnapshotDiff(before, AggregateSnapshot()), "");
    EXPECT_EQ(Get("/api/v1/reports/summary?" + period), right);
    EXPECT_EQ(QueryValue("select time_zone from district_settings"), "Asia/Shanghai");
}

TEST_F(ReportAggregates, AnotherDistrictZoneRebucketsTheDaysAndBack) {
    RunWorkload(kSeed + 2, kFirstDay, 5);
    ASSERT_FALSE(HasFatalFailure());
    // One finding of 23:30 Shanghai, which is 00:30 the next day in Tokyo.
    clock_.Set(At("2026-09-03T23:40:00+08:00"));
    ReportFinding(sites_.front(), "other", 1, At("2026-09-03T23:30:00+08:00"), false);
    const std::string shanghai = AggregateSnapshot();
    const auto found_by_day = [&](const std::string& zone) {
        return QueryValue(
            "select string_agg(d || ':' || n, ' ' order by d) from (select (reported_at at time "
            "zone '" +
            zone + "')::date::text as d, count(*) as n from issues group by 1) x");
    };
    const auto aggregated_found_by_day = [&] {
        return QueryValue(
            "select string_agg(d || ':' || n, ' ' order by d) from (select day::text as d, "
            "sum(found) as n from report_daily group by 1 having sum(found) > 0) x");
    };
    ASSERT_EQ(aggregated_found_by_day(), found_by_day("Asia/Shanghai"));
    ASSERT_NE(found_by_day("Asia/Tokyo"), found_by_day("Asia/Shanghai"));

    EXPECT_FALSE(reports_->EnsureZone("Asia/Shanghai")) << "already bucketed so";
    EXPECT_TRUE(reports_->EnsureZone("Asia/Tokyo"));
    EXPECT_EQ(QueryValue("select time_zone from district_settings"), "Asia/Tokyo");
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    EXPECT_EQ(aggregated_found_by_day(), found_by_day("Asia/Tokyo"));
    EXPECT_NE(SnapshotDiff(shanghai, AggregateSnapshot()), "");
    EXPECT_FALSE(reports_->EnsureZone("Asia/Tokyo")) << "a second call changes nothing";

    // Back: exactly the aggregates there were.
    EXPECT_TRUE(reports_->EnsureZone("Asia/Shanghai"));
    EXPECT_EQ(QueryValue("select time_zone from district_settings"), "Asia/Shanghai");
    EXPECT_EQ(SnapshotDiff(shanghai, AggregateSnapshot()), "");

    // While another zone is set, the triggers bucket new changes in it: a finding of 23:45 in
    // Shanghai, rectified the same evening, lands on Tokyo's next day, and Verify agrees.
    EXPECT_TRUE(reports_->EnsureZone("Asia/Tokyo"));
    clock_.Set(At("2026-09-06T23:50:00+08:00"));
    const long long late =
        ReportFinding(sites_.front(), "other", 3, At("2026-09-06T23:45:00+08:00"), true);
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    EXPECT_EQ(aggregated_found_by_day(), found_by_day("Asia/Tokyo"));
    EXPECT_EQ(Count("select coalesce(sum(submitted), 0) from report_daily where day = "
                    "'2026-09-07' and unit_id = (select subdistrict_id from issues where id = " +
                    std::to_string(late) + ")"),
              Count("select count(*) from issues where (submitted_at at time zone 'Asia/Tokyo')"
                    "::date = '2026-09-07' and coalesce(lead_unit_id, subdistrict_id) = "
                    "(select subdistrict_id from issues where id = " +
                    std::to_string(late) + ")"));
    EXPECT_TRUE(reports_->EnsureZone("Asia/Shanghai"));
    EXPECT_EQ(reports_->Verify(), 0) << AggregateDiff();
    EXPECT_EQ(aggregated_found_by_day(), found_by_day("Asia/Shanghai"));
}

}  // namespace
}  // namespace lantian::reports
