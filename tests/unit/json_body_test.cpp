#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace lantian::http {
namespace {

using nlohmann::json;

std::string Nested(int depth, char open, char close, const std::string& inner = "1") {
    std::string s;
    for (int i = 0; i < depth; ++i)
        s += open == '{' ? std::string("{\"k\":") : std::string(1, open);
    s += inner;
    s += std::string(static_cast<size_t>(depth), close);
    return s;
}

// The Error a callable throws; fails the test when it throws nothing.
template <typename F>
Error ErrorFrom(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected an Error";
    return Error(ErrorCode::kInternal, "none", "none");
}

Error ParseError(const std::string& body) {
    return ErrorFrom([&] { ParseStrictJson(body); });
}

Request JsonRequest(std::string content_type, std::string body) {
    Request r;
    r.method = "POST";
    if (!content_type.empty()) r.headers["content-type"] = std::move(content_type);
    r.body = std::move(body);
    return r;
}

TEST(ParseStrictJson, ParsesAnOrdinaryBody) {
    const json j = ParseStrictJson(R"({"name":"老王烧烤","location":{"lat":34.7,"lon":113.6}})");

    EXPECT_EQ(j["name"], "老王烧烤");
    EXPECT_DOUBLE_EQ(j["location"]["lon"].get<double>(), 113.6);
}

TEST(ParseStrictJson, AcceptsArraysNestedThirtyTwoDeep) {
    EXPECT_NO_THROW(ParseStrictJson(Nested(32, '[', ']')));
}

TEST(ParseStrictJson, RefusesArraysNestedThirtyThreeDeep) {
    const Error e = ParseError(Nested(33, '[', ']'));

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.slug(), "json_too_deep");
}

TEST(ParseStrictJson, AcceptsObjectsNestedThirtyTwoDeep) {
    EXPECT_NO_THROW(ParseStrictJson(Nested(32, '{', '}')));
}

TEST(ParseStrictJson, RefusesObjectsNestedThirtyThreeDeep) {
    EXPECT_EQ(ParseError(Nested(33, '{', '}')).slug(), "json_too_deep");
}

TEST(ParseStrictJson, CountsObjectsAndArraysTogetherTowardTheDepth) {
    // 16 objects around 16 arrays is 32 levels; one more array makes 33.
    EXPECT_NO_THROW(ParseStrictJson(Nested(16, '{', '}', Nested(16, '[', ']'))));
    EXPECT_EQ(ParseError(Nested(16, '{', '}', Nested(17, '[', ']'))).slug(), "json_too_deep");
}

TEST(ParseStrictJson, MeasuresDepthAlongOnePathNotAcrossSiblings) {
    // Many siblings each 31 deep inside one array: never deeper than 32.
    std::string body = "[";
    for (int i = 0; i < 5; ++i) body += (i ? "," : "") + Nested(31, '[', ']');
    body += "]";

    EXPECT_NO_THROW(ParseStrictJson(body));
}

TEST(ParseStrictJson, RefusesADuplicateKeyAtTheTopLevel) {
    const Error e = ParseError(R"({"name":"a","kind":"restaurant","name":"b"})");

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.slug(), "duplicate_key");
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].field, "name");
}

TEST(ParseStrictJson, RefusesADuplicateKeyInANestedObject) {
    const Error e = ParseError(R"({"location":{"lat":1,"lon":2,"lat":3}})");

    EXPECT_EQ(e.slug(), "duplicate_key");
}

TEST(ParseStrictJson, AcceptsTheSameKeyInSiblingObjects) {
    const json j = ParseStrictJson(
        R"({"findings":[{"category":"a"},{"category":"b"}],"location":{"lat":1},"lat":2})");

    EXPECT_EQ(j["findings"][1]["category"], "b");
    EXPECT_EQ(j["lat"], 2);
}

TEST(ParseStrictJson, AcceptsTheSameKeyInAnObjectAndItsParentAfterTheChildCloses) {
    EXPECT_NO_THROW(ParseStrictJson(R"({"a":{"b":1},"b":2})"));
    EXPECT_NO_THROW(ParseStrictJson(R"({"b":2,"a":{"b":1}})"));
}

TEST(ParseStrictJson, RefusesNulInAStringValue) {
    EXPECT_EQ(ParseError(R"({"name":"ab\u0000cd"})").slug(), "nul_character");
    EXPECT_EQ(ParseError(R"({"photo_ids":["x","\u0000"]})").slug(), "nul_character");
}

TEST(ParseStrictJson, RefusesNulInAKey) {
    EXPECT_EQ(ParseError(R"({"na\u0000me":"x"})").slug(), "nul_character");
}

TEST(ParseStrictJson, RefusesInvalidUtf8InsideAStringWithItsOwnCode) {
    EXPECT_EQ(ParseError("{\"name\":\"\xE7\x83\"}").slug(), "invalid_utf8");
    EXPECT_EQ(ParseError("{\"name\":\"\xC0\xAF\"}").slug(), "invalid_utf8");
    EXPECT_EQ(ParseError("{\"n\xFF\":1}").slug(), "invalid_utf8");
}

