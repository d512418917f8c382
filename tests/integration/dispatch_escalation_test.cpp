// The escalation ladder of the daily dispatch (DOMAIN.md "Issues and their lifecycle"): level 1
// 督办 on becoming overdue; level 2 约谈 when overdue more than 3 days or returned twice; level 3
// 问责 when overdue more than 7 days or returned three times. Each level once per issue,
// addressed to the lead unit, recorded on the issue with an audit event, never rewritten.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_service.hpp"
#include "issues/audit_repository.hpp"
#include "support/scratch_database.hpp"

namespace lantian::dispatch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr auto kDay = hours(24);

TimePoint At(const std::string& rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    if (!t) throw std::runtime_error("bad time in test: " + rfc3339);
    return *t;
}

using TestClock = ManualClock;

class EscalationLadder : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        itest::SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        clock_.Set(At("2026-03-10T08:00:00+08:00"));
        reporter_ = QueryValue(
            "insert into users (username, display_name, role, password_hash) values "
            "('inspector.ladder', '巡查员', 'inspector', 'x') returning id");
        chengguan_ = UnitId("JF-DEPT-CHENGGUAN");
        dispatch_ = std::make_unique<DispatchService>(pool(), clock_, repository_);
    }

    /// An issue of a restaurant assigned to 城管 (with the subdistrict beside), its deadline
    /// `late` before the clock's now (negative: still ahead), returned `returns` times.
    long long Assigned(std::chrono::microseconds late, int returns = 0,
                       const std::string& status = "assigned") {
        const TimePoint due = clock_.Now() - late;
        return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
            return tx
                .exec_params1(
                    "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
                    "  severity, description, source, status, reported_by, reported_at, "
                    "  received_at, lead_unit_id, co_unit_ids, assigned_at, due_at, "
                    "  submitted_at, return_count) "
                    "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, "
                    "  'fume_direct_emission', 1, '升级测试', 'patrol', $1, $2, "
                    "  $3::timestamptz - interval '8 days', $3::timestamptz - interval '8 days', "
                    "  $4, array[s.subdistrict_id], $3::timestamptz - interval '7 days', "
                    "  $3::timestamptz, case when $1 = 'submitted' then $3::timestamptz end, $5 "
                    "from sites s where s.kind = 'restaurant' order by s.id limit 1 "
                    "returning id",
                    status, reporter_, FormatDistrictTime(due), chengguan_, returns)[0]
                .as<long long>();
        });
    }

    DispatchRun RunToday() { return dispatch_->Run(DistrictDate(clock_.Now()), "ladder-test"); }

    /// The levels raised for an issue, lowest first.
    std::vector<int> RaisedLevels(long long issue) {
        std::vector<int> out;
        for (const auto& e : dispatch_->Escalations({.issue_id = issue}, office_)) {
            out.push_back(e.level);
        }
        return out;
    }

    std::string Count(const std::string& from_where) {
        return QueryValue("select count(*) from " + from_where);
    }

    TestClock clock_;
    std::string reporter_;
    long long chengguan_ = 0;
    Actor office_ = WithVisibility({.user_id = 1, .role = Role::kOffice});
    DispatchRepository repository_;
    std::unique_ptr<DispatchService> dispatch_;
};

using Levels = std::vector<int>;

TEST_F(EscalationLadder, AnIssueWithinItsDeadlineIsNotEscalated) {
    const long long ahead = Assigned(-seconds(1));
    const long long due_now = Assigned(seconds(0));  // due at the run's very instant: not late
    EXPECT_EQ(RunToday().escalation_count, 0);
    EXPECT_EQ(RaisedLevels(ahead), Levels{});
    EXPECT_EQ(RaisedLevels(due_now), Levels{});
}

TEST_F(EscalationLadder, OneSecondOverdueRaisesASupervisedHandlingNoticeOnly) {
    const long long id = Assigned(seconds(1));
    EXPECT_EQ(RunToday().escalation_count, 1);
    EXPECT_EQ(RaisedLevels(id), Levels{1});
}

TEST_F(EscalationLadder, ExactlyThreeDaysOverdueIsStillLevelOneAndASecondMoreIsASummons) {
    const long long three_days = Assigned(3 * kDay);
    const long long and_a_second = Assigned(3 * kDay + seconds(1));
    RunToday();
    EXPECT_EQ(RaisedLevels(three_days), Levels{1});
    EXPECT_EQ(RaisedLevels(and_a_second), (Levels{1, 2}));
}

