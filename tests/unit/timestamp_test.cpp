// The text form of timestamptz parameters and columns (db/timestamp.hpp); the round trip through
// a real server is tests/integration/timestamp_test.cpp.
#include "db/timestamp.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <pqxx/pqxx>

#include "common/time.hpp"

namespace lantian::db {
namespace {

// 2026-11-26T16:00:00Z (see time_test.cpp).
constexpr long long kMidnightShanghaiMicros = (20783LL * 86400 + 16 * 3600) * 1'000'000;

TEST(Timestamptz, FormatsUtcWithAllSixFractionalDigits) {
    EXPECT_EQ(FormatTimestamptz(FromEpochMicros(kMidnightShanghaiMicros)),
              "2026-11-26T16:00:00.000000Z");
    EXPECT_EQ(FormatTimestamptz(FromEpochMicros(kMidnightShanghaiMicros + 123'456)),
              "2026-11-26T16:00:00.123456Z");
    EXPECT_EQ(FormatTimestamptz(FromEpochMicros(0)), "1970-01-01T00:00:00.000000Z");
    // Before the epoch the day and the time of day still come out right.
    EXPECT_EQ(FormatTimestamptz(FromEpochMicros(-1)), "1969-12-31T23:59:59.999999Z");
}

TEST(Timestamptz, ParsesWhatPostgresqlSendsUnderAnyTimeZone) {
    const TimePoint midnight = FromEpochMicros(kMidnightShanghaiMicros);
    EXPECT_EQ(ParseTimestamptz("2026-11-27 00:00:00+08"), midnight);
    EXPECT_EQ(ParseTimestamptz("2026-11-26 16:00:00+00"), midnight);
    EXPECT_EQ(ParseTimestamptz("2026-11-26 11:00:00-05"), midnight);
    EXPECT_EQ(ParseTimestamptz("2026-11-26 21:30:00+05:30"), midnight);
    EXPECT_EQ(ParseTimestamptz("2026-11-26 21:45:00+05:45"), midnight);
    // Local mean time before standard zones: Shanghai was +08:05:43.
    EXPECT_EQ(ParseTimestamptz("1900-01-01 08:05:43+08:05:43"),
              ParseTimestamptz("1900-01-01 00:00:00+00"));
    EXPECT_EQ(ParseTimestamptz("2026-11-27 00:00:00.5+08"),
              midnight + std::chrono::milliseconds(500));
    EXPECT_EQ(ParseTimestamptz("2026-11-27 00:00:00.000001+08"),
              midnight + std::chrono::microseconds(1));
    EXPECT_EQ(ParseTimestamptz("2026-11-26T16:00:00.000000Z"), midnight);
}

TEST(Timestamptz, RoundTripsItsOwnText) {
    for (long long us : {0LL, -1LL, kMidnightShanghaiMicros, kMidnightShanghaiMicros + 999'999,
                         253'402'300'799'999'999LL /* 9999-12-31T23:59:59.999999Z */}) {
        const TimePoint t = FromEpochMicros(us);
        EXPECT_EQ(ParseTimestamptz(FormatTimestamptz(t)), t) << us;
    }
}

TEST(Timestamptz, RefusesWhatIsNotAnIsoTimestamptz) {
    for (const char* text :
         {"", "infinity", "-infinity", "2026-11-27", "2026-11-27 00:00:00",
          "0044-03-15 12:00:00+00 BC", "11/27/2026 00:00:00 CST", "Fri Nov 27 00:00:00 2026 CST",
          "2026-11-27 00:00:00.1234567+08", "2026-02-30 00:00:00+08", "2026-11-27 24:00:00+08",
          "2026-11-27 00:00:00+8"}) {
        EXPECT_THROW(ParseTimestamptz(text), pqxx::conversion_error) << text;
    }
}

TEST(Timestamptz, IsWhatLibpqxxBindsAndReads) {
    const TimePoint t = FromEpochMicros(kMidnightShanghaiMicros + 42);
    EXPECT_EQ(pqxx::to_string(t), "2026-11-26T16:00:00.000042Z");
    TimePoint back;
    pqxx::from_string("2026-11-27 00:00:00.000042+08", back);
    EXPECT_EQ(back, t);
    // An empty optional binds NULL; a present one binds its time.
    using Traits = pqxx::string_traits<std::optional<TimePoint>>;
    EXPECT_TRUE(Traits::is_null(std::nullopt));
    EXPECT_FALSE(Traits::is_null(t));
    EXPECT_EQ(Traits::to_string(t), "2026-11-26T16:00:00.000042Z");
}

}  // namespace
}  // namespace lantian::db
