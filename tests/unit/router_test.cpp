#include "http/router.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lantian::http {
namespace {

// A handler that answers with its own name, so a test can tell which route was chosen.
Handler Named(std::string name) {
    return [name](Request&) {
        Response r;
        r.body = name;
        return r;
    };
}

std::string HandlerOf(const Match& match) {
    if (match.route == nullptr) return "<none>";
    Request request;
    return match.route->handler(request).body;
}

TEST(Router, CapturesPathParametersByName) {
    Router router;
    router.Add("GET", "/api/v1/units/{unit}/sites/{id}", {}, Named("site"));

    const Match m = router.Find("GET", "/api/v1/units/7/sites/42");

    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/units/{unit}/sites/{id}");
    EXPECT_EQ(m.params.at("unit"), "7");
    EXPECT_EQ(m.params.at("id"), "42");
}

TEST(Router, PrefersLiteralSegmentOverParameterWhateverTheRegistrationOrder) {
    for (const bool literal_first : {true, false}) {
        Router router;
        if (literal_first) router.Add("DELETE", "/api/v1/sessions/current", {}, Named("literal"));
        router.Add("DELETE", "/api/v1/sessions/{id}", {}, Named("param"));
        if (!literal_first) router.Add("DELETE", "/api/v1/sessions/current", {}, Named("literal"));

        EXPECT_EQ(HandlerOf(router.Find("DELETE", "/api/v1/sessions/current")), "literal")
            << "literal registered first: " << literal_first;
        const Match other = router.Find("DELETE", "/api/v1/sessions/17");
        EXPECT_EQ(HandlerOf(other), "param");
        EXPECT_EQ(other.params.at("id"), "17");
    }
}

TEST(Router, ChoosesTheRouteForTheRequestedMethodOnASharedPath) {
    Router router;
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("get"));
    router.Add("PATCH", "/api/v1/sites/{id}", {}, Named("patch"));

    EXPECT_EQ(HandlerOf(router.Find("GET", "/api/v1/sites/3")), "get");
    EXPECT_EQ(HandlerOf(router.Find("PATCH", "/api/v1/sites/3")), "patch");
}

TEST(Router, ListsEveryOtherMethodOfAMatchingPathWhenTheMethodIsNotRegistered) {
    Router router;
    router.Add("PATCH", "/api/v1/sites/{id}", {}, Named("patch"));
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("get"));
    router.Add("POST", "/api/v1/sites", {}, Named("create"));

    const Match m = router.Find("DELETE", "/api/v1/sites/3");

    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, ListsEachAllowedMethodOnceEvenWhenSeveralPatternsMatch) {
    Router router;
    router.Add("GET", "/files/{name}", {}, Named("param"));
    router.Add("GET", "/files/readme", {}, Named("literal"));

    const Match m = router.Find("POST", "/files/readme");

    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.allowed_methods, std::vector<std::string>{"GET"});
}

TEST(Router, AnswersHeadWithTheGetRoute) {
    Router router;
    router.Add("GET", "/healthz", {}, Named("health"));

    const Match m = router.Find("HEAD", "/healthz");

    EXPECT_EQ(HandlerOf(m), "health");
}

TEST(Router, DoesNotAnswerOtherMethodsWithTheGetRoute) {
    Router router;
    router.Add("GET", "/healthz", {}, Named("health"));

    const Match m = router.Find("POST", "/healthz");

    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.allowed_methods, std::vector<std::string>{"GET"});
}

TEST(Router, TrailingRestParameterTakesTheRemainderOfThePathWithSlashes) {
    Router router;
    router.Add("GET", "/dashboard/{*file}", {}, Named("static"));

    const Match m = router.Find("GET", "/dashboard/assets/js/app.js");

    EXPECT_EQ(HandlerOf(m), "static");
    EXPECT_EQ(m.params.at("file"), "assets/js/app.js");
}

TEST(Router, ApiRoutesBeatACatchAllStaticRoute) {
    Router router;
    router.Add("GET", "/{*file}", {}, Named("static"));
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("site"));
    router.Add("GET", "/healthz", {}, Named("health"));

    EXPECT_EQ(HandlerOf(router.Find("GET", "/api/v1/sites/9")), "site");
    EXPECT_EQ(HandlerOf(router.Find("GET", "/healthz")), "health");
    EXPECT_EQ(HandlerOf(router.Find("GET", "/index.html")), "static");
}

TEST(Router, FindsNothingForAnUnknownPath) {
    Router router;
    router.Add("GET", "/api/v1/sites", {}, Named("list"));
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("get"));

    const Match m = router.Find("GET", "/api/v1/units");

    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.allowed_methods.empty());
}

TEST(Router, DoesNotMatchAPathWithExtraOrMissingSegments) {
    Router router;
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("get"));

    EXPECT_EQ(router.Find("GET", "/api/v1/sites/9/photos").route, nullptr);
    EXPECT_EQ(router.Find("GET", "/api/v1/sites").route, nullptr);
}

TEST(Router, DoesNotBindAParameterToAnEmptySegment) {
    Router router;
    router.Add("GET", "/api/v1/sites/{id}", {}, Named("get"));

    EXPECT_EQ(router.Find("GET", "/api/v1/sites/").route, nullptr);
}

TEST(Router, MatchesLiteralSegmentsExactlyAndCaseSensitively) {
    Router router;
    router.Add("GET", "/api/v1/sites", {}, Named("list"));

    EXPECT_EQ(router.Find("GET", "/api/v1/Sites").route, nullptr);
    EXPECT_EQ(router.Find("GET", "/api/v1/sitesx").route, nullptr);
    EXPECT_EQ(HandlerOf(router.Find("GET", "/api/v1/sites")), "list");
}

TEST(Router, KeepsTheOptionsOfTheMatchedRoute) {
    Router router;
    router.Add("PUT", "/api/v1/attachments/{sha256}",
               {.max_body = 10 * 1024 * 1024, .query_params = {}, .public_route = false},
               Named("put"));
    router.Add("POST", "/api/v1/sessions", {.public_route = true}, Named("sign-in"));

    const Match put = router.Find("PUT", "/api/v1/attachments/abc");
    ASSERT_NE(put.route, nullptr);
    EXPECT_EQ(put.route->options.max_body, 10u * 1024 * 1024);
    const Match sign_in = router.Find("POST", "/api/v1/sessions");
    ASSERT_NE(sign_in.route, nullptr);
    EXPECT_TRUE(sign_in.route->options.public_route);
}

TEST(Router, RefusesAPatternThatDoesNotStartWithASlash) {
    Router router;
    EXPECT_THROW(router.Add("GET", "api/v1/sites", {}, Named("x")), std::invalid_argument);
    EXPECT_THROW(router.Add("GET", "", {}, Named("x")), std::invalid_argument);
}

}  // namespace
}  // namespace lantian::http
