// Days are Asia/Shanghai days whatever the process's TZ (DOMAIN.md "Deadlines", issue 5 "Time is
// injected"): the district date and the scheduler's choice of days to run (DaysDue) at 23:59:59
// and 00:00:01 district time, with TZ=UTC and TZ=Asia/Shanghai; the dispatch time (default
// 08:00), catching up a day missed while the service was down, once, on start; and what a run
// for day D takes in: the issues confirmed up to its "now", and D-1 as the bulletin's yesterday.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_service.hpp"
#include "dispatch/scheduler.hpp"
#include "support/scratch_database.hpp"

namespace lantian::dispatch {
namespace {

using Days = std::vector<std::string>;
constexpr int kEight = 8 * 60;  // the default dispatch time, 08:00
constexpr const char* kZones[] = {"UTC", "Asia/Shanghai"};

TimePoint At(const std::string& rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    if (!t) throw std::runtime_error("bad time in test: " + rfc3339);
    return *t;
}

/// Sets the process's TZ for a scope, and puts back what was there.
class ProcessTimeZone {
public:
    explicit ProcessTimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) saved_ = old;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ProcessTimeZone() {
        if (saved_) {
            setenv("TZ", saved_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ProcessTimeZone(const ProcessTimeZone&) = delete;
    ProcessTimeZone& operator=(const ProcessTimeZone&) = delete;

    /// The process's own idea of the hour at `t` (to show the zone really changed).
    static int LocalHour(TimePoint t) {
        const std::time_t s =
            std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
        std::tm tm{};
        localtime_r(&s, &tm);
        return tm.tm_hour;
    }

private:
    std::optional<std::string> saved_;
};

TEST(DayBoundary, TheLastSecondBeforeShanghaiMidnightIsStillTheOldDayWhateverTheProcessZone) {
    const TimePoint t = At("2026-03-09T15:59:59Z");
    for (const char* zone : kZones) {
        SCOPED_TRACE(zone);
        ProcessTimeZone tz(zone);
        EXPECT_EQ(ProcessTimeZone::LocalHour(t), std::string(zone) == "UTC" ? 15 : 23);
        EXPECT_EQ(DistrictDate(t), "2026-03-09");
        EXPECT_EQ(DistrictMinuteOfDay(t), 23 * 60 + 59);
        EXPECT_EQ(DistrictDate(At("2026-12-31T15:59:59Z")), "2026-12-31");
    }
}

TEST(DayBoundary, OneSecondAfterShanghaiMidnightIsTheNewDayWhateverTheProcessZone) {
    const TimePoint t = At("2026-03-09T16:00:01Z");
    for (const char* zone : kZones) {
        SCOPED_TRACE(zone);
        ProcessTimeZone tz(zone);
        EXPECT_EQ(ProcessTimeZone::LocalHour(t), std::string(zone) == "UTC" ? 16 : 0);
        EXPECT_EQ(DistrictDate(t), "2026-03-10");
        EXPECT_EQ(DistrictMinuteOfDay(t), 0);
        EXPECT_EQ(DistrictDate(At("2026-12-31T16:00:01Z")), "2027-01-01");
    }
}

TEST(DayBoundary, TheSchedulerTurnsToTheNewDayAtShanghaiMidnightWhateverTheProcessZone) {
    // A dispatch time of 00:00 makes the day's boundary the only thing that matters.
    for (const char* zone : kZones) {
        SCOPED_TRACE(zone);
        ProcessTimeZone tz(zone);
        EXPECT_EQ(DaysDue(At("2026-03-09T15:59:59Z"), 0, "2026-03-09", false), Days{});
        EXPECT_EQ(DaysDue(At("2026-03-09T16:00:01Z"), 0, "2026-03-09", false), Days{"2026-03-10"});
        EXPECT_EQ(DaysDue(At("2026-03-09T16:00:01Z"), kEight, "2026-03-09", false), Days{});
        EXPECT_EQ(DaysDue(At("2026-03-10T00:00:00Z"), kEight, "2026-03-09", false),
                  Days{"2026-03-10"});  // 08:00 in Shanghai, midnight in UTC
    }
}

TEST(DayBoundary, NothingIsDueBeforeTheDispatchTime) {
    EXPECT_EQ(DaysDue(At("2026-03-10T07:59:59+08:00"), kEight, "2026-03-09", false), Days{});
    EXPECT_EQ(DaysDue(At("2026-03-10T07:59:59+08:00"), kEight, "2026-03-09", true), Days{});
    EXPECT_EQ(DaysDue(At("2026-03-10T17:29:59+08:00"), 17 * 60 + 30, "2026-03-09", false), Days{});
}

TEST(DayBoundary, TodayIsDueFromTheDispatchTimeUntilMidnight) {
    for (const char* now :
         {"2026-03-10T08:00:00+08:00", "2026-03-10T08:00:01+08:00", "2026-03-10T23:59:59+08:00"}) {
        EXPECT_EQ(DaysDue(At(now), kEight, "2026-03-09", false), Days{"2026-03-10"}) << now;
    }
    EXPECT_EQ(DaysDue(At("2026-03-10T17:30:00+08:00"), 17 * 60 + 30, "2026-03-09", false),
              Days{"2026-03-10"});
}

TEST(DayBoundary, NothingIsDueOnceTodayHasRun) {
    EXPECT_EQ(DaysDue(At("2026-03-10T09:00:00+08:00"), kEight, "2026-03-10", false), Days{});
    EXPECT_EQ(DaysDue(At("2026-03-10T09:00:00+08:00"), kEight, "2026-03-10", true), Days{});
}

TEST(DayBoundary, OnStartADayMissedWhileDownIsCaughtUpOnceBeforeToday) {
    const TimePoint morning = At("2026-03-10T09:00:00+08:00");
    const TimePoint dawn = At("2026-03-10T07:00:00+08:00");
    EXPECT_EQ(DaysDue(morning, kEight, "2026-03-08", true), (Days{"2026-03-09", "2026-03-10"}));
    EXPECT_EQ(DaysDue(dawn, kEight, "2026-03-08", true), Days{"2026-03-09"});
    // Only on start: a running scheduler does not go back.
    EXPECT_EQ(DaysDue(morning, kEight, "2026-03-08", false), Days{"2026-03-10"});
    EXPECT_EQ(DaysDue(morning, kEight, "2026-03-09", true), Days{"2026-03-10"});
}

TEST(DayBoundary, ADistrictThatNeverRanCatchesNothingUp) {
    EXPECT_EQ(DaysDue(At("2026-03-10T09:00:00+08:00"), kEight, std::nullopt, true),
              Days{"2026-03-10"});
    EXPECT_EQ(DaysDue(At("2026-03-10T07:00:00+08:00"), kEight, std::nullopt, true), Days{});
}

using TestClock = ManualClock;

class DayBoundaryRun : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        itest::SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        jiaoxi_ = UnitId("JF-SD-JIAOXI");
        reporter_ = QueryValue(
            "insert into users (username, display_name, role, password_hash) values "
            "('inspector.day', '巡查员', 'inspector', 'x') returning id");
        dispatch_ = std::make_unique<DispatchService>(pool(), clock_, repository_);
    }

    /// A finding at a 焦西 residential compound, received at `received`.
    long long Issue(const std::string& status, const std::string& received) {
        return std::stoll(QueryValue(
            "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
            "  severity, description, source, status, reported_by, reported_at, received_at) "
            "select gen_random_uuid(), id, subdistrict_id, kind, 'other', 1, '跨日测试', "
            "  'patrol', '" +
            status + "', " + reporter_ + ", '" + received + "'::timestamptz, '" + received +
            "'::timestamptz from sites where kind = 'residential_compound' and "
            "subdistrict_id = " +
            std::to_string(jiaoxi_) + " order by id limit 1 returning id"));
    }

    TestClock clock_;
    long long jiaoxi_ = 0;
    std::string reporter_;
    DispatchRepository repository_;
    std::unique_ptr<DispatchService> dispatch_;
};

TEST_F(DayBoundaryRun, ARunAssignsWhatWasConfirmedUpToItsNowAndStampsItWithThatNow) {
    const long long last_night = Issue("confirmed", "2026-03-09T23:59:59+08:00");
    const long long this_morning = Issue("confirmed", "2026-03-10T07:59:59+08:00");
    clock_.Set(At("2026-03-10T08:00:00+08:00"));
    const DispatchRun run = dispatch_->Run("2026-03-10", "day-boundary");
    EXPECT_EQ(run.assigned_ids, (std::vector<long long>{last_night, this_morning}));
    EXPECT_EQ(run.run_at, clock_.Now());
    EXPECT_EQ(QueryValue("select count(*) from issues where status = 'assigned' and "
                         "assigned_at = '2026-03-10T08:00:00+08:00' and "
                         "due_at = '2026-03-17T08:00:00+08:00'"),
              "2");
}

TEST_F(DayBoundaryRun, TheBulletinsYesterdayIsThePreviousShanghaiDayWhateverTheProcessZone) {
    struct Case {
        const char* zone;
        std::string day, yesterday, before_yesterday;
    };
    const Case cases[] = {{"UTC", "2026-03-10", "2026-03-09", "2026-03-08"},
                          {"Asia/Shanghai", "2026-06-20", "2026-06-19", "2026-06-18"}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.zone);
        ProcessTimeZone tz(c.zone);
        Issue("reported", c.before_yesterday + "T23:59:59+08:00");  // not yesterday
        Issue("reported", c.yesterday + "T00:00:00+08:00");         // yesterday's first second
        Issue("reported", c.yesterday + "T23:59:59+08:00");         // and its last
        Issue("reported", c.day + "T00:00:00+08:00");               // today
        clock_.Set(At(c.day + "T08:00:00+08:00"));
        const auto bulletin = nlohmann::json::parse(dispatch_->Run(c.day, "tz").bulletin_json);
        EXPECT_EQ(At(bulletin["period"]["from"].get<std::string>()),
                  At(c.yesterday + "T00:00:00+08:00"));
        EXPECT_EQ(At(bulletin["period"]["to"].get<std::string>()), At(c.day + "T00:00:00+08:00"));
        bool found = false;
        for (const auto& row : bulletin["units"]) {
            if (row["unit_id"] != jiaoxi_) continue;
            found = true;
            EXPECT_EQ(row["new"], 2);
        }
        EXPECT_TRUE(found);
    }
}

TEST_F(DayBoundaryRun, ADayThatHasNotBegunInShanghaiCannotBeRunAheadOfTime) {
    // At 23:59:59 on 9 March the office (or a replica with a skewed clock) asks for 10 March.
    // Running it now would freeze a bulletin whose "yesterday" is not over and use up the day:
    // its real 08:00 run would find it done and assign nothing.
    clock_.Set(At("2026-03-09T15:59:59Z"));
    Issue("confirmed", "2026-03-09T20:00:00+08:00");
    try {
        const DispatchRun early = dispatch_->Run("2026-03-10", "ahead-of-time");
        ADD_FAILURE() << "a run for 2026-03-10 was made on 2026-03-09 (created=" << early.created
                      << ")";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kValidation);
    }
    EXPECT_EQ(QueryValue("select count(*) from dispatch_runs"), "0");

