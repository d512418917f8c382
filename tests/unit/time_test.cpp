#include "common/time.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace lantian {
namespace {

// 2026-11-26T16:00:00Z: 1970-01-01 to 2026-11-26 is 20783 days (Python datetime agrees).
constexpr long long kMidnightShanghaiSeconds = 20783LL * 86400 + 16 * 3600;

TimePoint AtSeconds(long long seconds, long long micros = 0) {
    return FromEpochMicros(seconds * 1'000'000 + micros);
}

std::string Formatted(std::string_view rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    return t ? FormatDistrictTime(*t) : "<refused>";
}

// Runs the test body with the process in another zone, as a container with TZ=UTC would be.
class ProcessTimeZone : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* tz = std::getenv("TZ")) saved_ = tz;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override {
        if (saved_) {
            setenv("TZ", saved_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }

private:
    std::optional<std::string> saved_;
};

TEST_F(ProcessTimeZone, FormatsInShanghaiTimeWhenTheProcessRunsInUtc) {
    EXPECT_EQ(FormatDistrictTime(AtSeconds(kMidnightShanghaiSeconds)), "2026-11-27T00:00:00+08:00");
}

TEST_F(ProcessTimeZone, FormatsInShanghaiTimeWhenTheProcessRunsInNewYork) {
    setenv("TZ", "America/New_York", 1);
    tzset();

    EXPECT_EQ(FormatDistrictTime(AtSeconds(0)), "1970-01-01T08:00:00+08:00");
}

TEST(FormatDistrictTime, AlwaysShowsPlusEightHoursForShanghai) {
    // China has kept +08:00 all year since 1991: winter and summer alike.
    EXPECT_EQ(Formatted("2026-01-15T12:00:00Z"), "2026-01-15T20:00:00+08:00");
    EXPECT_EQ(Formatted("2026-07-15T12:00:00Z"), "2026-07-15T20:00:00+08:00");
}

TEST(FormatDistrictTime, PutsMidnightUtcPlusEightOnTheNextShanghaiDay) {
    EXPECT_EQ(Formatted("2026-11-26T16:00:00Z"), "2026-11-27T00:00:00+08:00");
}

TEST(FormatDistrictTime, KeepsTheLastUtcSecondBeforeThatOnTheSameShanghaiDay) {
    EXPECT_EQ(Formatted("2026-11-26T15:59:59Z"), "2026-11-26T23:59:59+08:00");
}

TEST(FormatDistrictTime, CrossesTheYearBoundaryInShanghaiTime) {
    EXPECT_EQ(Formatted("2026-12-31T16:00:00Z"), "2027-01-01T00:00:00+08:00");
}

TEST(FormatDistrictTime, LeavesOutMicrosecondsWhenThereAreNone) {
    // An input that spelled out a zero fraction still comes back without one.
    EXPECT_EQ(Formatted("2026-11-26T16:00:00.000000Z"), "2026-11-27T00:00:00+08:00");
    EXPECT_EQ(Formatted("2026-11-26T16:00:00.0000001Z"), "2026-11-27T00:00:00+08:00");
}

TEST(FormatDistrictTime, ShowsSixDigitsOfMicrosecondsWhenThereAreAny) {
    EXPECT_EQ(FormatDistrictTime(AtSeconds(kMidnightShanghaiSeconds, 1)),
              "2026-11-27T00:00:00.000001+08:00");
    EXPECT_EQ(FormatDistrictTime(AtSeconds(kMidnightShanghaiSeconds, 250'000)),
              "2026-11-27T00:00:00.250000+08:00");
}

TEST(ParseRfc3339, ReadsUtcWithZ) {
    EXPECT_EQ(ParseRfc3339("2026-11-26T16:00:00Z"), AtSeconds(kMidnightShanghaiSeconds));
    EXPECT_EQ(ParseRfc3339("2026-11-26t16:00:00z"), AtSeconds(kMidnightShanghaiSeconds));
}

TEST(ParseRfc3339, AppliesPositiveAndNegativeOffsets) {
    EXPECT_EQ(ParseRfc3339("2026-11-27T00:00:00+08:00"), AtSeconds(kMidnightShanghaiSeconds));
    EXPECT_EQ(ParseRfc3339("2026-11-26T11:00:00-05:00"), AtSeconds(kMidnightShanghaiSeconds));
    EXPECT_EQ(ParseRfc3339("2026-11-26T21:45:00+05:45"), AtSeconds(kMidnightShanghaiSeconds));
    EXPECT_EQ(ParseRfc3339("2026-11-26T16:00:00+00:00"), AtSeconds(kMidnightShanghaiSeconds));
}

TEST(ParseRfc3339, ReadsFractionalSecondsToTheMicrosecond) {
    EXPECT_EQ(ParseRfc3339("2026-11-26T16:00:00.5Z"), AtSeconds(kMidnightShanghaiSeconds, 500'000));
    EXPECT_EQ(ParseRfc3339("2026-11-26T16:00:00.000001Z"), AtSeconds(kMidnightShanghaiSeconds, 1));
    EXPECT_EQ(ParseRfc3339("2026-11-27T00:00:00.123456+08:00"),
              AtSeconds(kMidnightShanghaiSeconds, 123'456));
}

TEST(ParseRfc3339, DropsFractionDigitsBeyondMicroseconds) {
    EXPECT_EQ(ParseRfc3339("2026-11-26T16:00:00.123456789Z"),
              AtSeconds(kMidnightShanghaiSeconds, 123'456));
}

TEST(ParseRfc3339, RoundTripsWhatFormatDistrictTimeWrites) {
    const TimePoint t = AtSeconds(kMidnightShanghaiSeconds + 12345, 678);

    EXPECT_EQ(ParseRfc3339(FormatDistrictTime(t)), t);
}

TEST(ParseRfc3339, RefusesZoneLessInput) {
    EXPECT_EQ(ParseRfc3339("2026-11-27T08:00:00"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-11-27T08:00:00.123"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-11-27"), std::nullopt);
}

TEST(ParseRfc3339, RefusesDatesThatDoNotExist) {
    EXPECT_EQ(ParseRfc3339("2026-02-30T00:00:00Z"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-02-29T00:00:00Z"), std::nullopt);  // 2026 is no leap year
    EXPECT_EQ(ParseRfc3339("2026-13-01T00:00:00Z"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-00-10T00:00:00Z"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-04-31T00:00:00Z"), std::nullopt);
    EXPECT_NE(ParseRfc3339("2028-02-29T00:00:00Z"), std::nullopt);  // 2028 is
}

TEST(ParseRfc3339, RefusesTimesOfDayThatDoNotExist) {
    EXPECT_EQ(ParseRfc3339("2026-11-27T24:00:00Z"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-11-27T12:60:00Z"), std::nullopt);
    EXPECT_EQ(ParseRfc3339("2026-11-27T12:00:61Z"), std::nullopt);
}

TEST(ParseRfc3339, RefusesJunk) {
    for (const char* junk :
         {"", "yesterday", "2026-11-27 08:00:00Z", "2026/11/27T08:00:00Z",
          "2026-11-27T08:00:00+0800", "2026-11-27T08:00:00+08", "2026-11-27T08:00:00+24:00",
          "2026-11-27T08:00:00+08:60", "2026-11-27T08:00:00.Z", "2026-11-27T08:00:00Zjunk",
          "2026-11-27T08:00:00+08:00 ", "2026-11-27T08:00:00 Z", "26-11-27T08:00:00Z",
          "2026-1-27T08:00:00Z", "2026-11-27T8:00:00Z", "abcd-11-27T08:00:00Z"}) {
        EXPECT_EQ(ParseRfc3339(junk), std::nullopt) << junk;
    }
}

TEST(ParseRfc3339, RefusesSignedNumbersInDateAndTimeFields) {
    // RFC 3339 fields are digits only; a minus sign is not a digit.
    for (const char* junk :
         {"2026-11-27T-1:00:00Z", "2026-11-27T08:-1:00Z", "2026-11-27T08:00:-1Z",
          "2026-11-27T08:00:00+-1:00", "2026-11-27T08:00:00+08:-1", "-026-11-27T08:00:00Z"}) {
        EXPECT_EQ(ParseRfc3339(junk), std::nullopt) << junk;
    }
}

TEST(LedgerYears, TimesAndDaysOutside2000To2099AreRefused) {
    // 0000-01-01 was accepted and shown 43 s off (the zone's local mean time); 9999-12-01 as a
    // report's first day answered with an as_of in 0999.
    for (const char* t : {"0000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z",
                          "2100-01-01T00:00:00Z", "9999-12-01T00:00:00+08:00"}) {
        EXPECT_EQ(ParseRfc3339(t), std::nullopt) << t;
    }
    for (const char* d : {"0000-01-01", "1999-12-31", "2100-01-01", "9999-12-01"}) {
        EXPECT_EQ(ParseDate(d), std::nullopt) << d;
    }
    EXPECT_NE(ParseRfc3339("2000-01-01T00:00:00Z"), std::nullopt);
    EXPECT_NE(ParseRfc3339("2099-12-31T23:59:59+08:00"), std::nullopt);
    EXPECT_EQ(ParseDate("2000-01-01"), "2000-01-01");
    EXPECT_EQ(ParseDate("2099-12-31"), "2099-12-31");
}

TEST(DistrictDays, ADayBeginsAtShanghaiMidnight) {
    EXPECT_EQ(FormatDistrictTime(DistrictDayStart("2026-11-27")), "2026-11-27T00:00:00+08:00");
    EXPECT_EQ(DistrictDayStart("2026-11-27"), *ParseRfc3339("2026-11-26T16:00:00Z"));
}

TEST(DistrictDays, AddsDaysAcrossMonthsYearsAndLeapDays) {
    EXPECT_EQ(AddDays("2026-11-30", 1), "2026-12-01");
    EXPECT_EQ(AddDays("2026-12-31", 1), "2027-01-01");
    EXPECT_EQ(AddDays("2028-02-28", 1), "2028-02-29");
    EXPECT_EQ(AddDays("2026-03-01", -1), "2026-02-28");
    EXPECT_EQ(DaysBetween("2026-11-01", "2026-11-30"), 29);
    EXPECT_EQ(DaysBetween("2026-01-01", "2027-01-01"), 365);
    EXPECT_EQ(DaysBetween("2026-11-02", "2026-11-01"), -1);
}

}  // namespace
}  // namespace lantian
