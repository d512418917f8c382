// RELIABILITY promise 8 (the audit trail cannot be rewritten quietly): every 2xx change of an
// issue leaves exactly one event saying who did what, in which request, from what to what;
// nothing else leaves one; the database refuses to rewrite events; the hash chain finds a
// rewrite made by someone who could get past the refusals.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "issues/audit_repository.hpp"
#include "support/ledger_fixture.hpp"

namespace lantian::issues {
namespace {

using itest::Person;
using itest::Reply;
using itest::Step;
using nlohmann::json;

class AuditTest : public itest::LedgerTest {
protected:
    int Workers() const override { return 8; }

    AuditVerification VerifyChain() {
        auto conn = database().Connect();
        return AuditRepository().Verify(*conn);
    }

    /// Runs `sql` as the database owner with the append-only triggers switched off, the way a
    /// superuser bent on rewriting history would.
    void Tamper(const std::string& sql) {
        Execute("alter table issue_events disable trigger issue_events_no_update;" + sql +
                ";alter table issue_events enable trigger issue_events_no_update");
    }

    /// The error `sql` raises, run in a transaction of its own (empty when it succeeds).
    std::string ErrorOf(const std::string& sql) {
        auto conn = database().Connect();
        pqxx::work tx(*conn);
        try {
            tx.exec(sql);
        } catch (const pqxx::sql_error& e) {
            return e.what();
        }
        return "";
    }

    /// Many issues through their whole lives, by several writers at once.
    void BusyDay() {
        std::vector<std::thread> writers;
        for (int w = 0; w < 6; ++w) {
            writers.emplace_back([&] {
                for (int n = 0; n < 5; ++n) IssueIn(n % 2 == 0 ? "closed" : "assigned");
            });
        }
        for (auto& t : writers) t.join();
    }

    long long AllEvents() { return std::stoll(QueryValue("select count(*) from issue_events")); }
};

TEST_F(AuditTest, EverySuccessfulChangeLeavesOneEventAndNothingElseLeavesAny) {
    json issue = Report();
    const long long id = issue.at("id");
    int changes = 1;  // the report itself
    auto expect_no_event = [&](const Reply& r, const std::string& what) {
        EXPECT_GE(r.status, 400) << what;
        EXPECT_EQ(EventCount(id), changes) << what << " (" << r.Describe() << ") left an event";
    };
    expect_no_event(Take(leader_, Step::kConfirm, id, ETagOf(issue)), "a leader's triage");
    expect_no_event(Take(office_, Step::kConfirm, id, ""), "a triage without If-Match");
    expect_no_event(Take(office_, Step::kConfirm, id, "\"v9\""), "a stale triage");
    expect_no_event(Take(supervisor_, Step::kAccept, id, ETagOf(issue)), "an illegal accept");
    for (const Step step : {Step::kConfirm, Step::kAssign}) {
        const Reply r = Take(office_, step, id, ETagOf(issue));
        ASSERT_EQ(r.status, 200) << r.raw.body;
        issue = r.body;
        EXPECT_EQ(EventCount(id), ++changes);
    }
    // Refused inside the transaction, after the issue row was locked: rolled back whole.
    const std::string base = "/api/v1/issues/" + std::to_string(id);
    expect_no_event(
        Send(lead_handler_, "POST", base + "/rectifications",
             {{"description", "已整改"}, {"photo_ids", {itest::Sha256Hex("none")}}}, ETagOf(issue)),
        "a rectification naming a photo never uploaded");
    expect_no_event(Take(co_handler_, Step::kSubmit, id, ETagOf(issue)),
                    "a co-unit's rectification");
    for (const Step step : {Step::kSubmit, Step::kReturn, Step::kSubmit, Step::kAccept}) {
        const Reply r = Take(ActorOf(step), step, id, ETagOf(issue));
        ASSERT_EQ(r.status, 200) << r.raw.body;
        issue = r.body;
        EXPECT_EQ(EventCount(id), ++changes);
    }
    expect_no_event(Take(supervisor_, Step::kReturn, id, ETagOf(issue)),
                    "a return of a closed one");
    EXPECT_EQ(issue.at("version"), changes) << "one event per version";
}

TEST_F(AuditTest, AChangeWhoseEventCannotBeWrittenIsNotMadeAtAll) {
    const json issue = IssueIn("confirmed");
    const long long id = issue.at("id");
    // A fault injected where the event is written: after the issue row was updated.
    Execute(R"(create function fail_event() returns trigger language plpgsql as $$
               begin raise exception 'injected fault'; end $$;
               create trigger a_fail_event before insert on issue_events for each row
                   when (new.request_id = 'fault-1') execute function fail_event())");
    const Reply r = Send(office_, "POST", "/api/v1/issues/" + std::to_string(id) + "/assignments",
                         {{"lead_unit_id", jiaoxi_}}, ETagOf(issue), {{"x-request-id", "fault-1"}});
    EXPECT_EQ(r.status, 500) << r.raw.body;
    const json after = Get(id);
    EXPECT_EQ(after.at("status"), "confirmed");
    EXPECT_EQ(after.at("version"), issue.at("version"));
    EXPECT_EQ(
        QueryValue("select count(*) from issue_assignments where issue_id = " + std::to_string(id)),
        "0");
    EXPECT_EQ(EventCount(id), 2);
}

TEST_F(AuditTest, AnEventSaysWhoDidWhatInWhichRequestFromWhatToWhat) {
    const json issue = IssueIn("confirmed");
    const long long id = issue.at("id");
    const Reply r = Send(office_, "POST", "/api/v1/issues/" + std::to_string(id) + "/assignments",
                         {{"lead_unit_id", jiaoxi_}, {"co_unit_ids", {chengguan_}}}, ETagOf(issue),
                         {{"x-request-id", "dispatch-desk-7f3a"}});
    ASSERT_EQ(r.status, 200) << r.raw.body;
    EXPECT_EQ(r.Header("X-Request-Id"), "dispatch-desk-7f3a");

    const Reply trail =
        Send(lead_handler_, "GET", "/api/v1/issues/" + std::to_string(id) + "/events");
    ASSERT_EQ(trail.status, 200) << trail.raw.body;
    const json& events = trail.body.at("items");
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].at("action"), "report");
    EXPECT_TRUE(events[0].at("before").is_null());
    EXPECT_EQ(events[0].at("actor_id"), inspector_.user_id);
    EXPECT_EQ(events[1].at("action"), "confirm");
    EXPECT_EQ(events[1].at("actor_role"), "office");

