#include "seed/demo_history.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "evidence/blob_store.hpp"
#include "issues/audit_repository.hpp"
#include "seed/demo_seed.hpp"
#include "seed/demo_users.hpp"
#include "support/scratch_database.hpp"
#include "support/service_harness.hpp"

namespace lantian::seed {
namespace {

constexpr int kDays = 10;

// Rows of report_daily that differ from a recomputation from the ledger (zero rows ignored).
constexpr const char* kAggregatesDiffer = R"(
    select count(*) from (
        (select * from report_daily
         where (found, confirmed, assigned, closed_of_assigned, submitted, closed, reworked, due,
                on_time, rectified, rectify_seconds) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
         except all select * from report_daily_recomputed)
        union all
        (select * from report_daily_recomputed
         except all select * from report_daily
         where (found, confirmed, assigned, closed_of_assigned, submitted, closed, reworked, due,
                on_time, rectified, rectify_seconds) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))) d)";

// What the replay made, without ids that depend on the order users were created in.
constexpr const char* kFingerprint = R"(
    select md5(string_agg(concat_ws('|', i.id, i.site_id, i.category, i.severity, i.status,
                                    i.source, i.fixed_on_spot, i.reported_at, i.received_at,
                                    i.lead_unit_id, i.due_at, i.submitted_at, i.closed_at,
                                    i.return_count, i.escalation_level,
                                    array_to_string(i.rectification_photo_ids, ',')),
                          ';' order by i.id))
    from issues i)";

constexpr const char* kLedgerSize = R"(
    select (select count(*) from issues) || '/' || (select count(*) from issue_events) || '/' ||
           (select count(*) from dispatch_runs) || '/' || (select count(*) from escalations) ||
           '/' || (select count(*) from attachments) || '/' || (select count(*) from users))";

/// 15:00 district time on the latest Wednesday that has reached it: the replay ends there with
/// the same ten days (a morning's dispatch done, an afternoon's findings still open, the
/// weekends in the same places) whenever the test runs.
TimePoint LatestWednesdayAfternoon() {
    const TimePoint now = SystemClock().Now();
    for (std::string day = DistrictDate(now);; day = AddDays(day, -1)) {
        const TimePoint afternoon = DistrictDayStart(day) + std::chrono::hours(15);
        const std::chrono::weekday weekday{std::chrono::floor<std::chrono::days>(afternoon)};
        if (weekday == std::chrono::Wednesday && afternoon <= now) return afternoon;
    }
}

/// A seeded district with its demo users, and a service for the users and photos.
class DemoHistoryTest : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        harness_ = std::make_unique<itest::ServiceHarness>(database().url(), pool());
        auto conn = database().Connect();
        ASSERT_EQ(SeedDemoUsers(*conn, harness_->users()).size(), 10u);
    }
    void TearDown() override {
        harness_.reset();
        SeededDatabaseTest::TearDown();
    }

    HistoryResult Replay(db::Pool& pool, itest::ServiceHarness& harness, TimePoint until) {
        evidence::LocalBlobStore blobs(harness.blob_dir());
        HistoryOptions options;
        options.days = kDays;
        options.until = until;
        return SeedDemoHistory(pool, harness.users(), blobs, options);
    }

    std::unique_ptr<itest::ServiceHarness> harness_;
};

