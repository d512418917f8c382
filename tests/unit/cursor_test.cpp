#include "common/cursor.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"

namespace lantian {
namespace {

std::string RefusalOf(std::string_view cursor) {
    try {
        const std::string position = DecodeCursor(cursor);
        ADD_FAILURE() << "accepted, decoding to \"" << position << '"';
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        return e.slug();
    }
    return "";
}

TEST(Cursor, RoundTripsPositionsOfEveryLength) {
    for (const std::string position :
         {"", "i", "id", "id:", "id:7", "id:123456789", "dist:1532.25,id:88", "名称|42"}) {
        EXPECT_EQ(DecodeCursor(EncodeCursor(position)), position) << position;
    }
}

TEST(Cursor, UsesOnlyUrlSafeCharacters) {
    const std::string cursor = EncodeCursor("dist:1532.25,id:88?&=/+");

    EXPECT_EQ(cursor.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << cursor;
}

TEST(Cursor, DoesNotShowThePositionInPlainText) {
    EXPECT_EQ(EncodeCursor("id:4242").find("4242"), std::string::npos);
}

TEST(Cursor, RefusesAnEmptyCursor) {
    EXPECT_EQ(RefusalOf(""), "invalid_cursor");
}

TEST(Cursor, RefusesCharactersOutsideTheUrlSafeAlphabet) {
    std::string cursor = EncodeCursor("id:42");
    cursor[2] = '+';
    EXPECT_EQ(RefusalOf(cursor), "invalid_cursor");
    EXPECT_EQ(RefusalOf(EncodeCursor("id:42") + "="), "invalid_cursor");
    EXPECT_EQ(RefusalOf("abc def"), "invalid_cursor");
}

TEST(Cursor, RefusesACursorWhoseVersionPrefixWasTamperedWith) {
    std::string cursor = EncodeCursor("id:42");
    cursor[0] = cursor[0] == 'A' ? 'B' : 'A';

    EXPECT_EQ(RefusalOf(cursor), "invalid_cursor");
}

TEST(Cursor, RefusesPlainBase64OfAPositionWithoutThePrefix) {
    // base64url("id:42") = "aWQ6NDI": looks like a cursor but the server never issued it.
    EXPECT_EQ(RefusalOf("aWQ6NDI"), "invalid_cursor");
}

TEST(Cursor, RefusesAnOverlongCursor) {
    EXPECT_EQ(RefusalOf(std::string(513, 'A')), "invalid_cursor");
}

}  // namespace
}  // namespace lantian
