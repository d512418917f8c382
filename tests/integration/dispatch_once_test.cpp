// RELIABILITY promise 5: the daily dispatch runs exactly once per day across replicas, crashes
// and re-runs. A second run for the day returns the first and changes nothing; eight runs of
// one day at the same moment make one run that assigns each issue once; a run that fails or
// loses its database session midway leaves the day absent and the ledger untouched, and a rerun
// completes it.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_service.hpp"
#include "support/scratch_database.hpp"

namespace lantian::dispatch {
namespace {

using std::chrono::hours;

using TestClock = ManualClock;

constexpr int kRunners = 8;

class DispatchOnce : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        itest::SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        clock_.Set(*ParseRfc3339("2026-03-10T08:00:00+08:00"));
        reporter_ = QueryValue(
            "insert into users (username, display_name, role, password_hash) values "
            "('inspector.once', '巡查员', 'inspector', 'x') returning id");
        dispatch_ = std::make_unique<DispatchService>(pool(), clock_, repository_);
    }

    std::string Day() const { return DistrictDate(clock_.Now()); }

    /// `n` confirmed findings spread over the district's sites, of every severity.
    void Confirm(int n) {
        Execute(
            "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
            "  severity, description, source, status, reported_by, reported_at) "
            "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, 'other', 1 + g % 3, "
            "  '待交办', 'patrol', 'confirmed', " +
            reporter_ +
            ", now() "
            "from generate_series(1, " +
            std::to_string(n) +
            ") g "
            "join sites s on s.id = 1 + (g * 7) % 400");
    }

    /// `n` issues assigned to their subdistrict and overdue by 1 to n days (and a second).
    void Overdue(int n) {
        Execute(
            "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
            "  severity, description, source, status, reported_by, reported_at, "
            "  lead_unit_id, assigned_at, due_at) "
            "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, 'other', 1, '超期', "
            "  'patrol', 'assigned', " +
            reporter_ +
            ", now(), s.subdistrict_id, "
            "  '" +
            FormatDistrictTime(clock_.Now()) +
            "'::timestamptz - interval '20 days', "
            "  '" +
            FormatDistrictTime(clock_.Now()) +
            "'::timestamptz "
            "    - make_interval(days => g, secs => 1) "
            "from generate_series(1, " +
            std::to_string(n) +
            ") g "
            "join sites s on s.id = g");
    }

    /// Everything a run could change, as one string.
    std::string Fingerprint() {
        return QueryValue(
            "select concat_ws(' | ', "
            "  (select string_agg(id || ':' || status || ':v' || version || ':e' || "
            "     escalation_level, ',' order by id) from issues), "
            "  (select count(*) from issue_events), (select count(*) from issue_assignments), "
            "  (select count(*) from escalations), "
            "  (select string_agg(day || ':' || assigned_count || ':' || escalation_count || ':' "
            "     || md5(bulletin::text), ',' order by day) from dispatch_runs))");
    }

    /// Waits for a backend of this database in `wait_event`; returns its pid or 0.
    int BackendWaitingOn(const std::string& wait_event) {
        auto conn = database().Connect();
        for (int i = 0; i < 400; ++i) {
            pqxx::nontransaction q(*conn);
            const auto r = q.exec(
                "select pid from pg_stat_activity where datname = "
                "current_database() and wait_event = " +
                q.quote(wait_event));
            if (!r.empty()) return r[0][0].as<int>();
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return 0;
    }

    void ExpectEveryIssueAssignedOnce(int issues) {
        EXPECT_EQ(QueryValue("select count(*) from issues where status = 'confirmed'"), "0");
        EXPECT_EQ(QueryValue("select count(*) from (select issue_id from issue_assignments "
                             "where ended_at is null group by issue_id) a"),
                  std::to_string(issues));
        EXPECT_EQ(QueryValue("select count(*) from issue_assignments where ended_at is null"),
                  std::to_string(issues));
        EXPECT_EQ(QueryValue("select count(*) from issue_events where action = 'dispatch_assign'"),
                  std::to_string(issues));
        EXPECT_EQ(QueryValue("select count(distinct issue_id) from issue_events "
                             "where action = 'dispatch_assign'"),
                  std::to_string(issues));
    }

    TestClock clock_;
    std::string reporter_;
    DispatchRepository repository_;
    std::unique_ptr<DispatchService> dispatch_;
};

TEST_F(DispatchOnce, ASecondRunForTheSameDayReturnsTheFirstAndChangesNothing) {
    Confirm(30);
    Overdue(10);
    const DispatchRun first = dispatch_->Run(Day(), "first");
    ASSERT_TRUE(first.created);
    EXPECT_EQ(first.assigned_count, 30);
    EXPECT_GT(first.escalation_count, 10);
    const std::string after_first = Fingerprint();

    // Later that day the office triggers it by hand; more findings have been confirmed and
    // the overdue issues have grown later still.
    clock_.Set(clock_.Now() + hours(9));
    Confirm(5);
    const std::string before_second = Fingerprint();
    const DispatchRun second = dispatch_->Run(Day(), "manual");
    EXPECT_FALSE(second.created);
    EXPECT_EQ(second.run_at, first.run_at);
    EXPECT_EQ(second.assigned_ids, first.assigned_ids);
    EXPECT_EQ(second.escalation_count, first.escalation_count);
    EXPECT_EQ(second.bulletin_json, first.bulletin_json);
    EXPECT_EQ(Fingerprint(), before_second);
    EXPECT_NE(before_second, after_first);  // the 5 new ones exist, and stay confirmed
    EXPECT_EQ(QueryValue("select count(*) from issues where status = 'confirmed'"), "5");
}

TEST_F(DispatchOnce, EightSimultaneousRunsOfADayMakeOneRunThatAssignsEachIssueOnce) {
    Overdue(20);
    int issues = 0;
    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE("day " + Day());
        Confirm(150);
        issues += 150;
        std::barrier start(kRunners);
        std::vector<std::optional<DispatchRun>> runs(kRunners);
        std::vector<std::string> errors(kRunners);
        std::vector<std::thread> runners;
        for (int r = 0; r < kRunners; ++r) {
            runners.emplace_back([&, r] {
                start.arrive_and_wait();
                try {
                    runs[r] = dispatch_->Run(Day(), "replica-" + std::to_string(r));
                } catch (const std::exception& e) {
                    errors[r] = e.what();
                }
            });
        }
        for (auto& t : runners) t.join();
        int created = 0;
        for (int r = 0; r < kRunners; ++r) {
            EXPECT_EQ(errors[r], "") << "runner " << r;
            if (!runs[r]) continue;
            created += runs[r]->created ? 1 : 0;
            EXPECT_EQ(runs[r]->assigned_count, 150) << "runner " << r;
            EXPECT_EQ(runs[r]->assigned_ids,
                      runs[0] ? runs[0]->assigned_ids : runs[r]->assigned_ids);
            EXPECT_EQ(runs[r]->bulletin_json, runs[0] ? runs[0]->bulletin_json : "");
        }
        EXPECT_EQ(created, 1);
        ExpectEveryIssueAssignedOnce(issues);
        clock_.Set(clock_.Now() + hours(24));
    }
    EXPECT_EQ(QueryValue("select count(*) from dispatch_runs"), "3");
    EXPECT_EQ(QueryValue("select count(*) from (select issue_id, level from escalations "
                         "group by 1, 2 having count(*) > 1) d"),
              "0");
}

