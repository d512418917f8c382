#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace lantian::http {
namespace {

using nlohmann::json;

std::string HeaderOf(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return "";
}

TEST(StatusFor, MapsEveryErrorCodeToItsHttpStatus) {
    // Every enumerator of ErrorCode, with the status API.md and error.hpp promise for it.
    const std::vector<std::pair<ErrorCode, int>> expected = {
        {ErrorCode::kInvalidArgument, 400},
        {ErrorCode::kValidation, 422},
        {ErrorCode::kNotFound, 404},
        {ErrorCode::kAlreadyExists, 409},
        {ErrorCode::kFailedPrecondition, 409},
        {ErrorCode::kPreconditionRequired, 428},
        {ErrorCode::kAborted, 412},
        {ErrorCode::kUnauthenticated, 401},
        {ErrorCode::kPermissionDenied, 403},
        {ErrorCode::kResourceExhausted, 429},
        {ErrorCode::kPayloadTooLarge, 413},
        {ErrorCode::kUnsupportedMediaType, 415},
        {ErrorCode::kUnavailable, 503},
        {ErrorCode::kInternal, 500},
    };
    // kInternal is the last enumerator: the table covers 0..kInternal without gaps.
    ASSERT_EQ(expected.size(), static_cast<size_t>(ErrorCode::kInternal) + 1);
    for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(static_cast<size_t>(expected[i].first), i) << "table out of enum order at " << i;
        EXPECT_EQ(StatusFor(expected[i].first), expected[i].second) << "code #" << i;
    }
}

TEST(ProblemResponse, WritesAnRfc9457BodyWithCodeAndRequestId) {
    const Response r = ProblemResponse(409, "invalid_transition",
                                       "an issue that is closed cannot be returned", "req-1");

    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.content_type, "application/problem+json");
    json body = json::parse(r.body);
    EXPECT_EQ(body["type"], "urn:lantian:problem:invalid_transition");
    EXPECT_EQ(body["title"], "Conflict");
    EXPECT_EQ(body["status"], 409);
    EXPECT_EQ(body["detail"], "an issue that is closed cannot be returned");
    EXPECT_EQ(body["code"], "invalid_transition");
    EXPECT_EQ(body["request_id"], "req-1");
    EXPECT_FALSE(body.contains("errors"));
}

TEST(ProblemResponse, ListsFieldErrorsInOrder) {
    const Response r =
        ProblemResponse(422, "validation_failed", "invalid values", "r",
                        {{"location.lat", "must be a number"}, {"name", "is required"}});

    json body = json::parse(r.body);
    EXPECT_EQ(body["title"], "Unprocessable Content");
    EXPECT_EQ(body["errors"], json::parse(R"([{"field":"location.lat","message":"must be a number"},
                                              {"field":"name","message":"is required"}])"));
}

TEST(ProblemResponse, LeavesOutTheRequestIdWhenThereIsNone) {
    json body = json::parse(ProblemResponse(404, "not_found", "site not found", "").body);

    EXPECT_FALSE(body.contains("request_id"));
}

TEST(ProblemResponse, GivesEachCommonStatusItsStandardTitle) {
    const std::vector<std::pair<int, std::string>> titles = {
        {400, "Bad Request"},       {401, "Unauthorized"},           {403, "Forbidden"},
        {404, "Not Found"},         {405, "Method Not Allowed"},     {412, "Precondition Failed"},
        {413, "Content Too Large"}, {415, "Unsupported Media Type"}, {428, "Precondition Required"},
        {429, "Too Many Requests"}, {500, "Internal Server Error"},  {503, "Service Unavailable"},
    };
    for (const auto& [status, title] : titles) {
        json body = json::parse(ProblemResponse(status, "x", "d", "").body);
        EXPECT_EQ(body["title"], title) << status;
    }
}

TEST(ProblemResponse, StillProducesValidJsonWhenTheDetailQuotesInvalidUtf8) {
    const Response r = ProblemResponse(400, "bad_request", "bad value \"\xFF\xFE\"", "r");

    json body;
    ASSERT_NO_THROW(body = json::parse(r.body));
    EXPECT_EQ(body["status"], 400);
}

TEST(ProblemResponse, FromAnErrorUsesItsStatusSlugMessageAndFields) {
    const Error e = Error::Validation({{"severity", "must be one of minor, major, severe"}});

    const Response r = ProblemResponse(e, "abc");

    EXPECT_EQ(r.status, 422);
    json body = json::parse(r.body);
    EXPECT_EQ(body["code"], "validation_failed");
    EXPECT_EQ(body["detail"], "invalid value for \"severity\"");
    EXPECT_EQ(body["errors"][0]["field"], "severity");
    EXPECT_EQ(body["request_id"], "abc");
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "");
}

TEST(ProblemResponse, FromAnUnavailableErrorAsksTheClientToRetry) {
    const Response r =
        ProblemResponse(Error(ErrorCode::kUnavailable, "pool_exhausted", "busy"), "abc");

    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
    EXPECT_EQ(json::parse(r.body)["title"], "Service Unavailable");
}

TEST(ProblemResponse, SendsTheRetryAfterTheErrorAsksFor) {
    const Response r =
        ProblemResponse(Error(ErrorCode::kResourceExhausted, "too_many_sign_in_failures", "locked")
                            .WithRetryAfter(900),
                        "abc");

    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "900");
}

TEST(ProblemResponse, ChallengesForABearerTokenOn401) {
    const Response r =
        ProblemResponse(Error(ErrorCode::kUnauthenticated, "unauthenticated", "sign in"), "abc");

    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "Bearer");
}

}  // namespace
}  // namespace lantian::http
