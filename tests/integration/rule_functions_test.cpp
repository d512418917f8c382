// The rules that SQL evaluates over many rows and the service asks for one issue at a time
// (migration 0008): deadline_hours, is_overdue, escalation_levels_due. Table-driven at each
// threshold, so a regulation change is one edit there and one row here.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "issues/issue.hpp"
#include "issues/rules_repository.hpp"
#include "support/scratch_database.hpp"

namespace lantian::issues {
namespace {

TimePoint At(const std::string& rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    if (!t) throw std::runtime_error("bad time in test: " + rfc3339);
    return *t;
}

class RuleFunctions : public itest::DatabaseTest {
protected:
    void SetUp() override {
        itest::DatabaseTest::SetUp();
        // The shipped defaults (7 days, 3 days, 24 h) and one category of its own.
        Execute("insert into deadline_rules (category, severity, hours) values ('dust', 2, 48)");
        Execute(
            "insert into pollution_alerts (level, starts_at, ends_at) values "
            "('yellow', '2026-01-10T00:00:00+08', '2026-01-11T00:00:00+08'),"
            "('orange', '2026-01-20T00:00:00+08', '2026-01-21T00:00:00+08'),"
            "('red',    '2026-01-30T00:00:00+08', '2026-01-31T00:00:00+08'),"
            "('orange', '2026-01-30T12:00:00+08', '2026-01-31T00:00:00+08')");
    }

    int Hours(const std::string& category, int severity, const std::string& at) {
        return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
            return rules_.DeadlineHours(tx, category, severity, At(at));
        });
    }

    RulesRepository rules_;
};

TEST_F(RuleFunctions, DeadlineHoursTakeTheMostSpecificRuleTightenedByTheAlertInForce) {
    struct Case {
        const char* category;
        int severity;
        const char* at;
        int hours;
    } const cases[] = {
        {"oil_fume", 1, "2026-01-05T10:00:00+08:00", 168},  // the severity's default
        {"oil_fume", 2, "2026-01-05T10:00:00+08:00", 72},
        {"oil_fume", 3, "2026-01-05T10:00:00+08:00", 24},
        {"dust", 2, "2026-01-05T10:00:00+08:00", 48},       // the category's own rule
        {"dust", 1, "2026-01-05T10:00:00+08:00", 168},      // ... for its severity only
        {"oil_fume", 1, "2026-01-10T10:00:00+08:00", 168},  // yellow changes nothing
        {"oil_fume", 1, "2026-01-20T10:00:00+08:00", 84},   // orange halves
        {"oil_fume", 3, "2026-01-20T10:00:00+08:00", 12},
        {"dust", 2, "2026-01-20T10:00:00+08:00", 24},
        {"oil_fume", 1, "2026-01-30T10:00:00+08:00", 24},  // red caps at 24 h
        {"oil_fume", 3, "2026-01-30T10:00:00+08:00", 24},
        {"oil_fume", 1, "2026-01-30T13:00:00+08:00", 24},   // red outranks a concurrent orange
        {"oil_fume", 1, "2026-01-19T23:59:59+08:00", 168},  // before the alert starts
        {"oil_fume", 1, "2026-01-20T00:00:00+08:00", 84},   // from its first instant
        {"oil_fume", 1, "2026-01-21T00:00:00+08:00", 168},  // and not at its end
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.category) + " severity " + std::to_string(c.severity) + " at " +
                     c.at);
        EXPECT_EQ(Hours(c.category, c.severity, c.at), c.hours);
    }
    // An odd number of hours halves rounding up.
    Execute("update deadline_rules set hours = 25 where category is null and severity = 3");
    EXPECT_EQ(Hours("oil_fume", 3, "2026-01-20T10:00:00+08:00"), 13);
}

TEST_F(RuleFunctions, AMissingRuleIsAnErrorNotADeadlineOfZeroHours) {
    Execute("delete from deadline_rules where severity = 3");
    try {
        Hours("oil_fume", 3, "2026-01-05T10:00:00+08:00");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.slug(), "no_deadline_rule");
    }
}

TEST_F(RuleFunctions, OverdueIsAssignedAndPastTheDeadlineInSqlAndInTheIssueAlike) {
    const std::string due = "2026-01-05T10:00:00+08:00";
    struct Case {
        const char* status;
        const char* now;
        bool overdue;
    } const cases[] = {
        {"assigned", "2026-01-05T09:59:59+08:00", false},
        {"assigned", "2026-01-05T10:00:00+08:00", false},  // at the deadline: still on time
        {"assigned", "2026-01-05T10:00:01+08:00", true},
        {"submitted", "2026-01-09T10:00:00+08:00", false},  // evidence stops the clock
        {"closed", "2026-01-09T10:00:00+08:00", false},
        {"confirmed", "2026-01-09T10:00:00+08:00", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.status) + " at " + c.now);
        const std::string sql = std::string("select is_overdue('") + c.status + "', '" + due +
                                "'::timestamptz, '" + c.now + "'::timestamptz)";
        EXPECT_EQ(QueryValue(sql), c.overdue ? "t" : "f");
        Issue i;
        i.status = c.status;
        i.due_at = At(due);
        EXPECT_EQ(i.OverdueAt(At(c.now)), c.overdue) << "the issue's own rule disagrees with SQL";
    }
    EXPECT_EQ(QueryValue("select coalesce(is_overdue('assigned', null, now())::text, 'null')"),
              "null")
        << "no deadline, not overdue";
}

TEST_F(RuleFunctions, TheEscalationLadderRaisesEachLevelAtItsThreshold) {
    struct Case {
        const char* late;  // null: not overdue
        int returns;
        const char* levels;
    } const cases[] = {
        {nullptr, 0, ""},
        {nullptr, 1, ""},
        {nullptr, 2, "2:两次退回返工"},
        {nullptr, 3, "2:两次退回返工,3:三次退回返工"},
        {"1 second", 0, "1:超期未整改"},
        {"3 days", 0, "1:超期未整改"},
        {"3 days 1 second", 0, "1:超期未整改,2:超期超过3天"},
        {"7 days", 0, "1:超期未整改,2:超期超过3天"},
        {"7 days 1 second", 0, "1:超期未整改,2:超期超过3天,3:超期超过7天"},
        {"1 hour", 2, "1:超期未整改,2:两次退回返工"},
        {"4 days", 3, "1:超期未整改,2:超期超过3天,3:三次退回返工"},
    };
    for (const auto& c : cases) {
        const std::string late = c.late ? "'" + std::string(c.late) + "'::interval" : "null";
        SCOPED_TRACE(late + ", returned " + std::to_string(c.returns));
        EXPECT_EQ(QueryValue("select coalesce(string_agg(level || ':' || reason, ',' order by "
                             "level), '') from escalation_levels_due(" +
                             late + ", " + std::to_string(c.returns) + ")"),
                  c.levels);
    }
}

TEST_F(RuleFunctions, DaysLateCountWholeDaysPastTheDeadline) {
    struct Case {
        const char* at;
        const char* days;
    } const cases[] = {
        {"2026-01-05T10:00:01+08:00", "0"},  // overdue, not a whole day yet
        {"2026-01-06T09:59:59+08:00", "0"},
        {"2026-01-06T10:00:00+08:00", "1"},
        {"2026-01-12T10:00:00+08:00", "7"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.at);
        EXPECT_EQ(QueryValue(std::string("select days_late('2026-01-05T10:00:00+08:00', '") + c.at +
                             "')"),
                  c.days);
    }
}

}  // namespace
}  // namespace lantian::issues