TEST_F(EscalationLadder, SevenDaysAndOneSecondOverdueIsReferredForAccountability) {
    const long long seven_days = Assigned(7 * kDay);
    const long long and_a_second = Assigned(7 * kDay + seconds(1));
    RunToday();
    EXPECT_EQ(RaisedLevels(seven_days), (Levels{1, 2}));
    EXPECT_EQ(RaisedLevels(and_a_second), (Levels{1, 2, 3}));
}

TEST_F(EscalationLadder, ReturnedTwiceIsASummonsEvenWithinTheDeadline) {
    const long long reworking = Assigned(-kDay, 2);
    const long long resubmitted = Assigned(-kDay, 2, "submitted");
    const long long returned_once = Assigned(-kDay, 1);
    RunToday();
    EXPECT_EQ(RaisedLevels(reworking), Levels{2});
    EXPECT_EQ(RaisedLevels(resubmitted), Levels{2});
    EXPECT_EQ(RaisedLevels(returned_once), Levels{});
}

TEST_F(EscalationLadder, ReturnedThreeTimesIsReferredForAccountability) {
    const long long id = Assigned(-kDay, 3);
    RunToday();
    EXPECT_EQ(RaisedLevels(id), (Levels{2, 3}));
    EXPECT_EQ(QueryValue("select escalation_level from issues where id = " + std::to_string(id)),
              "3");
}

TEST_F(EscalationLadder, EachLevelIsRaisedOnceHoweverManyDaysTheIssueStaysLate) {
    const long long id = Assigned(seconds(1));
    const TimePoint first = clock_.Now();
    // Ten mornings in a row, late by 1 s, 1 d + 1 s, ...: level 1 comes on the first, level 2
    // on the fourth (3 d + 1 s late) and level 3 on the eighth (7 d + 1 s late), and no more.
    std::vector<int> counts;
    for (int day = 0; day < 10; ++day) {
        clock_.Set(first + day * kDay);
        counts.push_back(RunToday().escalation_count);
    }
    EXPECT_EQ(counts, (std::vector<int>{1, 0, 0, 1, 0, 0, 0, 1, 0, 0}));
    EXPECT_EQ(RaisedLevels(id), (Levels{1, 2, 3}));
    EXPECT_EQ(Count("escalations"), "3");
    const auto raised = dispatch_->Escalations({.issue_id = id}, office_);
    ASSERT_EQ(raised.size(), 3u);
    EXPECT_EQ(raised[0].raised_at, first);
    EXPECT_EQ(raised[0].dispatch_day, DistrictDate(first));
    EXPECT_EQ(raised[1].raised_at, first + 3 * kDay);
    EXPECT_EQ(raised[2].raised_at, first + 7 * kDay);
}

TEST_F(EscalationLadder, EscalationsAreAddressedToTheLeadUnitNotTheCoUnits) {
    const long long id = Assigned(8 * kDay);
    RunToday();
    const auto raised = dispatch_->Escalations({.issue_id = id}, office_);
    ASSERT_EQ(raised.size(), 3u);
    for (const auto& e : raised) EXPECT_EQ(e.unit_id, chengguan_) << "level " << e.level;
    EXPECT_EQ(raised[0].reason, "超期未整改");
    EXPECT_EQ(raised[1].reason, "超期超过3天");
    EXPECT_EQ(raised[2].reason, "超期超过7天");

    // The lead unit's handler finds them; the subdistrict beside it (a co-unit) does not.
    const long long territory = std::stoll(
        QueryValue("select subdistrict_id from issues where id = " + std::to_string(id)));
    const Actor lead =
        WithVisibility({.user_id = 1, .role = Role::kHandler, .unit_id = chengguan_});
    const Actor co = WithVisibility({.user_id = 1, .role = Role::kHandler, .unit_id = territory});
    EXPECT_EQ(dispatch_->Escalations({}, lead).size(), 3u);
    EXPECT_TRUE(dispatch_->Escalations({}, co).empty());
    EXPECT_TRUE(dispatch_->Escalations({.unit_id = chengguan_}, co).empty());
}

