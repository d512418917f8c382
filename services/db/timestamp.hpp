#pragma once

#include <pqxx/strconv>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace lantian::db {

/// A time point as the text PostgreSQL reads as `timestamptz`: ISO 8601 in UTC with all six
/// fractional digits, `2026-11-27T00:00:00.000000Z`. Exact to the microsecond, whatever the
/// session's TimeZone.
std::string FormatTimestamptz(TimePoint t);

/// Parses the text PostgreSQL sends for a `timestamptz` under DateStyle ISO (the default):
/// `2026-11-27 08:00:00.123456+08`, with any UTC offset the session's TimeZone gives
/// (`+05:30`, and the seconds of a historical local mean time such as `+08:05:43`), and also
/// `T` and `Z` as FormatTimestamptz writes them. Throws pqxx::conversion_error otherwise
/// (`infinity`, BC dates, other DateStyles).
TimePoint ParseTimestamptz(std::string_view text);

}  // namespace lantian::db

namespace pqxx {

/// Binds a TimePoint as a `timestamptz` parameter and reads a `timestamptz` column as one
/// (`field.as<TimePoint>()`, db::Nullable<TimePoint>); std::optional<TimePoint> follows from
/// libpqxx's optional traits (nullopt binds NULL).
template <>
struct string_traits<lantian::TimePoint> {
    static constexpr const char* name() noexcept { return "lantian::TimePoint"; }
    static constexpr bool has_null() noexcept { return false; }
    static bool is_null(const lantian::TimePoint&) { return false; }
    [[noreturn]] static lantian::TimePoint null() { internal::throw_null_conversion(name()); }
    static void from_string(const char str[], lantian::TimePoint& out) {
        out = lantian::db::ParseTimestamptz(str);
    }
    static std::string to_string(const lantian::TimePoint& t) {
        return lantian::db::FormatTimestamptz(t);
    }
};

}  // namespace pqxx