    clock_.Set(At("2026-03-09T16:00:01Z"));  // 00:00:01 on 10 March: the day has begun
    EXPECT_TRUE(dispatch_->Run("2026-03-10", "on-the-day").created);
}

TEST_F(DayBoundaryRun, AServiceStartingWhileTheDatabaseIsAwayStillCatchesUpTheMissedDay) {
    // The district ran on 8 March, the service was down on the 9th, and it starts again on the
    // 10th at 09:00 while PostgreSQL does not yet take connections (promise 6: it comes back).
    clock_.Set(At("2026-03-08T08:00:00+08:00"));
    ASSERT_TRUE(dispatch_->Run("2026-03-08", "before-the-outage").created);
    clock_.Set(At("2026-03-10T09:00:00+08:00"));
    pqxx::connection admin(db::WithConnectDefaults(std::getenv("LANTIAN_TEST_ADMIN_URL")));
    const auto allow = [&](bool yes) {
        pqxx::nontransaction tx(admin);
        tx.exec("alter database " + tx.quote_name(database().name()) + " allow_connections " +
                (yes ? "true" : "false"));
    };
    allow(false);
    db::Pool service_pool(database().url(), 2, std::chrono::seconds(2));
    DispatchService service(service_pool, clock_, repository_);
    Scheduler scheduler(service, clock_, kEight, std::chrono::seconds(1));
    scheduler.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    allow(true);
    std::string days;
    for (int i = 0; i < 100 && days.find("2026-03-10") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        days = QueryValue(
            "select coalesce(string_agg(day::text, ',' order by day), '') "
            "from dispatch_runs");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more ticks
    scheduler.Stop();
    EXPECT_EQ(QueryValue("select string_agg(day::text, ',' order by day) from dispatch_runs"),
              "2026-03-08,2026-03-09,2026-03-10")
        << "the day missed while the service was down was never caught up";
}

}  // namespace
}  // namespace lantian::dispatch
