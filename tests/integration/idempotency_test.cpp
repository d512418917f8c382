// RELIABILITY promise 2 (no retry duplicates anything): the phone retries POST /issues and
// POST /inspections with an Idempotency-Key until it hears an answer, and every field record
// carries a client_id that is unique forever.
#include <gtest/gtest.h>

#include <barrier>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/ledger_fixture.hpp"

namespace lantian::issues {
namespace {

using itest::Person;
using itest::Reply;
using nlohmann::json;

class IdempotencyTest : public itest::LedgerTest {
protected:
    int Workers() const override { return 8; }

    json IssueBody(const std::vector<std::string>& photos = {}) {
        return {{"client_id", itest::NewClientId()}, {"site_id", jiaoxi_site_},
                {"category", "open_air_bbq"},        {"severity", 2},
                {"description", "夜间露天烧烤"},     {"photo_ids", photos}};
    }

    json InspectionBody() {
        return {{"client_id", itest::NewClientId()},
                {"site_id", jiaoxi_site_},
                {"started_at", itest::MinutesAgo(20)},
                {"notes", "例行巡查"},
                {"findings",
                 {{{"client_id", itest::NewClientId()},
                   {"category", "dust_uncovered"},
                   {"severity", 1},
                   {"description", "裸土未苫盖"}},
                  {{"client_id", itest::NewClientId()},
                   {"category", "no_dust_suppression"},
                   {"severity", 2},
                   {"description", "未洒水降尘"}}}}};
    }

    Reply Post(const Person& who, const std::string& path, const json& body,
               const std::string& key) {
        return Send(who, "POST", path, body, "", {{"idempotency-key", key}});
    }

