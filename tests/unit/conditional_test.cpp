#include "http/conditional.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"

namespace lantian::http {
namespace {

Request WithIfMatch(std::string value) {
    Request r;
    r.method = "PATCH";
    r.headers["if-match"] = std::move(value);
    return r;
}

// The Error RequireIfMatch throws for `request`; fails the test when it accepts it.
Error RefusalOf(const Request& request) {
    try {
        const int version = RequireIfMatch(request);
        ADD_FAILURE() << "accepted as version " << version;
    } catch (const Error& e) {
        return e;
    }
    return Error(ErrorCode::kInternal, "none", "none");
}

TEST(ETagFor, QuotesTheVersionAsAStrongETag) {
    EXPECT_EQ(ETagFor(1), "\"v1\"");
    EXPECT_EQ(ETagFor(37), "\"v37\"");
}

TEST(RequireIfMatch, ReadsTheVersionFromOurETag) {
    EXPECT_EQ(RequireIfMatch(WithIfMatch("\"v3\"")), 3);
    EXPECT_EQ(RequireIfMatch(WithIfMatch("\"v1024\"")), 1024);
}

TEST(RequireIfMatch, RoundTripsEveryETagItIssues) {
    for (const int version : {1, 2, 9, 10, 99, 12345}) {
        EXPECT_EQ(RequireIfMatch(WithIfMatch(ETagFor(version))), version);
    }
}

TEST(RequireIfMatch, AsksForTheHeaderWith428WhenItIsMissing) {
    const Error e = RefusalOf(Request{});

    EXPECT_EQ(e.code(), ErrorCode::kPreconditionRequired);
    EXPECT_EQ(e.slug(), "precondition_required");
}

TEST(RequireIfMatch, AsksForTheHeaderWith428WhenItIsEmpty) {
    EXPECT_EQ(RefusalOf(WithIfMatch("")).code(), ErrorCode::kPreconditionRequired);
}

TEST(RequireIfMatch, RefusesAWeakETagWith412) {
    const Error e = RefusalOf(WithIfMatch("W/\"v3\""));

    EXPECT_EQ(e.code(), ErrorCode::kAborted);
    EXPECT_EQ(e.slug(), "precondition_failed");
}

TEST(RequireIfMatch, RefusesTheWildcardWith412) {
    EXPECT_EQ(RefusalOf(WithIfMatch("*")).code(), ErrorCode::kAborted);
}

TEST(RequireIfMatch, RefusesAnythingThatIsNotOneOfOurETagsWith412) {
    for (const std::string value :
         {"garbage", "v3", "\"3\"", "\"v\"", "\"v3", "v3\"", "\"v0\"", "\"v-3\"", "\"v+3\"",
          "\"v3x\"", "\"V3\"", "\"v3\", \"v4\"", "\"v99999999999999999999\"", "\" v3\""}) {
        const Error e = RefusalOf(WithIfMatch(value));
        EXPECT_EQ(e.code(), ErrorCode::kAborted) << value;
    }
}

}  // namespace
}  // namespace lantian::http
