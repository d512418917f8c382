#include "http/pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/except>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/bounded_executor.hpp"
#include "common/error.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace lantian::http {
namespace {

using nlohmann::json;

std::string HeaderOf(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return "";
}

bool IsHex16(const std::string& s) {
    return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class PipelineTest : public ::testing::Test {
protected:
    PipelineTest() {
        router_.Add("GET", "/api/v1/sites/{id}", {.query_params = {"fields"}}, [this](Request& r) {
            seen_ = r;
            return Response{.body = R"({"id":)" + r.path_params.at("id") + "}"};
        });
        router_.Add("PATCH", "/api/v1/sites/{id}", {}, [](Request&) { return Response{}; });
        router_.Add("GET", "/api/v1/sites", {.query_params = {"limit", "cursor"}},
                    [](Request&) { return Response{.body = R"({"items":[]})"}; });
        router_.Add("POST", "/api/v1/sessions", {.max_body = 4096, .public_route = true},
                    [this](Request& r) {
                        seen_ = r;
                        return Response{.status = 201};
                    });
        router_.Add("PUT", "/api/v1/attachments/{sha256}", {.max_body = 10 * 1024 * 1024},
                    [](Request&) { return Response{}; });
        router_.Add("POST", "/throw/{kind}", {}, [](Request& r) -> Response {
            const std::string& kind = r.path_params.at("kind");
            if (kind == "error") {
                throw Error(ErrorCode::kFailedPrecondition, "invalid_transition",
                            "a closed issue cannot be returned");
            }
            if (kind == "runtime") throw std::runtime_error("password=hunter2 leaked in SQL");
            if (kind == "broken") throw pqxx::broken_connection("server closed the connection");
            if (kind == "in_doubt") throw pqxx::in_doubt_error("commit outcome unknown");
            return Response{};
        });
    }

    Response Send(std::string method, std::string target, std::string request_id = "") {
        Request r;
        r.method = std::move(method);
        r.target = std::move(target);
        if (!request_id.empty()) r.headers["x-request-id"] = std::move(request_id);
        return pipeline_.Handle(r);
    }

    static json Body(const Response& r) { return json::parse(r.body); }

    Router router_;
    Metrics metrics_;
    Pipeline pipeline_{router_, metrics_};
    Request seen_;
};

TEST_F(PipelineTest, RunsTheMatchedHandlerWithDecodedPathParameters) {
    const Response r = Send("GET", "/api/v1/sites/42?fields=name");

    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"id":42})");
    EXPECT_EQ(seen_.route, "/api/v1/sites/{id}");
    EXPECT_EQ(seen_.path, "/api/v1/sites/42");
    EXPECT_EQ(seen_.query.find("fields")->second, "name");
}

TEST_F(PipelineTest, AcceptsAWellFormedClientRequestIdAndEchoesIt) {
    const std::string id = "phone-7f3a_2026.11.27:0001";

    const Response r = Send("GET", "/api/v1/sites/1", id);

    EXPECT_EQ(HeaderOf(r, "X-Request-Id"), id);
    EXPECT_EQ(seen_.request_id, id);
}

TEST_F(PipelineTest, AcceptsARequestIdOfExactly128Characters) {
    const std::string id(128, 'a');

    EXPECT_EQ(HeaderOf(Send("GET", "/api/v1/sites/1", id), "X-Request-Id"), id);
}

TEST_F(PipelineTest, GeneratesARequestIdWhenTheClientSentNone) {
    const std::string first = HeaderOf(Send("GET", "/api/v1/sites/1"), "X-Request-Id");
    const std::string second = HeaderOf(Send("GET", "/api/v1/sites/1"), "X-Request-Id");

    EXPECT_TRUE(IsHex16(first)) << first;
    EXPECT_TRUE(IsHex16(second)) << second;
    EXPECT_NE(first, second);
}

TEST_F(PipelineTest, ReplacesAMalformedRequestIdWithAGeneratedOne) {
    for (const std::string& bad :
         {std::string("has spaces in it"), std::string(129, 'a'), std::string("quote\"inject"),
          std::string("line\nbreak"), std::string("\xE7\x83\xA9")}) {
        const Response r = Send("GET", "/api/v1/sites/1", bad);
        const std::string echoed = HeaderOf(r, "X-Request-Id");
        EXPECT_TRUE(IsHex16(echoed)) << "for " << bad << " got " << echoed;
    }
}