TEST(ParseStrictJson, RefusesMalformedJsonAsMalformed) {
    for (const std::string body : {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{'a':1}",
                                   "{\"a\":1} trailing", "NaN", "// c\n{}"}) {
        const Error e = ParseError(body);
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << body;
        EXPECT_EQ(e.slug(), "malformed_json") << body;
    }
}

TEST(ParseStrictJson, RefusesANumberBeyondADoublesRangeAsMalformedAnywhereInTheBody) {
    for (const std::string body :
         {R"({"username":"x","password":1e400})", R"({"password":-1e400})",
          R"({"unknown":1e999999999})", R"({"a":{"b":[1, 2, 1e400]}})", "1e400"}) {
        const Error e = ParseError(body);
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << body;
        EXPECT_EQ(e.slug(), "malformed_json") << body;
    }
    EXPECT_NO_THROW(ParseStrictJson(R"({"big":1e308,"small":-1e308,"tiny":1e-400})"));
}

TEST(ParseStrictJson, CallsATruncatedBodyMalformedEvenWhenItMentionsUtf8) {
    // Only genuinely ill-formed UTF-8 earns `invalid_utf8`, not text that says "UTF-8".
    EXPECT_EQ(ParseError(R"({"charset":"UTF-8)").slug(), "malformed_json");
}

TEST(JsonObjectBody, AcceptsApplicationJsonWithACharsetParameter) {
    const json j = JsonObjectBody(JsonRequest("application/json; charset=utf-8", R"({"a":1})"));

    EXPECT_EQ(j["a"], 1);
}

TEST(JsonObjectBody, AcceptsTheMediaTypeInAnyCase) {
    EXPECT_NO_THROW(JsonObjectBody(JsonRequest("Application/JSON", "{}")));
    EXPECT_NO_THROW(JsonObjectBody(JsonRequest("application/json ;charset=UTF-8", "{}")));
}

TEST(JsonObjectBody, AcceptsMergePatchJson) {
    EXPECT_NO_THROW(JsonObjectBody(JsonRequest("application/merge-patch+json", "{}")));
}

TEST(JsonObjectBody, RefusesOtherOrMissingContentTypesWith415) {
    for (const std::string type : {"", "text/plain", "application/x-www-form-urlencoded",
                                   "application/jsonp", "multipart/form-data; boundary=x"}) {
        const Error e = ErrorFrom([&] { JsonObjectBody(JsonRequest(type, "{}")); });
        EXPECT_EQ(e.code(), ErrorCode::kUnsupportedMediaType) << type;
        EXPECT_EQ(e.slug(), "unsupported_media_type") << type;
    }
}

TEST(JsonObjectBody, RefusesATopLevelValueThatIsNotAnObject) {
    for (const std::string body : {"[]", "[{\"a\":1}]", "\"text\"", "42", "null", "true"}) {
        const Error e = ErrorFrom([&] { JsonObjectBody(JsonRequest("application/json", body)); });
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << body;
        EXPECT_EQ(e.slug(), "malformed_json") << body;
    }
}

TEST(JsonObjectBody, AppliesTheStrictParserToTheBody) {
    const Error e =
        ErrorFrom([&] { JsonObjectBody(JsonRequest("application/json", R"({"a":1,"a":2})")); });

    EXPECT_EQ(e.slug(), "duplicate_key");
}

TEST(RejectUnknownFields, AcceptsAnObjectWithOnlyAllowedFields) {
    EXPECT_NO_THROW(RejectUnknownFields(json{{"name", "x"}, {"kind", "restaurant"}},
                                        {"name", "kind", "address"}));
}

TEST(RejectUnknownFields, NamesEveryUnknownFieldWithThePrefix) {
    const json body = {{"name", "x"}, {"id", 5}, {"version", 3}, {"created_at", "2026"}};

    const Error e = ErrorFrom([&] { RejectUnknownFields(body, {"name"}, "location."); });

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.slug(), "unknown_field");
    std::vector<std::string> fields;
    for (const auto& f : e.fields()) fields.push_back(f.field);
    EXPECT_EQ(fields,
              (std::vector<std::string>{"location.created_at", "location.id", "location.version"}));
    const std::string message = e.what();
    EXPECT_NE(message.find("\"location.id\""), std::string::npos) << message;
    EXPECT_NE(message.find("\"location.version\""), std::string::npos) << message;
    EXPECT_NE(message.find("\"location.created_at\""), std::string::npos) << message;
}

TEST(RejectUnknownFields, NamesASingleUnknownFieldWithoutPrefix) {
    const Error e = ErrorFrom([&] { RejectUnknownFields(json{{"status", "x"}}, {"name"}); });

    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].field, "status");
}

TEST(JsonResponse, SendsTheStatusAndCompactJson) {
    const Response r = JsonResponse(201, json{{"id", 7}, {"name", "烩面"}});

    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(json::parse(r.body), (json{{"id", 7}, {"name", "烩面"}}));
    EXPECT_EQ(r.body.find(' '), std::string::npos);
}

}  // namespace
}  // namespace lantian::http