TEST_F(DemoHistoryTest, ReplaysDaysOfDistrictLifeThroughTheServicesOnce) {
    const TimePoint until = LatestWednesdayAfternoon();
    const HistoryResult result = Replay(pool(), *harness_, until);

    ASSERT_TRUE(result.replayed);
    EXPECT_EQ(result.days, kDays);
    EXPECT_GE(result.issues, kDays * 5) << "about 8-20 findings a day (fewer at weekends)";
    EXPECT_LE(result.issues, kDays * 20);
    EXPECT_EQ(QueryValue("select count(*) from issues"), std::to_string(result.issues));
    EXPECT_EQ(result.dispatch_runs, kDays) << "one dispatch a day, today's at 08:00 included";
    EXPECT_EQ(QueryValue("select count(*) from dispatch_runs"), std::to_string(kDays));
    EXPECT_GT(result.handlers_created, 0) << "the units that receive work need a handler";

    // Every state of the lifecycle, as a real ledger in mid-afternoon has them.
    EXPECT_EQ(QueryValue("select string_agg(status, ',' order by status) from "
                         "(select distinct status from issues) s"),
              "assigned,closed,confirmed,rejected,reported,submitted");
    EXPECT_EQ(QueryValue("select count(distinct source) > 1 from issues"), "t")
        << "hotline complaints beside the patrols";
    EXPECT_NE(QueryValue("select count(*) from issues where return_count > 0"), "0");
    EXPECT_NE(QueryValue("select count(*) from escalations"), "0");
    EXPECT_EQ(QueryValue("select count(*) from escalations e join issues i on i.id = e.issue_id "
                         "where e.unit_id <> i.lead_unit_id"),
              "0");

    // Nothing happened after `until` (never after the real now), nor before the first day.
    const std::string first_day = AddDays(DistrictDate(until), -(kDays - 1));
    EXPECT_EQ(QueryValue("select count(*) from issue_events where at > to_timestamp(" +
                         std::to_string(ToEpochMicros(until)) + "::float8 / 1e6) or at < '" +
                         first_day + "'::date::timestamp at time zone 'Asia/Shanghai'"),
              "0");

    // Only the lead unit's handler rectified, with a photo they uploaded and the store holds.
    EXPECT_EQ(QueryValue("select count(*) from issue_events e join issues i on i.id = e.issue_id "
                         "where e.action = 'submit' and (e.actor_role <> 'handler' "
                         "or e.actor_unit_id is distinct from i.lead_unit_id)"),
              "0");
    EXPECT_EQ(QueryValue(R"(
        select count(*) from issues i cross join unnest(i.rectification_photo_ids) p
        left join attachments a on a.sha256 = p left join users u on u.id = a.uploaded_by
        where not i.fixed_on_spot and i.submitted_at is not null
          and (u.role is distinct from 'handler' or u.unit_id is distinct from i.lead_unit_id))"),
              "0");
    const std::string photo = QueryValue("select min(sha256) from attachments");
    EXPECT_TRUE(
        std::filesystem::exists(harness_->blob_dir() / photo.substr(0, 2) / photo.substr(2)));

    // The audit trail is intact and the aggregates equal a recomputation.
    auto conn = database().Connect();
    const auto audit = issues::AuditRepository().Verify(*conn);
    EXPECT_FALSE(audit.first_bad_seq) << audit.problem;
    EXPECT_GT(audit.events, result.issues);
    EXPECT_EQ(QueryValue(kAggregatesDiffer), "0");

    // A second call finds the ledger full and adds nothing.
    const std::string before = QueryValue(kLedgerSize);
    const HistoryResult again = Replay(pool(), *harness_, until);
    EXPECT_FALSE(again.replayed);
    EXPECT_EQ(again.issues, 0);
    EXPECT_EQ(QueryValue(kLedgerSize), before);
}

TEST_F(DemoHistoryTest, DaysWhoseDispatchRanOnTheEmptyLedgerAreAssignedByTheOffice) {
    // A server ran before the history was seeded: its dispatches found nothing to do.
    const TimePoint until = LatestWednesdayAfternoon();
    const ManualClock clock(until);
    const dispatch::DispatchRepository repository;
    dispatch::DispatchService dispatch(pool(), clock, repository);
    for (int back = 0; back < 3; ++back) {
        ASSERT_TRUE(dispatch.Run(AddDays(DistrictDate(until), -back), "server").created);
    }

    const HistoryResult result = Replay(pool(), *harness_, until);

    ASSERT_TRUE(result.replayed);
    EXPECT_EQ(result.dispatch_runs, kDays - 3);
    EXPECT_EQ(
        QueryValue("select count(*) from dispatch_runs where assigned_count > 0 and day >= '" +
                   AddDays(DistrictDate(until), -2) + "'"),
        "0")
        << "the runs that were there stay as they were";
    EXPECT_NE(QueryValue("select count(*) from issue_events e join users u on u.id = e.actor_id "
                         "where e.action = 'assign' and u.username = 'huanweiban'"),
              "0")
        << "the office assigned those days' confirmed issues by hand";
    EXPECT_EQ(QueryValue("select count(*) from issues where status = 'confirmed' and triaged_at < "
                         "(select max(day) from dispatch_runs)::timestamp at time zone "
                         "'Asia/Shanghai' + interval '8 hours'"),
              "0")
        << "nothing confirmed before the last dispatch stays unassigned";
    auto conn = database().Connect();
    const auto audit = issues::AuditRepository().Verify(*conn);
    EXPECT_FALSE(audit.first_bad_seq) << audit.problem;
    EXPECT_EQ(QueryValue(kAggregatesDiffer), "0");
}

TEST_F(DemoHistoryTest, TheSameSeedAndEndGiveTheSameHistory) {
    const TimePoint until = LatestWednesdayAfternoon();
    ASSERT_TRUE(Replay(pool(), *harness_, until).replayed);
    const std::string first = QueryValue(kFingerprint);

    itest::ScratchDatabase other(itest::ScratchDatabase::Contents::kMigrated);
    {
        auto conn = other.Connect();
        SeedDemoDistrict(*conn);
        db::Pool other_pool(other.url(), 2, std::chrono::seconds(30));
        itest::ServiceHarness other_harness(other.url(), other_pool);
        SeedDemoUsers(*conn, other_harness.users());
        ASSERT_TRUE(Replay(other_pool, other_harness, until).replayed);
        const std::string second = db::InTransaction(other_pool, [](pqxx::transaction_base& tx) {
            return tx.exec1(kFingerprint)[0].as<std::string>();
        });
        EXPECT_EQ(second, first);
    }
}

}  // namespace
}  // namespace lantian::seed
