// The issue lifecycle of DOMAIN.md through the production pipeline: every step from every
// status by every role, generated from the table below, then the rules around the steps
// (If-Match, returns, deadlines, fixed-on-spot findings, closed issues, overdue).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "support/ledger_fixture.hpp"

namespace lantian::issues {
namespace {

using itest::Person;
using itest::Reply;
using itest::Step;
using itest::StepName;
using nlohmann::json;

/// DOMAIN.md's diagram: the only legal steps, and the role that takes each.
struct Transition {
    const char* from;
    Step step;
    const char* to;
};
constexpr Transition kLegal[] = {
    {"reported", Step::kConfirm, "confirmed"}, {"reported", Step::kReject, "rejected"},
    {"confirmed", Step::kAssign, "assigned"},  {"assigned", Step::kSubmit, "submitted"},
    {"submitted", Step::kAccept, "closed"},    {"submitted", Step::kReturn, "assigned"},
};

std::optional<std::string> NextOf(const std::string& from, Step step) {
    for (const auto& t : kLegal) {
        if (t.from == from && t.step == step) return t.to;
    }
    return std::nullopt;
}

const char* RoleOf(Step step) {
    switch (step) {
        case Step::kConfirm:
        case Step::kReject:
        case Step::kAssign:
            return "office";
        case Step::kSubmit:
            return "handler";
        case Step::kAccept:
        case Step::kReturn:
            return "supervisor";
    }
    return "";
}

class IssueLifecycleTest : public itest::LedgerTest {
protected:
    std::vector<const Person*> OneOfEachRole() {
        return {&inspector_, &office_, &lead_handler_, &supervisor_, &leader_, &admin_};
    }

    /// Hours between assignment and deadline of an issue, as stored.
    double DeadlineHours(long long id) {
        return std::stod(QueryValue(
            "select extract(epoch from due_at - assigned_at) / 3600 from issues where id = " +
            std::to_string(id)));
    }