    long long Count(const std::string& table, const std::string& client_id) {
        return std::stoll(
            QueryValue("select count(*) from " + table + " where client_id = '" + client_id + "'"));
    }
};

TEST_F(IdempotencyTest, ARetriedReportIsAnsweredWithTheFirstAnswerByteForByte) {
    const json body = IssueBody();
    const Reply first = Post(inspector_, "/api/v1/issues", body, "retry-issue-1");
    ASSERT_EQ(first.status, 201) << first.raw.body;
    EXPECT_EQ(first.Header("Idempotent-Replayed"), "");
    EXPECT_EQ(first.Header("Location"), "/api/v1/issues/" + first.body.at("id").dump());

    for (int attempt = 0; attempt < 3; ++attempt) {
        const Reply again = Post(inspector_, "/api/v1/issues", body, "retry-issue-1");
        EXPECT_EQ(again.status, 201);
        EXPECT_EQ(again.raw.body, first.raw.body);
        EXPECT_EQ(again.raw.content_type, first.raw.content_type);
        EXPECT_EQ(again.Header("Location"), first.Header("Location"));
        EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
    }
    EXPECT_EQ(Count("issues", body.at("client_id")), 1);
    EXPECT_EQ(EventCount(first.body.at("id")), 1);
}

TEST_F(IdempotencyTest, ARetriedInspectionIsAnsweredWithTheFirstAnswerByteForByte) {
    const json body = InspectionBody();
    const Reply first = Post(inspector_, "/api/v1/inspections", body, "retry-inspection-1");
    ASSERT_EQ(first.status, 201) << first.raw.body;
    ASSERT_EQ(first.body.at("issues").size(), 2u);

    const Reply again = Post(inspector_, "/api/v1/inspections", body, "retry-inspection-1");
    EXPECT_EQ(again.status, 201);
    EXPECT_EQ(again.raw.body, first.raw.body);
    EXPECT_EQ(again.Header("Location"), first.Header("Location"));
    EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
    EXPECT_EQ(Count("inspections", body.at("client_id")), 1);
    EXPECT_EQ(QueryValue("select count(*) from issues where inspection_id = " +
                         first.body.at("id").dump()),
              "2");
}

TEST_F(IdempotencyTest, AKeyReusedWithAnotherBodyIsRefusedAndCreatesNothing) {
    const json body = IssueBody();
    ASSERT_EQ(Post(inspector_, "/api/v1/issues", body, "reused-key").status, 201);
    json other = body;
    other["description"] = "夜间露天烧烤，烟雾较大";
    const Reply r = Post(inspector_, "/api/v1/issues", other, "reused-key");
    EXPECT_EQ(r.Describe(), "422 idempotency_key_reused") << r.raw.body;

    const json fresh = IssueBody();
    EXPECT_EQ(Post(inspector_, "/api/v1/issues", fresh, "reused-key").Describe(),
              "422 idempotency_key_reused");
    EXPECT_EQ(Count("issues", fresh.at("client_id")), 0);
    // The same key on the other creating endpoint is another request too.
    EXPECT_EQ(Post(inspector_, "/api/v1/inspections", InspectionBody(), "reused-key").Describe(),
              "422 idempotency_key_reused");
    EXPECT_EQ(QueryValue("select count(*) from issues"), "1");
}

TEST_F(IdempotencyTest, AnotherUsersKeyOfTheSameNameIsTheirOwn) {
    const json mine = IssueBody();
    const Reply first = Post(inspector_, "/api/v1/issues", mine, "k-0001");
    ASSERT_EQ(first.status, 201);

    const json theirs = IssueBody();
    const Reply other = Post(office_, "/api/v1/issues", theirs, "k-0001");
    EXPECT_EQ(other.status, 201) << other.raw.body;
    EXPECT_EQ(other.Header("Idempotent-Replayed"), "");
    EXPECT_NE(other.body.at("id"), first.body.at("id"));
    EXPECT_EQ(other.body.at("reported_by"), office_.user_id);

    // Sending the first user's very request does not replay the first user's answer to them.
    const Reply copy = Post(office_, "/api/v1/issues", mine, "k-0002");
    EXPECT_EQ(copy.Describe(), "409 duplicate_client_id");
    EXPECT_EQ(copy.raw.body.find(first.raw.body), std::string::npos);
}

TEST_F(IdempotencyTest, FiftyConcurrentCopiesOfOneRequestMakeOneIssueAndOneAnswer) {
    constexpr int kCopies = 50;
    const json body = IssueBody();
    std::vector<Reply> replies(kCopies);
    std::barrier go(kCopies);
    std::vector<std::thread> phones;
    for (int n = 0; n < kCopies; ++n) {
        phones.emplace_back([&, n] {
            go.arrive_and_wait();
            replies[n] = Post(inspector_, "/api/v1/issues", body, "storm-1");
        });
    }
    for (auto& t : phones) t.join();

    int replayed = 0;
    for (const Reply& r : replies) {
        ASSERT_EQ(r.status, 201) << r.raw.body;
        EXPECT_EQ(r.raw.body, replies.front().raw.body);
        EXPECT_EQ(r.Header("Location"), replies.front().Header("Location"));
        if (r.Header("Idempotent-Replayed") == "true") ++replayed;
    }
    EXPECT_EQ(replayed, kCopies - 1) << "exactly one request should have done the work";
    EXPECT_EQ(Count("issues", body.at("client_id")), 1);
    EXPECT_EQ(QueryValue("select count(*) from issue_events"), "1");
}

TEST_F(IdempotencyTest, FiftyConcurrentCopiesWithoutAKeyMakeOneIssueAndFortyNineConflicts) {
    constexpr int kCopies = 50;
    const json body = IssueBody();
    std::vector<Reply> replies(kCopies);
    std::barrier go(kCopies);
    std::vector<std::thread> phones;
    for (int n = 0; n < kCopies; ++n) {
        phones.emplace_back([&, n] {
            go.arrive_and_wait();
            replies[n] = Send(inspector_, "POST", "/api/v1/issues", body);
        });
    }
    for (auto& t : phones) t.join();
    std::map<std::string, int> outcomes;
    for (const Reply& r : replies) ++outcomes[r.Describe()];
    EXPECT_EQ(outcomes, (std::map<std::string, int>{{"201", 1}, {"409 duplicate_client_id", 49}}));
    EXPECT_EQ(Count("issues", body.at("client_id")), 1);
}

TEST_F(IdempotencyTest, AClientIdIsUniqueForeverEvenWithoutAKey) {
    const json body = IssueBody();
    ASSERT_EQ(Send(inspector_, "POST", "/api/v1/issues", body).status, 201);
    json retyped = body;
    retyped["description"] = "重复提交";
    const Reply r = Send(inspector_, "POST", "/api/v1/issues", retyped);
    EXPECT_EQ(r.Describe(), "409 duplicate_client_id") << r.raw.body;
    EXPECT_EQ(Send(office_, "POST", "/api/v1/issues", body).Describe(), "409 duplicate_client_id");

    const json inspection = InspectionBody();
    ASSERT_EQ(Send(inspector_, "POST", "/api/v1/inspections", inspection).status, 201);
    json next = InspectionBody();
    next["client_id"] = inspection.at("client_id");
    EXPECT_EQ(Send(inspector_, "POST", "/api/v1/inspections", next).Describe(),
              "409 duplicate_client_id");
    // A finding's client_id, too, is spent once its inspection is recorded.
    json reused_finding = InspectionBody();
    reused_finding["findings"][0]["client_id"] = inspection["findings"][1]["client_id"];
    EXPECT_EQ(Send(inspector_, "POST", "/api/v1/inspections", reused_finding).Describe(),
              "409 duplicate_client_id");
    EXPECT_EQ(Count("inspections", reused_finding.at("client_id")), 0)
        << "the inspection of a refused finding was kept";
    EXPECT_EQ(QueryValue("select count(*) from issues"), "3");
}

TEST_F(IdempotencyTest, ARequestThatFailedDoesNotSpendItsKey) {
    // The phone sends the finding before its photo has finished uploading.
    const std::string bytes = itest::FakePng();
    const std::string photo = itest::Sha256Hex(bytes);
    const json body = IssueBody({photo});
    const Reply early = Post(inspector_, "/api/v1/issues", body, "photo-late");
    EXPECT_EQ(early.Describe(), "422 missing_attachments") << early.raw.body;
    EXPECT_EQ(Count("issues", body.at("client_id")), 0);

    http::Request upload =
        itest::MakeRequest("PUT", "/api/v1/attachments/" + photo, inspector_.token);
    upload.body = bytes;
    upload.headers["content-type"] = "image/png";
    ASSERT_EQ(service().Handle(upload).status, 201);

    const Reply retried = Post(inspector_, "/api/v1/issues", body, "photo-late");
    EXPECT_EQ(retried.status, 201) << retried.raw.body;
    EXPECT_EQ(retried.Header("Idempotent-Replayed"), "");
    EXPECT_EQ(retried.body.value("photo_ids", json()), json::array({photo}));
    const Reply replay = Post(inspector_, "/api/v1/issues", body, "photo-late");
    EXPECT_EQ(replay.raw.body, retried.raw.body);
    EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
    EXPECT_EQ(Count("issues", body.at("client_id")), 1);
}

}  // namespace
}  // namespace lantian::issues