TEST_F(PipelineTest, PutsTheRequestIdInProblemBodiesToo) {
    const Response r = Send("GET", "/nowhere", "trace-1");

    EXPECT_EQ(Body(r)["request_id"], "trace-1");
    EXPECT_EQ(HeaderOf(r, "X-Request-Id"), "trace-1");
}

TEST_F(PipelineTest, RefusesAnUnknownQueryParameterNamingIt) {
    const Response r = Send("GET", "/api/v1/sites?limit=5&colour=red&size=9");

    EXPECT_EQ(r.status, 400);
    json body = Body(r);
    EXPECT_EQ(body["code"], "unknown_parameter");
    ASSERT_EQ(body["errors"].size(), 2u);
    EXPECT_EQ(body["errors"][0]["field"], "colour");
    EXPECT_EQ(body["errors"][1]["field"], "size");
}

TEST_F(PipelineTest, AcceptsTheRoutesOwnQueryParameters) {
    EXPECT_EQ(Send("GET", "/api/v1/sites?limit=5&cursor=abc").status, 200);
}

TEST_F(PipelineTest, AnswersAnUnknownPathWith404) {
    const Response r = Send("GET", "/api/v1/nothing/here");

    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(Body(r)["code"], "not_found");
}

TEST_F(PipelineTest, AnswersAKnownPathWithAnUnregisteredMethodWith405AndAllow) {
    const Response r = Send("DELETE", "/api/v1/sites/3");

    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(HeaderOf(r, "Allow"), "GET, PATCH");
    EXPECT_EQ(Body(r)["code"], "method_not_allowed");
}

TEST_F(PipelineTest, AnswersAMalformedTargetWith400) {
    const Response r = Send("GET", "/api/v1/sites/1?fields=%G1");

    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/problem+json");
}

TEST_F(PipelineTest, TurnsAnErrorFromAHandlerIntoItsStatus) {
    const Response r = Send("POST", "/throw/error");

    EXPECT_EQ(r.status, 409);
    json body = Body(r);
    EXPECT_EQ(body["code"], "invalid_transition");
    EXPECT_EQ(body["detail"], "a closed issue cannot be returned");
}