    json AssignedWithSeverity(int severity, const std::string& category) {
        json issue = Report(std::nullopt, severity, category);
        issue = Take(office_, Step::kConfirm, issue.at("id"), ETagOf(issue)).body;
        const Reply r = Take(office_, Step::kAssign, issue.at("id"), ETagOf(issue));
        EXPECT_EQ(r.status, 200) << r.raw.body;
        return r.body;
    }
};

TEST_F(IssueLifecycleTest, EveryStepAnswersEveryRoleInEveryStatusAsTheDiagramSays) {
    int cells = 0;
    int taken = 0;
    for (const char* status : itest::kStatuses) {
        for (const Step step : itest::kSteps) {
            for (const Person* who : OneOfEachRole()) {
                ++cells;
                const json issue = IssueIn(status);
                const long long id = issue.at("id");
                const std::string cell =
                    std::string(StepName(step)) + " on a " + status + " issue as " + who->label;
                const Reply r = Take(*who, step, id, ETagOf(issue));
                const auto next = NextOf(status, step);
                // A handler sees an issue only once it is assigned to their unit.
                const bool visible = who->role != "handler" || !issue.at("lead_unit_id").is_null();
                if (who->role != RoleOf(step)) {
                    EXPECT_EQ(r.Describe(), "403 forbidden") << cell;
                } else if (!visible) {
                    EXPECT_EQ(r.Describe(), "404 not_found") << cell;
                } else if (!next) {
                    EXPECT_EQ(r.Describe(), "409 invalid_transition") << cell;
                    EXPECT_NE(r.body.value("detail", "").find(status), std::string::npos)
                        << cell << ": the refusal should name the current state: " << r.raw.body;
                } else {
                    ASSERT_EQ(r.status, 200) << cell << ": " << r.raw.body;
                    EXPECT_EQ(r.body.at("status"), *next) << cell;
                    EXPECT_EQ(r.body.at("version"), issue.at("version").get<int>() + 1) << cell;
                    EXPECT_EQ(r.Header("ETag"), ETagOf(r.body)) << cell;
                    ++taken;
                    continue;
                }
                const json after = Get(id);
                EXPECT_EQ(after.at("status"), status) << cell << ": a refused step changed it";
                EXPECT_EQ(after.at("version"), issue.at("version")) << cell;
            }
        }
    }
    EXPECT_EQ(cells, 6 * 6 * 6);
    EXPECT_EQ(taken, 6) << "each legal step succeeds once, for its one role";
}

TEST_F(IssueLifecycleTest, OnlyTheLeadUnitsHandlerSubmitsTheRectification) {
    const json issue = IssueIn("assigned");
    const long long id = issue.at("id");
    EXPECT_EQ(issue.at("co_unit_ids"), json::array({chengguan_}));

    const Reply co = Take(co_handler_, Step::kSubmit, id, ETagOf(issue));
    EXPECT_EQ(co.Describe(), "403 not_lead_unit") << co.raw.body;

    // A handler of an unrelated subdistrict cannot tell the issue from a missing one.
    const Reply stranger = Take(stranger_handler_, Step::kSubmit, id, ETagOf(issue));
    const Reply missing = Take(stranger_handler_, Step::kSubmit, 987654321, ETagOf(issue));
    EXPECT_EQ(stranger.Describe(), "404 not_found");
    EXPECT_EQ(stranger.body.value("detail", ""), missing.body.value("detail", ""));
    EXPECT_EQ(Send(stranger_handler_, "GET", "/api/v1/issues/" + std::to_string(id)).status, 404);

    EXPECT_EQ(EventCount(id), 3) << "refused submissions left events behind";
    const Reply lead = Take(lead_handler_, Step::kSubmit, id, ETagOf(issue));
    EXPECT_EQ(lead.status, 200) << lead.raw.body;
    EXPECT_EQ(lead.body.at("status"), "submitted");
}

TEST_F(IssueLifecycleTest, EveryLegalStepNeedsTheCurrentETag) {
    for (const auto& t : kLegal) {
        const json issue = IssueIn(t.from);
        const long long id = issue.at("id");
        const int version = issue.at("version");
        const std::string what = std::string(StepName(t.step)) + " from " + t.from;
        const Person& who = ActorOf(t.step);

        EXPECT_EQ(Take(who, t.step, id, "").Describe(), "428 precondition_required") << what;
        const std::string stale = "\"v" + std::to_string(version > 1 ? version - 1 : 2) + "\"";
        EXPECT_EQ(Take(who, t.step, id, stale).Describe(), "412 precondition_failed") << what;
        EXPECT_EQ(Get(id).at("version"), version) << what << ": a refused step changed it";

        const Reply ok = Take(who, t.step, id, ETagOf(issue));
        EXPECT_EQ(ok.status, 200) << what << ": " << ok.raw.body;
        EXPECT_EQ(ok.body.value("status", ""), t.to) << what;
        // The ETag just used is now stale: replaying the step is refused, not repeated.
        EXPECT_EQ(Take(who, t.step, id, ETagOf(issue)).Describe(), "412 precondition_failed");
    }
}

TEST_F(IssueLifecycleTest, AReturnReassignsTheIssueWithANewDeadlineAndCountsTheReturn) {
    const json submitted = IssueIn("submitted");
    const long long id = submitted.at("id");
    EXPECT_EQ(submitted.at("return_count"), 0);
    Execute(
        "update issues set due_at = due_at - interval '2 days', assigned_at = assigned_at - "
        "interval '2 days' where id = " +
        std::to_string(id));
    const json before = Get(id);

    const Reply r = Take(supervisor_, Step::kReturn, id, ETagOf(before));
    ASSERT_EQ(r.status, 200) << r.raw.body;
    EXPECT_EQ(r.body.at("status"), "assigned");
    EXPECT_EQ(r.body.at("return_count"), 1);
    EXPECT_EQ(r.body.at("lead_unit_id"), jiaoxi_);
    EXPECT_TRUE(r.body.at("submitted_at").is_null());
    EXPECT_EQ(r.body.at("verification_comment"), "净化器未开启，退回重新整改");
    EXPECT_EQ(QueryValue("select (due_at > now() + interval '167 hours')::text from issues "
                         "where id = " +
                         std::to_string(id)),
              "true")
        << "the returned issue should get a fresh deadline from the rules, got "
        << r.body.at("due_at");
    EXPECT_DOUBLE_EQ(DeadlineHours(id), 168.0);
    EXPECT_EQ(QueryValue("select string_agg(coalesce(outcome, 'open'), ',' order by id) from "
                         "issue_assignments where issue_id = " +
                         std::to_string(id)),
              "returned,open");

    // The handler sees it again, rectifies again, and a second return counts twice.
    json again = Take(lead_handler_, Step::kSubmit, id, ETagOf(r.body)).body;
    ASSERT_EQ(again.value("status", ""), "submitted");
    again = Take(supervisor_, Step::kReturn, id, ETagOf(again)).body;
    EXPECT_EQ(again.value("return_count", -1), 2);
}

TEST_F(IssueLifecycleTest, ADeadlineDefaultsToTheSeverityRuleUnlessItsCategoryHasOneOfItsOwn) {
    const Reply rules = Send(office_, "GET", "/api/v1/rules/deadlines");
    ASSERT_EQ(rules.status, 200);
    EXPECT_EQ(rules.body.at("rules"), json::parse(R"([
        {"category": null, "severity": 1, "hours": 168},
        {"category": null, "severity": 2, "hours": 72},
        {"category": null, "severity": 3, "hours": 24}])"));
    const int defaults[] = {168, 72, 24};
    for (int severity = 1; severity <= 3; ++severity) {
        const json issue = AssignedWithSeverity(severity, "open_burning");
        EXPECT_DOUBLE_EQ(DeadlineHours(issue.at("id")), defaults[severity - 1])
            << "severity " << severity;
    }

    const json table = {{"rules", json::parse(R"([
        {"category": null, "severity": 1, "hours": 168},
        {"category": null, "severity": 2, "hours": 72},
        {"category": null, "severity": 3, "hours": 24},
        {"category": "open_burning", "severity": 2, "hours": 6}])")}};
    const Reply put = Send(office_, "PUT", "/api/v1/rules/deadlines", table);
    ASSERT_EQ(put.status, 200) << put.raw.body;
    EXPECT_DOUBLE_EQ(DeadlineHours(AssignedWithSeverity(2, "open_burning").at("id")), 6.0);
    EXPECT_DOUBLE_EQ(DeadlineHours(AssignedWithSeverity(2, "dust_uncovered").at("id")), 72.0);
    EXPECT_DOUBLE_EQ(DeadlineHours(AssignedWithSeverity(1, "open_burning").at("id")), 168.0);
}

TEST_F(IssueLifecycleTest, AFindingFixedOnTheSpotArrivesSubmittedToItsSubdistrict) {
    const std::string evidence = UploadPhoto(inspector_);
    const json body = {
        {"client_id", itest::NewClientId()},
        {"site_id", minzhu_site_},
        {"started_at", itest::MinutesAgo(30)},
        {"findings",
         {{{"client_id", itest::NewClientId()},
           {"category", "shop_front_duty"},
           {"severity", 1},
           {"description", "门前堆放杂物"},
           {"fixed_on_spot", true},
           {"evidence", {{"description", "已督促店主当场清理"}, {"photo_ids", {evidence}}}}}}}};
    const Reply r = Send(inspector_, "POST", "/api/v1/inspections", body);
    ASSERT_EQ(r.status, 201) << r.raw.body;
    const json issue = r.body.at("issues").at(0);
    EXPECT_EQ(issue.at("status"), "submitted");
    EXPECT_EQ(issue.at("fixed_on_spot"), true);
    EXPECT_EQ(issue.at("lead_unit_id"), minzhu_);
    EXPECT_EQ(issue.at("rectification").at("photo_ids"), json::array({evidence}));

    // Its subdistrict's handler sees it; the supervision bureau verifies it straight away.
    EXPECT_EQ(Send(stranger_handler_, "GET", "/api/v1/issues/" + issue.at("id").dump()).status,
              200);
    const Reply closed = Take(supervisor_, Step::kAccept, issue.at("id"), ETagOf(issue));
    EXPECT_EQ(closed.status, 200) << closed.raw.body;
    EXPECT_EQ(closed.body.value("status", ""), "closed");
}

TEST_F(IssueLifecycleTest, AClosedIssueCannotBeChangedEvenBySqlFromTheTablesOwner) {
    const json closed = IssueIn("closed");
    const std::string id = closed.at("id").dump();
    auto conn = database().Connect();
    for (const std::string& sql :
         {"update issues set description = '改写' where id = " + id,
          "update issues set status = 'assigned', closed_at = null where id = " + id,
          "update issues set escalation_level = 3 where id = " + id}) {
        pqxx::work tx(*conn);
        try {
            tx.exec(sql);
            ADD_FAILURE() << "the owner rewrote a closed issue: " << sql;
        } catch (const pqxx::sql_error& e) {
            EXPECT_NE(std::string(e.what()).find("is closed and cannot change"), std::string::npos)
                << e.what();
        }
    }
    // Nor can it be removed: its audit trail holds on to it.
    pqxx::work tx(*conn);
    EXPECT_THROW(tx.exec("delete from issues where id = " + id), pqxx::foreign_key_violation);
    tx.abort();
    const json after = Get(closed.at("id"));
    EXPECT_EQ(after.at("status"), "closed");
    EXPECT_EQ(after.at("description"), closed.at("description"));
    EXPECT_EQ(after.at("version"), closed.at("version"));
}

TEST_F(IssueLifecycleTest, AnAssignedIssuePastItsDeadlineIsOverdueWithoutAnyoneMarkingIt) {
    const json late = IssueIn("assigned");
    const json on_time = IssueIn("assigned");
    const json late_but_submitted = IssueIn("submitted");
    EXPECT_EQ(late.at("overdue"), false);
    for (const json* issue : {&late, &late_but_submitted}) {
        Execute("update issues set due_at = now() - interval '1 hour' where id = " +
                issue->at("id").dump());
    }
    EXPECT_EQ(Get(late.at("id")).at("overdue"), true);
    EXPECT_EQ(Get(on_time.at("id")).at("overdue"), false);
    EXPECT_EQ(Get(late_but_submitted.at("id")).at("overdue"), false);

    auto ids = [&](const Person& who, const std::string& query) {
        const Reply r = Send(who, "GET", "/api/v1/issues" + query);
        EXPECT_EQ(r.status, 200) << r.raw.body;
        std::vector<long long> out;
        for (const auto& item : r.body.at("items")) out.push_back(item.at("id"));
        return out;
    };
    const std::vector<long long> only_late = {late.at("id").get<long long>()};
    EXPECT_EQ(ids(office_, "?overdue=true"), only_late);
    EXPECT_EQ(ids(lead_handler_, "?overdue=true"), only_late);
    EXPECT_EQ(ids(stranger_handler_, "?overdue=true"), std::vector<long long>{});
    const auto not_overdue = ids(office_, "?overdue=false&status=assigned");
    EXPECT_EQ(not_overdue, std::vector<long long>{on_time.at("id").get<long long>()});
}

}  // namespace
}  // namespace lantian::issues
