#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace lantian {

/// The district's default time zone. Days and deadlines are reckoned in the configured zone
/// (this one unless LANTIAN_TIME_ZONE says otherwise), whatever the process's TZ.
inline constexpr std::string_view kDistrictTimeZone = "Asia/Shanghai";

/// Formats as RFC 3339 in the district's zone with microseconds when non-zero:
/// `2026-11-27T08:00:00+08:00`.
std::string FormatDistrictTime(TimePoint t);

/// The years a time or day of the ledger may fall in (its inputs outside them are refused).
inline constexpr int kFirstLedgerYear = 2000;
inline constexpr int kLastLedgerYear = 2099;

/// Parses RFC 3339 with a mandatory offset (`Z` or `±hh:mm`). Zone-less input, or a date
/// outside kFirstLedgerYear..kLastLedgerYear as written → nullopt.
std::optional<TimePoint> ParseRfc3339(std::string_view text);

/// Microseconds since the Unix epoch, as PostgreSQL's `extract(epoch ...)*1e6` yields.
inline TimePoint FromEpochMicros(long long us) {
    return TimePoint(std::chrono::microseconds(us));
}
inline long long ToEpochMicros(TimePoint t) {
    return t.time_since_epoch().count();
}

/// The district's calendar day of a time point, `YYYY-MM-DD` (midnight is Asia/Shanghai's,
/// whatever the process's TZ).
std::string DistrictDate(TimePoint t);

/// A calendar day `YYYY-MM-DD`; nullopt when malformed, impossible (2026-02-30) or outside
/// kFirstLedgerYear..kLastLedgerYear.
std::optional<std::string> ParseDate(std::string_view text);

/// The instant a district day (`YYYY-MM-DD`, already validated) begins.
TimePoint DistrictDayStart(const std::string& day);
/// The day `days` after (or before, when negative) a validated day.
std::string AddDays(const std::string& day, int days);
/// Whole days from `from` to `to` (negative when `to` comes first).
int DaysBetween(const std::string& from, const std::string& to);

/// The district time of day of a time point, in minutes after midnight.
int DistrictMinuteOfDay(TimePoint t);

/// The name of the configured district zone (for SQL `at time zone`).
std::string DistrictZoneName();

/// Sets the district zone once at start; throws std::runtime_error for an unknown name.
void SetDistrictTimeZone(const std::string& name);

}  // namespace lantian
