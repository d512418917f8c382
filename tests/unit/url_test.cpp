#include "http/url.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <string>

#include "common/error.hpp"

namespace lantian::http {
namespace {

struct Target {
    std::string path;
    std::multimap<std::string, std::string> query;
};

Target Parse(std::string_view target) {
    Target t;
    ParseTarget(target, t.path, t.query);
    return t;
}

// The slug of the Error ParseTarget throws, or "" when it does not throw.
std::string RefusalOf(std::string_view target) {
    try {
        Parse(target);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << target;
        return e.slug();
    }
    return "";
}

TEST(ParseTarget, SplitsPathFromQuery) {
    const Target t = Parse("/api/v1/sites?kind=restaurant&limit=20");

    EXPECT_EQ(t.path, "/api/v1/sites");
    EXPECT_EQ(t.query,
              (std::multimap<std::string, std::string>{{"kind", "restaurant"}, {"limit", "20"}}));
}

TEST(ParseTarget, DecodesPercentEncodedChineseInQueryValues) {
    // 烩 is U+70E9, UTF-8 E7 83 A9; 面 is U+9762, UTF-8 E9 9D A2.
    const Target t = Parse("/api/v1/sites?q=%E7%83%A9%E9%9D%A2");

    EXPECT_EQ(t.query.find("q")->second, "\xE7\x83\xA9\xE9\x9D\xA2");
}

TEST(ParseTarget, DecodesPercentEncodingInThePath) {
    const Target t = Parse("/dashboard/%E7%83%A9%20menu.html");

    EXPECT_EQ(t.path, "/dashboard/\xE7\x83\xA9 menu.html");
}

TEST(ParseTarget, AcceptsLowerCaseHexDigits) {
    EXPECT_EQ(Parse("/x?q=%e7%83%a9").query.find("q")->second, "\xE7\x83\xA9");
}

TEST(ParseTarget, ReadsPlusAsSpaceInTheQueryButNotInThePath) {
    const Target t = Parse("/a+b?q=west+gate&name%2Bx=1%2B1");

    EXPECT_EQ(t.path, "/a+b");
    EXPECT_EQ(t.query.find("q")->second, "west gate");
    EXPECT_EQ(t.query.find("name+x")->second, "1+1");
}

TEST(ParseTarget, KeepsEveryValueOfARepeatedParameter) {
    const Target t = Parse("/x?status=assigned&status=submitted");

    EXPECT_EQ(t.query.count("status"), 2u);
    auto [first, last] = t.query.equal_range("status");
    EXPECT_EQ(first->second, "assigned");
    EXPECT_EQ(std::next(first)->second, "submitted");
}

TEST(ParseTarget, DecodesEscapedDelimitersInsideAValue) {
    const Target t = Parse("/x?q=a%26b%3Dc");

    ASSERT_EQ(t.query.size(), 1u);
    EXPECT_EQ(t.query.find("q")->second, "a&b=c");
}

TEST(ParseTarget, ReadsAParameterWithoutValueAsEmptyAndSkipsEmptyPairs) {
    const Target t = Parse("/x?flag&&limit=5&");

    EXPECT_EQ(t.query, (std::multimap<std::string, std::string>{{"flag", ""}, {"limit", "5"}}));
}

TEST(ParseTarget, KeepsEqualsSignsAfterTheFirstInTheValue) {
    const Target t = Parse("/x?cursor=YzF8aWQ6NQ==");

    EXPECT_EQ(t.query.find("cursor")->second, "YzF8aWQ6NQ==");
}

TEST(ParseTarget, ClearsQueryLeftFromAnEarlierParse) {
    Target t;
    ParseTarget("/x?a=1", t.path, t.query);
    ParseTarget("/y", t.path, t.query);

    EXPECT_EQ(t.path, "/y");
    EXPECT_TRUE(t.query.empty());
}

TEST(ParseTarget, RefusesPercentFollowedByNonHexDigits) {
    EXPECT_EQ(RefusalOf("/x?q=%G1"), "bad_request");
    EXPECT_EQ(RefusalOf("/x%G1"), "bad_request");
    EXPECT_EQ(RefusalOf("/x?q=%1G"), "bad_request");
}

TEST(ParseTarget, RefusesATruncatedPercentEscape) {
    EXPECT_EQ(RefusalOf("/x?q=%E"), "bad_request");
    EXPECT_EQ(RefusalOf("/x?q=%"), "bad_request");
    EXPECT_EQ(RefusalOf("/x%E"), "bad_request");
}

TEST(ParseTarget, RefusesAnEncodedNulCharacter) {
    EXPECT_EQ(RefusalOf("/x?q=a%00b"), "nul_character");
    EXPECT_EQ(RefusalOf("/x%00"), "nul_character");
    EXPECT_EQ(RefusalOf("/x?a%00=1"), "nul_character");
}

TEST(ParseTarget, RefusesPercentEncodingThatDecodesToInvalidUtf8) {
    EXPECT_EQ(RefusalOf("/x?q=%E7%83"), "invalid_utf8");  // truncated 3-byte sequence
    EXPECT_EQ(RefusalOf("/x?q=%C0%AF"), "invalid_utf8");  // overlong '/'
    EXPECT_EQ(RefusalOf("/x%FF"), "invalid_utf8");
}

TEST(ParseTarget, RefusesATargetThatIsNotAnAbsolutePath) {
    EXPECT_EQ(RefusalOf(""), "bad_request");
    EXPECT_EQ(RefusalOf("api/v1/sites"), "bad_request");
    EXPECT_EQ(RefusalOf("http://example.com/api/v1/sites"), "bad_request");
}

TEST(IsValidUtf8, AcceptsAsciiAndWellFormedMultiByteText) {
    EXPECT_TRUE(IsValidUtf8(""));
    EXPECT_TRUE(IsValidUtf8("plain ascii"));
    EXPECT_TRUE(IsValidUtf8("\xC2\xA9"));                  // © U+00A9, 2 bytes
    EXPECT_TRUE(IsValidUtf8("\xE7\x83\xA9\xE9\x9D\xA2"));  // 烩面
    EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));          // 😀 U+1F600, 4 bytes
    EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the last code point
    EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));              // U+D7FF, just below surrogates
    EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));              // U+E000, just above surrogates
}

TEST(IsValidUtf8, RefusesOverlongEncodings) {
    EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // NUL in two bytes
    EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // U+007F in two bytes
    EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in three bytes
    EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
    EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8, RefusesUtf16Surrogates) {
    EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800
    EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF
    EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 surrogate pair
}

TEST(IsValidUtf8, RefusesCodePointsBeyondU10FFFF) {
    EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // U+110000
    EXPECT_FALSE(IsValidUtf8("\xF7\xBF\xBF\xBF"));      // U+1FFFFF
    EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));  // old 5-byte form
}

TEST(IsValidUtf8, RefusesTruncatedSequences) {
    EXPECT_FALSE(IsValidUtf8("\xC2"));
    EXPECT_FALSE(IsValidUtf8("\xE7\x83"));
    EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
    EXPECT_FALSE(IsValidUtf8("ok\xE7\x83 then more"));  // continuation replaced by ASCII
}

TEST(IsValidUtf8, RefusesStrayContinuationAndInvalidLeadBytes) {
    EXPECT_FALSE(IsValidUtf8("\x80"));
    EXPECT_FALSE(
        IsValidUtf8("a\xBF"
                    "b"));
    EXPECT_FALSE(IsValidUtf8("\xFE"));
    EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace lantian::http
