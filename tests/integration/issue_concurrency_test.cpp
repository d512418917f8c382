// RELIABILITY promise 3 (no lost update): eight people act on one issue at the same moment
// with the same ETag, round after round. Exactly one of them wins each version; the others are
// told (412, or 409 for a step the winner made illegal), never a 500, and the audit trail holds
// exactly one event per win.
#include <gtest/gtest.h>

#include <barrier>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "issues/audit_repository.hpp"
#include "support/ledger_fixture.hpp"

namespace lantian::issues {
namespace {

using itest::Person;
using itest::Reply;
using itest::Step;
using nlohmann::json;

constexpr int kWriters = 8;
constexpr int kRounds = 500;

class IssueConcurrencyTest : public itest::LedgerTest {
protected:
    int Workers() const override { return kWriters + 2; }
};

TEST_F(IssueConcurrencyTest, EightWritersWithOneETagMakeExactlyOneChangePerVersion) {
    // Each writer is a person of their own: an officer, a handler of the lead unit and a
    // supervisor, taking whichever step comes next.
    std::map<std::string, std::vector<Person>> writers_of;
    for (int w = 0; w < kWriters; ++w) {
        const std::string n = std::to_string(w);
        writers_of["office"].push_back(SignedIn("office", "JF-OFF-HUANWEIBAN", n));
        writers_of["handler"].push_back(SignedIn("handler", "JF-SD-JIAOXI", n));
        writers_of["supervisor"].push_back(SignedIn("supervisor", "JF-OFF-DUCHA", n));
    }
    auto role_of = [](Step step) {
        return step == Step::kSubmit ? "handler" : step == Step::kReturn ? "supervisor" : "office";
    };
    const json start = Report();
    const long long id = start.at("id");
    ASSERT_EQ(start.at("version"), 1);

    // Confirm, assign, then the cycle: submit the rectification, return it for rework, again.
    std::string etag = ETagOf(start);
    Step step = Step::kConfirm;
    std::vector<Reply> replies(kWriters);
    std::map<std::string, int> outcomes;  // "200", "412 precondition_failed", ...
    std::vector<std::string> deviations;
    int wins = 0, returns = 0, round = 0;
    auto tally = [&]() noexcept {
        int round_wins = 0;
        const Reply* winner = nullptr;
        for (const Reply& r : replies) {
            ++outcomes[r.Describe()];
            if (r.status == 200) {
                ++round_wins;
                winner = &r;
            } else if (r.status != 412 && r.status != 409) {
                deviations.push_back("round " + std::to_string(round) + ": " + r.Describe() + " " +
                                     r.raw.body);
            }
        }
        if (round_wins != 1) {
            deviations.push_back("round " + std::to_string(round) + ": " +
                                 std::to_string(round_wins) + " writers won one version");
        }
        if (winner != nullptr) {
            wins += round_wins;
            if (step == Step::kReturn) returns += round_wins;
            etag = ETagOf(winner->body);
            step = step == Step::kConfirm  ? Step::kAssign
                   : step == Step::kSubmit ? Step::kReturn
                                           : Step::kSubmit;  // after assign or return
        }
        ++round;
    };
    std::barrier sync(kWriters, tally);
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            for (int n = 0; n < kRounds; ++n) {
                const Person& who = std::as_const(writers_of).at(role_of(step))[w];
                replies[w] = Take(who, step, id, etag);
                sync.arrive_and_wait();
            }
        });
    }
    for (auto& t : writers) t.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::string summary;
    for (const auto& [outcome, count] : outcomes) {
        summary += " " + outcome + " x" + std::to_string(count) + ";";
    }
    std::printf("%d rounds x %d writers in %.1f s:%s\n", kRounds, kWriters, seconds,
                summary.c_str());
    EXPECT_TRUE(deviations.empty())
        << deviations.size()
        << " deviations, first: " << (deviations.empty() ? "" : deviations.front());
    EXPECT_EQ(wins, kRounds);

    const json last = Get(id);
    EXPECT_EQ(last.at("version"), 1 + wins) << "a win was lost or one was doubled";
    EXPECT_EQ(last.at("return_count"), returns);
    // Rounds 0 and 1 confirm and assign; then submit, return, submit, ...
    EXPECT_EQ(last.at("status"), kRounds % 2 == 0 ? "assigned" : "submitted");
    EXPECT_EQ(EventCount(id), 1 + wins) << "one event for the report and one per win";
    EXPECT_EQ(QueryValue("select count(*) from issue_events where issue_id = " +
                         std::to_string(id) + " and action = 'return'"),
              std::to_string(returns));
    EXPECT_EQ(QueryValue("select count(*) from issue_assignments where issue_id = " +
                         std::to_string(id) + " and outcome = 'returned'"),
              std::to_string(returns));

    auto conn = database().Connect();
    const AuditVerification audit = AuditRepository().Verify(*conn);
    EXPECT_FALSE(audit.first_bad_seq) << audit.problem;
    EXPECT_EQ(audit.events, std::stoll(QueryValue("select count(*) from issue_events")));
}

TEST_F(IssueConcurrencyTest, TwoSupervisorsVerifyingAtOnceGetOneDecisionAndOneRefusal) {
    const Person second = SignedIn("supervisor", "JF-OFF-DUCHA", "2");
    for (int n = 0; n < 20; ++n) {
        const json issue = IssueIn("submitted");
        Reply accept, ret;
        std::barrier go(2);
        std::thread a([&] {
            go.arrive_and_wait();
            accept = Take(supervisor_, Step::kAccept, issue.at("id"), ETagOf(issue));
        });
        std::thread b([&] {
            go.arrive_and_wait();
            ret = Take(second, Step::kReturn, issue.at("id"), ETagOf(issue));
        });
        a.join();
        b.join();
        const bool accepted = accept.status == 200;
        const Reply& loser = accepted ? ret : accept;
        EXPECT_NE(accept.status == 200, ret.status == 200)
            << "accept " << accept.Describe() << ", return " << ret.Describe();
        EXPECT_EQ(loser.Describe(), "412 precondition_failed");
        EXPECT_EQ(Get(issue.at("id")).at("status"), accepted ? "closed" : "assigned");
    }
}

}  // namespace
}  // namespace lantian::issues
