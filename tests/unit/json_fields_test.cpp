#include "http/json_fields.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace lantian::http {
namespace {

using nlohmann::json;

// The field errors collected so far, as "path: message" lines.
std::vector<std::string> Collected(const FieldErrors& errors) {
    try {
        errors.ThrowIfAny();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kValidation);
        std::vector<std::string> out;
        for (const auto& f : e.fields()) out.push_back(f.field + ": " + f.message);
        return out;
    }
    return {};
}

TEST(JsonFields, AnIntegerIsRangeCheckedOnItsFullValueNotOnIts32BitRemainder) {
    // 4294967299 = 2^32 + 3 and 4294967320 = 2^32 + 24 once passed as 3 and 24.
    const json body = json::parse(
        R"({"ok":3,"wrapped":4294967299,"hours":4294967320,"huge":18446744073709551615,
            "negative":-4294967293,"low":0,"text":"3","fraction":2.5})");
    FieldErrors errors;
    JsonFields f(body, errors);
    EXPECT_EQ(f.IntInRange("ok", true, 1, 3, "must be 1, 2 or 3"), 3);
    for (const char* key : {"wrapped", "hours", "huge", "negative", "low", "text", "fraction"}) {
        EXPECT_EQ(f.IntInRange(key, true, 1, 3, "must be 1, 2 or 3"), std::nullopt) << key;
    }
    EXPECT_EQ(f.IntInRange("absent", false, 1, 3, "must be 1, 2 or 3"), std::nullopt);
    EXPECT_EQ(Collected(errors),
              (std::vector<std::string>{"wrapped: must be 1, 2 or 3", "hours: must be 1, 2 or 3",
                                        "huge: must be 1, 2 or 3", "negative: must be 1, 2 or 3",
                                        "low: must be 1, 2 or 3", "text: must be 1, 2 or 3",
                                        "fraction: must be 1, 2 or 3"}));
}

TEST(JsonFields, ReadsValuesOfTheRightType) {
    const json body = json::parse(
        R"({"name":"老王烧烤","site_id":12,"lat":34.75,"lon":113,"fixed_on_spot":true,
            "location":{"lat":1}})");
    FieldErrors errors;
    JsonFields f(body, errors);

    EXPECT_EQ(f.String("name"), "老王烧烤");
    EXPECT_EQ(f.Id("site_id"), 12);
    EXPECT_EQ(f.Number("lat"), 34.75);
    EXPECT_EQ(f.Number("lon"), 113.0);
    EXPECT_EQ(f.Bool("fixed_on_spot"), true);
    ASSERT_NE(f.Object("location"), nullptr);
    EXPECT_EQ((*f.Object("location"))["lat"], 1);
    EXPECT_TRUE(errors.empty());
}

TEST(JsonFields, TreatsAbsentAndNullOptionalFieldsAsNotGivenWithoutError) {
    const json body = json::parse(R"({"address":null})");
    FieldErrors errors;
    JsonFields f(body, errors);

    EXPECT_EQ(f.String("address"), std::nullopt);
    EXPECT_EQ(f.String("name"), std::nullopt);
    EXPECT_EQ(f.Object("location"), nullptr);
    EXPECT_TRUE(errors.empty());
    EXPECT_TRUE(f.Has("address"));
    EXPECT_TRUE(f.IsNull("address"));
    EXPECT_FALSE(f.Has("name"));
    EXPECT_FALSE(f.IsNull("name"));
}

TEST(JsonFields, RecordsEveryMissingRequiredFieldAsRequired) {
    const json body = json::parse(R"({"site_id":null})");
    FieldErrors errors;
    JsonFields f(body, errors);

    f.String("description", true);
    f.Id("site_id", true);
    f.Number("lat", true);
    f.Bool("fixed_on_spot", true);
    f.Object("location", true);

    EXPECT_EQ(Collected(errors),
              (std::vector<std::string>{"description: is required", "site_id: is required",
                                        "lat: is required", "fixed_on_spot: is required",
                                        "location: is required"}));
}

TEST(JsonFields, RecordsEachWrongTypeWithItsFullJsonPath) {
    const json body = json::parse(
        R"({"name":5,"site_id":"12","lat":"34.7","fixed_on_spot":"yes","attributes":[]})");
    FieldErrors errors;
    JsonFields f(body, errors, "findings[2].");

    EXPECT_EQ(f.String("name"), std::nullopt);
    EXPECT_EQ(f.Id("site_id"), std::nullopt);
    EXPECT_EQ(f.Number("lat"), std::nullopt);
    EXPECT_EQ(f.Bool("fixed_on_spot"), std::nullopt);
    EXPECT_EQ(f.Object("attributes"), nullptr);

    EXPECT_EQ(Collected(errors), (std::vector<std::string>{
                                     "findings[2].name: must be a string",
                                     "findings[2].site_id: must be a positive integer id",
                                     "findings[2].lat: must be a number",
                                     "findings[2].fixed_on_spot: must be true or false",
                                     "findings[2].attributes: must be an object",
                                 }));
}

TEST(JsonFields, NamesNestedFieldsThroughTheParentPrefix) {
    const json body = json::parse(R"({"location":{"lat":"north"}})");
    FieldErrors errors;
    JsonFields outer(body, errors);
    const json* location = outer.Object("location", true);
    ASSERT_NE(location, nullptr);
    JsonFields inner(*location, errors, outer.Path("location") + ".");

    inner.Number("lat", true);
    inner.Number("lon", true);

    EXPECT_EQ(Collected(errors), (std::vector<std::string>{"location.lat: must be a number",
                                                           "location.lon: is required"}));
}

TEST(JsonFields, RefusesIdsThatAreNotPositiveIntegers) {
    const json body = json::parse(
        R"({"a":0,"b":-4,"c":1.5,"d":18446744073709551615,"e":9223372036854775807,"f":true})");
    FieldErrors errors;
    JsonFields f(body, errors);

    EXPECT_EQ(f.Id("a"), std::nullopt);
    EXPECT_EQ(f.Id("b"), std::nullopt);
    EXPECT_EQ(f.Id("c"), std::nullopt);
    EXPECT_EQ(f.Id("d"), std::nullopt);
    EXPECT_EQ(f.Id("e"), 9223372036854775807LL);
    EXPECT_EQ(f.Id("f"), std::nullopt);

    EXPECT_EQ(Collected(errors).size(), 5u);
}

TEST(JsonFields, AcceptsIntegersWhereANumberIsExpectedButNotBooleans) {
    const json body = json::parse(R"({"radius_m":500,"flag":true})");
    FieldErrors errors;
    JsonFields f(body, errors);

    EXPECT_EQ(f.Number("radius_m"), 500.0);
    EXPECT_EQ(f.Number("flag"), std::nullopt);
    EXPECT_EQ(Collected(errors), std::vector<std::string>{"flag: must be a number"});
}

TEST(JsonFields, ReportsAllCollectedFieldsInOneValidationError) {
    FieldErrors errors;
    errors.Add("name", "is required");
    errors.Add("location.lat", "must be a number");

    try {
        errors.ThrowIfAny();
        FAIL() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kValidation);
        EXPECT_EQ(e.slug(), "validation_failed");
        EXPECT_STREQ(e.what(), "invalid values for \"name\", \"location.lat\"");
    }
}

}  // namespace
}  // namespace lantian::http