TEST_F(PipelineTest, HidesTheMessageOfAnUnexpectedExceptionBehind500) {
    const Response r = Send("POST", "/throw/runtime");

    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(Body(r)["code"], "internal");
    EXPECT_EQ(r.body.find("hunter2"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("leaked"), std::string::npos) << r.body;
}

TEST_F(PipelineTest, AnswersALostDatabaseConnectionWith503AndRetryAfter) {
    const Response r = Send("POST", "/throw/broken");

    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
    EXPECT_EQ(Body(r)["code"], "database_unavailable");
}

TEST_F(PipelineTest, AnswersACommitInDoubtWith503AndRetryAfter) {
    const Response r = Send("POST", "/throw/in_doubt");

    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
    EXPECT_EQ(Body(r)["code"], "commit_in_doubt");
}

TEST_F(PipelineTest, RunsTheAuthStepBeforeProtectedHandlersWithTheMatchedRoute) {
    std::vector<std::string> authed;
    pipeline_.SetAuthStep([&](Request& r, const Route& route) {
        authed.push_back(route.pattern);
        r.actor = WithVisibility(
            Actor{.user_id = 9, .username = "wang", .role = Role::kInspector, .unit_id = 4});
    });

    const Response r = Send("GET", "/api/v1/sites/5");

    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(authed, std::vector<std::string>{"/api/v1/sites/{id}"});
    ASSERT_TRUE(seen_.actor.has_value());
    EXPECT_EQ(seen_.actor->user_id, 9);
}

TEST_F(PipelineTest, SkipsTheAuthStepForPublicRoutes) {
    int calls = 0;
    pipeline_.SetAuthStep([&](Request&, const Route&) {
        ++calls;
        throw Error(ErrorCode::kUnauthenticated, "unauthenticated", "sign in first");
    });

    const Response r = Send("POST", "/api/v1/sessions");

    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(calls, 0);
}

TEST_F(PipelineTest, LetsTheAuthStepRefuseWith401WithoutRunningTheHandler) {
    pipeline_.SetAuthStep([](Request&, const Route&) {
        throw Error(ErrorCode::kUnauthenticated, "unauthenticated", "sign in first");
    });
    seen_.route = "untouched";

    const Response r = Send("GET", "/api/v1/sites/5");

    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(Body(r)["code"], "unauthenticated");
    EXPECT_EQ(seen_.route, "untouched");
}

TEST_F(PipelineTest, LabelsMetricsWithTheRouteTemplateNotTheRawPath) {
    Send("GET", "/api/v1/sites/4242");
    Send("GET", "/api/v1/sites/4343");
    Send("GET", "/api/v1/unknown/9191");

    const std::string text = metrics_.Render();

    EXPECT_NE(text.find(R"(route="/api/v1/sites/{id}")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(route="unmatched")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(method="GET",route="/api/v1/sites/{id}",status="200"} 2)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("4242"), std::string::npos) << text;
    EXPECT_EQ(text.find("4343"), std::string::npos) << text;
    EXPECT_EQ(text.find("9191"), std::string::npos) << text;
}

TEST_F(PipelineTest, CountsErrorResponsesUnderTheirStatus) {
    Send("POST", "/throw/error");

    const std::string text = metrics_.Render();

    EXPECT_NE(text.find(R"(method="POST",route="/throw/{kind}",status="409"} 1)"),
              std::string::npos)
        << text;
}

TEST_F(PipelineTest, TellsTheBodyLimitOfTheRouteBeforeTheBodyIsRead) {
    EXPECT_EQ(pipeline_.BodyLimit("PUT", "/api/v1/attachments/ab12"), 10u * 1024 * 1024);
    EXPECT_EQ(pipeline_.BodyLimit("POST", "/api/v1/sessions?next=x"), 4096u);
    EXPECT_EQ(pipeline_.BodyLimit("PATCH", "/api/v1/sites/3"), 64u * 1024);
}

TEST_F(PipelineTest, UsesTheDefaultBodyLimitWhenNoRouteMatches) {
    EXPECT_EQ(pipeline_.BodyLimit("POST", "/api/v1/nowhere"), 64u * 1024);
    EXPECT_EQ(pipeline_.BodyLimit("DELETE", "/api/v1/attachments/ab12"), 64u * 1024);
}

// A sign-in's hash must not hold the request worker: the pipeline queues such a route on its
// own executor and returns at once; a full queue answers 503 with Retry-After, never waits.
TEST(PipelineOffloadTest, ARouteWithItsOwnExecutorFreesTheCallerAndAFullQueueAnswers503AtOnce) {
    BoundedExecutor executor(1, 1);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> entered = 0;
    Router router;
    router.Add("POST", "/api/v1/sessions",
               {.public_route = true, .executor = &executor, .busy_code = "signin_busy"},
               [released, &entered](Request&) {
                   ++entered;
                   released.wait();  // a long hash
                   return Response{.status = 201};
               });
    Metrics metrics;
    Pipeline pipeline(router, metrics);
    auto send = [&](Request& r, std::promise<Response>& answer) {
        r.method = "POST";
        r.target = "/api/v1/sessions";
        const auto started = std::chrono::steady_clock::now();
        pipeline.Handle(r, [&answer](Response response) { answer.set_value(std::move(response)); });
        return std::chrono::steady_clock::now() - started;
    };

    Request running, queued, refused;
    std::promise<Response> running_answer, queued_answer, refused_answer;
    const auto took = send(running, running_answer);
    // Until the first has started, the queue still holds it: wait for that.
    for (int i = 0; i < 400 && entered == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(entered, 1);
    send(queued, queued_answer);
    send(refused, refused_answer);

    EXPECT_LT(took, std::chrono::milliseconds(500)) << "the caller waited for the handler";
    auto refusal = refused_answer.get_future();
    ASSERT_EQ(refusal.wait_for(std::chrono::seconds(0)), std::future_status::ready)
        << "a full queue must answer at once";
    const Response r = refusal.get();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
    EXPECT_EQ(json::parse(r.body)["code"], "signin_busy");
    auto first = running_answer.get_future();
    EXPECT_EQ(first.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

    release.set_value();
    EXPECT_EQ(first.get().status, 201);
    EXPECT_EQ(queued_answer.get_future().get().status, 201);
}

}  // namespace
}  // namespace lantian::http
