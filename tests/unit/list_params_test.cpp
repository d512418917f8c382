#include "http/list_params.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/cursor.hpp"
#include "common/error.hpp"

namespace lantian::http {
namespace {

Request WithQuery(std::multimap<std::string, std::string> query) {
    Request r;
    r.method = "GET";
    r.query = std::move(query);
    return r;
}

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

TEST(ReadListParams, DefaultsToFiftyItemsAndNoCursor) {
    const ListParams p = ReadListParams(WithQuery({}));

    EXPECT_EQ(p.limit, 50);
    EXPECT_FALSE(p.cursor.has_value());
}

TEST(ReadListParams, AcceptsLimitsFromOneTo200) {
    EXPECT_EQ(ReadListParams(WithQuery({{"limit", "1"}})).limit, 1);
    EXPECT_EQ(ReadListParams(WithQuery({{"limit", "73"}})).limit, 73);
    EXPECT_EQ(ReadListParams(WithQuery({{"limit", "200"}})).limit, 200);
}

TEST(ReadListParams, RefusesLimitsOutsideOneTo200NamingTheParameter) {
    for (const std::string bad :
         {"0", "201", "-1", "", "ten", "5.0", "5 ", "+5", "0x10", "99999999999999999999"}) {
        const Error e = ErrorFrom([&] { ReadListParams(WithQuery({{"limit", bad}})); });
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << bad;
        EXPECT_EQ(e.slug(), "invalid_parameter") << bad;
        ASSERT_EQ(e.fields().size(), 1u) << bad;
        EXPECT_EQ(e.fields()[0].field, "limit") << bad;
    }
}

TEST(ReadListParams, RefusesARepeatedLimit) {
    const Error e = ErrorFrom([&] { ReadListParams(WithQuery({{"limit", "5"}, {"limit", "6"}})); });

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.fields().at(0).field, "limit");
}

TEST(ReadListParams, DecodesACursorTheServerIssued) {
    const ListParams p = ReadListParams(WithQuery({{"cursor", EncodeCursor("id:1234")}}));

    ASSERT_TRUE(p.cursor.has_value());
    EXPECT_EQ(*p.cursor, "id:1234");
    EXPECT_EQ(CursorId(*p.cursor), 1234);
}

TEST(ReadListParams, RefusesACursorTheServerDidNotIssue) {
    const Error e = ErrorFrom([&] { ReadListParams(WithQuery({{"cursor", "not a cursor!"}})); });

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.slug(), "invalid_cursor");
}

TEST(CursorId, ReadsThePositiveIdOfAnIdPosition) {
    EXPECT_EQ(CursorId("id:1"), 1);
    EXPECT_EQ(CursorId("id:9007199254740993"), 9007199254740993LL);
}

TEST(CursorId, RefusesPositionsThatAreNotAPositiveId) {
    for (const std::string bad :
         {"", "id:", "id:0", "id:-4", "id:4x", "dist:12.5,4", "ID:4", " id:4", "4"}) {
        const Error e = ErrorFrom([&] { CursorId(bad); });
        EXPECT_EQ(e.slug(), "invalid_cursor") << bad;
    }
}

TEST(QueryId, IsAbsentWhenTheParameterIsNotGiven) {
    EXPECT_FALSE(QueryId(WithQuery({{"limit", "5"}}), "subdistrict_id").has_value());
}

TEST(QueryId, ReadsAPositiveId) {
    EXPECT_EQ(QueryId(WithQuery({{"subdistrict_id", "12"}}), "subdistrict_id"), 12);
}

TEST(QueryId, RefusesAMalformedIdNamingTheParameter) {
    for (const std::string bad : {"0", "-3", "abc", "", "1.5", "12abc"}) {
        const Error e = ErrorFrom([&] {
            QueryId(WithQuery({{"subdistrict_id", bad}}), "subdistrict_id");
        });
        EXPECT_EQ(e.slug(), "invalid_parameter") << bad;
        ASSERT_EQ(e.fields().size(), 1u) << bad;
        EXPECT_EQ(e.fields()[0].field, "subdistrict_id") << bad;
    }
}

TEST(QueryId, RefusesARepeatedParameter) {
    const Error e = ErrorFrom([&] {
        QueryId(WithQuery({{"site_id", "1"}, {"site_id", "2"}}), "site_id");
    });

    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lantian::http