TEST_F(EscalationLadder, TheIssueCarriesItsLevelWithAnEscalateEventForEachRunThatRaisesIt) {
    const long long id = Assigned(3 * kDay + seconds(1));
    const std::string where = " where issue_id = " + std::to_string(id);
    RunToday();
    EXPECT_EQ(QueryValue("select escalation_level || ' v' || version from issues where id = " +
                         std::to_string(id)),
              "2 v2");
    EXPECT_EQ(Count("issue_events" + where + " and action = 'escalate'"), "1");
    const auto event = nlohmann::json::parse(
        QueryValue("select json_build_object('role', actor_role, 'before', before, 'after', after) "
                   "from issue_events" +
                   where + " and action = 'escalate'"));
    EXPECT_EQ(event["role"], "system");
    EXPECT_EQ(event["before"]["escalation_level"], 0);
    EXPECT_EQ(event["after"]["escalation_level"], 2);
    EXPECT_EQ(event["after"]["version"], 2);

    clock_.Set(clock_.Now() + kDay);
    RunToday();  // nothing new: no event, no version
    EXPECT_EQ(Count("issue_events" + where), "1");
    clock_.Set(clock_.Now() + 4 * kDay);
    RunToday();  // level 3
    EXPECT_EQ(Count("issue_events" + where + " and action = 'escalate'"), "2");
    EXPECT_EQ(QueryValue("select escalation_level from issues where id = " + std::to_string(id)),
              "3");
}

TEST_F(EscalationLadder, AnEscalationCanBeNeitherRewrittenNorRemoved) {
    Assigned(8 * kDay);
    RunToday();
    EXPECT_THROW(Execute("update escalations set level = 1, reason = '撤销'"), pqxx::sql_error);
    EXPECT_THROW(Execute("delete from escalations"), pqxx::sql_error);
    EXPECT_EQ(QueryValue("select string_agg(level || reason, ',' order by level) "
                         "from escalations"),
              "1超期未整改,2超期超过3天,3超期超过7天");
}

TEST_F(EscalationLadder, TheAuditChainStaysIntactAcrossRunsThatAssignAndEscalate) {
    for (int n = 0; n < 5; ++n) Assigned(n * 2 * kDay + seconds(1), n % 4);
    Execute(
        "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
        "  severity, description, source, status, reported_by, reported_at) "
        "select gen_random_uuid(), id, subdistrict_id, kind, 'other', 2, '待交办', 'patrol', "
        "  'confirmed', " +
        reporter_ + ", now() from sites where id % 40 = 0");
    for (int day = 0; day < 4; ++day) {
        RunToday();
        clock_.Set(clock_.Now() + 2 * kDay);
    }
    auto conn = database().Connect();
    const auto verdict = issues::AuditRepository().Verify(*conn);
    EXPECT_FALSE(verdict.first_bad_seq.has_value()) << verdict.problem;
    EXPECT_EQ(std::to_string(verdict.events), Count("issue_events"));
    EXPECT_GT(verdict.events, 10);
}

TEST_F(EscalationLadder, AnIssueAcceptedWhileTheRunEscalatesItDoesNotAbortTheRun) {
    // Returned twice and resubmitted: due a summons. The supervisor accepts it (销号) at the
    // moment the dispatch runs; the acceptance commits while the run waits on the row.
    const long long id = Assigned(-kDay, 2, "submitted");
    Assigned(seconds(1));  // and another issue the run must escalate regardless
    auto supervisor = database().Connect();
    pqxx::work accept(*supervisor);
    accept.exec(
        "update issues set status = 'closed', closed_at = now(), version = version + 1 "
        "where id = " +
        std::to_string(id));
    std::optional<DispatchRun> run;
    std::string failure;
    std::thread dispatcher([&] {
        try {
            run = RunToday();
        } catch (const std::exception& e) {
            failure = e.what();
        }
    });
    auto watcher = database().Connect();
    for (int i = 0; i < 200; ++i) {
        pqxx::nontransaction q(*watcher);
        if (q.exec1("select count(*) from pg_stat_activity where datname = current_database() "
                    "and wait_event_type = 'Lock'")[0]
                .as<int>() > 0) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    accept.commit();
    dispatcher.join();
    EXPECT_EQ(failure, "") << "an ordinary acceptance made the day's dispatch fail";
    EXPECT_TRUE(run.has_value() && run->created);
    EXPECT_EQ(QueryValue("select status from issues where id = " + std::to_string(id)), "closed");
}

}  // namespace
}  // namespace lantian::dispatch
