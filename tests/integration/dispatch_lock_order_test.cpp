// The daily dispatch takes its locks in the order a workflow step does — the issues first, then
// the audit chain's head — so running it while the office, the units and the supervision bureau
// work never deadlocks (it did: the assignment locked its issues lazily while its own events
// already held the head). And when retries of a conflicting transaction run out, the caller gets
// 503 `contention` with Retry-After, never a 500.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "support/ledger_fixture.hpp"

namespace lantian::dispatch {
namespace {

using itest::Step;
using nlohmann::json;

class DispatchLockOrder : public itest::LedgerTest {
protected:
    int Workers() const override { return 8; }

    long long Deadlocks() {
        return std::stoll(QueryValue(
            "select deadlocks from pg_stat_database where datname = current_database()"));
    }
    /// An issue in `status` led by 焦西, as {id, ETag}; empty when there is none.
    std::pair<long long, std::string> AnyIn(const std::string& status) {
        const std::string row = QueryValue(
            "select coalesce(max(id::text || ' ' || version::text), '') from (select id, version "
            "from issues where status = '" +
            status + "' and lead_unit_id = " + std::to_string(jiaoxi_) +
            " order by random() limit 1) x");
        if (row.empty()) return {0, ""};
        const auto space = row.find(' ');
        return {std::stoll(row.substr(0, space)), "\"v" + row.substr(space + 1) + "\""};
    }
};

TEST_F(DispatchLockOrder, TheDispatchRunsBesideTheWorkflowWithoutADeadlock) {
    ManualClock clock;
    DispatchRepository repository;
    DispatchService dispatch(pool(), clock, repository);
    for (int n = 0; n < 12; ++n) {  // work for the first runs to find
        json issue = Report();
        issue = Take(office_, Step::kConfirm, issue.at("id"), ETagOf(issue)).body;
        if (n % 2 == 0) Take(office_, Step::kAssign, issue.at("id"), ETagOf(issue));
    }
    const long long deadlocks_before = Deadlocks();
    std::atomic<bool> done{false};
    std::atomic<int> steps{0}, failures{0};
    std::vector<std::string> failed;
    std::mutex failed_mutex;
    auto note = [&](const itest::Reply& r) {
        if (r.status == 200 || r.status == 201 || r.status == 412 || r.status == 409) {
            ++steps;
            return;
        }
        ++failures;
        std::lock_guard lock(failed_mutex);
        failed.push_back(r.Describe() + " " + r.raw.body.substr(0, 200));
    };
    std::vector<std::thread> workers;
    workers.emplace_back([&] {  // the office: new findings confirmed, for the dispatch to assign
        for (int n = 0; n < 400 && !done; ++n) {
            json issue = Report();
            note(Take(office_, Step::kConfirm, issue.at("id"), ETagOf(issue)));
        }
    });
    workers.emplace_back([&] {  // 焦西's handler rectifies
        for (int n = 0; n < 2000 && !done; ++n) {
            const auto [id, etag] = AnyIn("assigned");
            if (id != 0) note(Take(lead_handler_, Step::kSubmit, id, etag));
        }
    });
    workers.emplace_back([&] {  // the supervision bureau returns the work (returns escalate)
        for (int n = 0; n < 2000 && !done; ++n) {
            const auto [id, etag] = AnyIn("submitted");
            if (id != 0) note(Take(supervisor_, Step::kReturn, id, etag));
        }
    });
    int runs = 0, assigned = 0, escalated = 0;
    try {
        // Twenty mornings, each later than every deadline: assignments and escalations each run.
        for (int d = 0; d < 20; ++d) {
            const std::string day = AddDays(DistrictDate(SystemClock().Now()), 8 + d);
            clock.Set(DistrictDayStart(day) + std::chrono::hours(8));
            const auto run = dispatch.Run(day, "lock-order-" + day);
            ++runs;
            assigned += run.assigned_count;
            escalated += run.escalation_count;
            // Let the workflow move between mornings (bounded: at most 2 s a run).
            for (int w = 0; w < 200 && steps.load() < 3 * (d + 1); ++w) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "a dispatch run failed: " << e.what();
    }
    done = true;
    for (auto& t : workers) t.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the statistics flush

    EXPECT_EQ(runs, 20);
    EXPECT_GT(assigned, 10) << "the dispatch had confirmed issues to assign";
    EXPECT_GT(escalated, 5) << "and overdue or returned ones to escalate";
    EXPECT_GT(steps.load(), 30) << "the workflow ran beside it";
    EXPECT_EQ(failures.load(), 0) << (failed.empty() ? "" : failed.front());
    EXPECT_EQ(Deadlocks() - deadlocks_before, 0) << "deadlocks detected by PostgreSQL";
    RecordProperty("steps", steps.load());
}

TEST_F(DispatchLockOrder, ATransactionThatKeepsConflictingIs503ContentionNotA500) {
    int attempts = 0;
    try {
        db::InTransaction(pool(), [&](pqxx::transaction_base&) {
            ++attempts;
            throw pqxx::deadlock_detected("deadlock detected (simulated)");
        });
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
        EXPECT_EQ(e.slug(), "contention");
        EXPECT_EQ(e.retry_after(), 1);
    }
    EXPECT_EQ(attempts, db::kMaxTransactionAttempts) << "retried first";
}

}  // namespace
}  // namespace lantian::dispatch