    const json& e = events[2];
    EXPECT_EQ(e.at("action"), "assign");
    EXPECT_EQ(e.at("actor_id"), office_.user_id);
    EXPECT_EQ(e.at("actor_role"), "office");
    EXPECT_EQ(e.at("actor_unit_id"), *office_.unit_id);
    EXPECT_EQ(e.at("request_id"), "dispatch-desk-7f3a");
    EXPECT_EQ(e.at("before").at("status"), "confirmed");
    EXPECT_TRUE(e.at("before").at("lead_unit_id").is_null());
    EXPECT_EQ(e.at("before").at("version"), issue.at("version"));
    EXPECT_EQ(e.at("after").at("status"), "assigned");
    EXPECT_EQ(e.at("after").at("lead_unit_id"), jiaoxi_);
    EXPECT_EQ(e.at("after").at("co_unit_ids"), json::array({chengguan_}));
    EXPECT_EQ(e.at("after").at("version"), r.body.at("version"));
    EXPECT_FALSE(e.at("after").at("due_at").is_null());
    EXPECT_EQ(e.at("prev_hash"), events[1].at("hash"));

    EXPECT_EQ(
        Send(stranger_handler_, "GET", "/api/v1/issues/" + std::to_string(id) + "/events").status,
        404);
}

TEST_F(AuditTest, TheApplicationRoleMayAppendEventsButNeverRewriteThem) {
    IssueIn("assigned");
    for (const char* sql : {"update issue_events set action = 'forged'", "delete from issue_events",
                            "truncate issue_events"}) {
        const std::string error = ErrorOf(std::string("set role lantian_app; ") + sql);
        EXPECT_NE(error.find("permission denied for table issue_events"), std::string::npos)
            << sql << ": " << error;
    }
    // The same role can do what the service does: read and append.
    EXPECT_EQ(ErrorOf("set role lantian_app; select count(*) from issue_events; "
                      "insert into issue_events (issue_id, actor_role, request_id, action, after) "
                      "select issue_id, 'office', 'role-check', 'note', after from issue_events "
                      "limit 1"),
              "");
}