TEST_F(DispatchOnce, ARunThatFailsAfterItsAssignmentsLeavesTheDayAbsentAndARerunCompletesIt) {
    Confirm(40);
    Overdue(5);
    // The last step (completing the run row) fails, after the assignments were made.
    Execute(R"(
        create function fail_dispatch() returns trigger language plpgsql as $$
        begin
            if exists (select 1 from issues where status = 'confirmed') then
                raise exception 'the test expected the assignments first';
            end if;
            raise exception 'injected failure after the assignments';
        end $$;
        create trigger fail_dispatch before update on dispatch_runs
            for each row execute function fail_dispatch();)");
    const std::string before = Fingerprint();
    try {
        dispatch_->Run(Day(), "doomed");
        ADD_FAILURE() << "the injected failure did not stop the run";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    }
    EXPECT_EQ(Fingerprint(), before);
    EXPECT_FALSE(dispatch_->LatestDay().has_value());

    Execute("drop trigger fail_dispatch on dispatch_runs");
    const DispatchRun rerun = dispatch_->Run(Day(), "rerun");
    EXPECT_TRUE(rerun.created);
    EXPECT_EQ(rerun.assigned_count, 40);
    EXPECT_EQ(rerun.escalation_count, 1 + 1 + 2 + 2 + 2);  // 1 d 1 s .. 5 d 1 s late
    ExpectEveryIssueAssignedOnce(40);
    EXPECT_EQ(dispatch_->LatestDay(), Day());
}

TEST_F(DispatchOnce, ARunWhoseSessionIsKilledMidwayLeavesTheDayAbsentAndARerunCompletesIt) {
    Confirm(40);
    Overdue(3);
    // The run stalls on its first escalation (after the assignments) until it is killed, as a
    // crashed replica's session would be.
    Execute(R"(
        create function stall_dispatch() returns trigger language plpgsql as $$
        begin
            perform pg_sleep(60);
            return new;
        end $$;
        create trigger stall_dispatch before insert on escalations
            for each row execute function stall_dispatch();)");
    const std::string before = Fingerprint();
    std::string failure;
    std::thread runner([&] {
        try {
            dispatch_->Run(Day(), "killed");
            failure = "(none)";
        } catch (const std::exception& e) {
            failure = e.what();
        }
    });
    const int pid = BackendWaitingOn("PgSleep");
    ASSERT_NE(pid, 0) << "the run never reached its escalations";
    Execute("select pg_terminate_backend(" + std::to_string(pid) + ")");
    runner.join();
    EXPECT_NE(failure, "(none)");
    EXPECT_EQ(Fingerprint(), before);
    EXPECT_FALSE(dispatch_->LatestDay().has_value());

    Execute("drop trigger stall_dispatch on escalations");
    const DispatchRun rerun = dispatch_->Run(Day(), "rerun");
    EXPECT_TRUE(rerun.created);
    EXPECT_EQ(rerun.assigned_count, 40);
    ExpectEveryIssueAssignedOnce(40);
}

}  // namespace
}  // namespace lantian::dispatch