TEST_F(AuditTest, EvenTheOwnerCannotUpdateDeleteOrTruncateEvents) {
    IssueIn("closed");
    for (const auto& [sql, op] : std::vector<std::pair<std::string, std::string>>{
             {"update issue_events set after = '{}' where seq = 2", "UPDATE"},
             {"delete from issue_events where seq = 5", "DELETE"},
             {"truncate issue_events cascade", "TRUNCATE"}}) {
        const std::string error = ErrorOf(sql);
        EXPECT_NE(error.find("append-only (" + op + " refused)"), std::string::npos)
            << sql << ": " << error;
    }
    EXPECT_EQ(AllEvents(), 5);
    EXPECT_FALSE(VerifyChain().first_bad_seq);
}

TEST_F(AuditTest, ARewrittenEventIsFoundByItsSeq) {
    BusyDay();
    const AuditVerification clean = VerifyChain();
    ASSERT_FALSE(clean.first_bad_seq) << clean.problem;
    const long long seq = AllEvents() / 2;
    Tamper(
        // A status no event holds, so the rewrite always changes the content.
        "update issue_events set after = jsonb_set(after, '{status}', '\"rewritten\"') "
        "where seq = " +
        std::to_string(seq));
    const AuditVerification v = VerifyChain();
    EXPECT_EQ(v.first_bad_seq, seq) << v.problem;
    EXPECT_NE(v.problem.find("altered"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, ARewriteWithARecomputedHashBreaksTheNextLink) {
    BusyDay();
    const long long seq = 7;
    // The forger changes an event and gives it the hash its new content deserves.
    Tamper("update issue_events set request_id = 'innocent' where seq = 7");
    Tamper(
        "update issue_events e set hash = "
        "encode(sha256(convert_to(issue_event_content(e), 'UTF8')), 'hex') where e.seq = 7");
    const AuditVerification v = VerifyChain();
    EXPECT_EQ(v.first_bad_seq, seq + 1) << v.problem;
    EXPECT_NE(v.problem.find("does not link"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, ARemovedEventIsFoundWhetherInTheMiddleOrAtTheEnd) {
    BusyDay();
    const long long last = AllEvents();
    Tamper("delete from issue_events where seq = " + std::to_string(last));
    AuditVerification v = VerifyChain();
    EXPECT_EQ(v.first_bad_seq, last) << v.problem;
    EXPECT_NE(v.problem.find("removed"), std::string::npos) << v.problem;

    Tamper("delete from issue_events where seq = 10");
    v = VerifyChain();
    EXPECT_EQ(v.first_bad_seq, 10) << v.problem;
    EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, AChainWrittenByManyWritersAtOnceVerifiesIntact) {
    BusyDay();
    const AuditVerification v = VerifyChain();
    EXPECT_FALSE(v.first_bad_seq) << v.problem;
    // 6 writers x 5 issues: closed ones have 5 events, assigned ones 3.
    EXPECT_EQ(v.events, 6 * (3 * 5 + 2 * 3));
    EXPECT_EQ(v.events, AllEvents());
    EXPECT_EQ(QueryValue("select count(*) from issues i where version <> (select count(*) from "
                         "issue_events e where e.issue_id = i.id)"),
              "0");
    EXPECT_EQ(QueryValue("select (last_seq = (select max(seq) from issue_events))::text "
                         "from audit_chain_head"),
              "true");
}

TEST_F(AuditTest, VerifyingWhileWritersAppendNeverReportsAnIntactChainAsTampered) {
    BusyDay();  // a chain long enough that walking it takes a while
    std::atomic<bool> busy = true;
    std::thread day([&] {
        BusyDay();
        busy = false;
    });
    auto conn = database().Connect();
    int verifications = 0;
    std::vector<std::string> alarms;
    while (busy) {
        const AuditVerification v = AuditRepository().Verify(*conn);
        ++verifications;
        if (v.first_bad_seq) alarms.push_back(v.problem);
    }
    day.join();
    // `lantian audit verify` runs on a live ledger: a false alarm sends people hunting a forger.
    EXPECT_TRUE(alarms.empty()) << alarms.size() << " of " << verifications
                                << " verifications of an untampered chain failed, first: "
                                << (alarms.empty() ? "" : alarms.front());
    EXPECT_FALSE(VerifyChain().first_bad_seq);
}

}  // namespace
}  // namespace lantian::issues
