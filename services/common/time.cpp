#include "common/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <atomic>
#include <charconv>
#include <cstdio>

namespace lantian {

namespace {

std::atomic<const date::time_zone*> g_zone{nullptr};

const date::time_zone* DistrictZone() {
    const date::time_zone* zone = g_zone.load(std::memory_order_acquire);
    if (zone == nullptr) {
        zone = date::locate_zone(std::string(kDistrictTimeZone));
        g_zone.store(zone, std::memory_order_release);
    }
    return zone;
}

bool ParseInt(std::string_view s, int& out) {
    // Digits only: from_chars would take a sign, and "T-1:00" is not a time.
    if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

void SetDistrictTimeZone(const std::string& name) {
    g_zone.store(date::locate_zone(name), std::memory_order_release);
}

std::string FormatDistrictTime(TimePoint t) {
    const date::zoned_time<std::chrono::microseconds> zt(DistrictZone(), t);
    const auto info = zt.get_info();
    const auto local = zt.get_local_time();
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd(day);
    const date::hh_mm_ss<std::chrono::microseconds> hms(local - day);
    const auto offset_min = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
    const char sign = offset_min < 0 ? '-' : '+';
    const long long abs_min = offset_min < 0 ? -offset_min : offset_min;
    char buf[64];
    int n = std::snprintf(
        buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
        static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
        static_cast<long long>(hms.seconds().count()));
    std::string out(buf, static_cast<size_t>(n));
    if (const auto us = hms.subseconds().count(); us != 0) {
        n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
        out.append(buf, static_cast<size_t>(n));
    }
    n = std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", sign, abs_min / 60, abs_min % 60);
    out.append(buf, static_cast<size_t>(n));
    return out;
}

std::string DistrictDate(TimePoint t) {
    const date::zoned_time<std::chrono::microseconds> zt(DistrictZone(), t);
    const date::year_month_day ymd(date::floor<date::days>(zt.get_local_time()));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

int DistrictMinuteOfDay(TimePoint t) {
    const date::zoned_time<std::chrono::microseconds> zt(DistrictZone(), t);
    const auto local = zt.get_local_time();
    const auto since_midnight = local - date::floor<date::days>(local);
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
}

namespace {

date::sys_days DaysOf(const std::string& day) {
    const int y = std::stoi(day.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(day.substr(5, 2)));
    const auto d = static_cast<unsigned>(std::stoi(day.substr(8, 2)));
    return date::sys_days(date::year_month_day{date::year(y), date::month(m), date::day(d)});
}

}  // namespace

TimePoint DistrictDayStart(const std::string& day) {
    const date::local_days local(DaysOf(day).time_since_epoch());
    const date::zoned_time<std::chrono::microseconds> zt(DistrictZone(), local,
                                                         date::choose::earliest);
    return TimePoint(zt.get_sys_time().time_since_epoch());
}

std::string AddDays(const std::string& day, int days) {
    const date::year_month_day ymd(DaysOf(day) + date::days(days));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

int DaysBetween(const std::string& from, const std::string& to) {
    return static_cast<int>((DaysOf(to) - DaysOf(from)).count());
}

std::string DistrictZoneName() {
    return std::string(DistrictZone()->name());
}

namespace {

// Years outside these are typing errors (0000, 9999), not ledger dates; they also keep every
// date within what the calendar arithmetic and the district's offset handle exactly.
bool InLedgerYears(int year) {
    return year >= kFirstLedgerYear && year <= kLastLedgerYear;
}

}  // namespace

std::optional<std::string> ParseDate(std::string_view s) {
    int y, m, d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !ParseInt(s.substr(0, 4), y) ||
        !ParseInt(s.substr(5, 2), m) || !ParseInt(s.substr(8, 2), d)) {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)),
                                   date::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || !InLedgerYears(y)) return std::nullopt;
    return std::string(s);
}

std::optional<TimePoint> ParseRfc3339(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
    if (s.size() < 20) return std::nullopt;
    int y, mo, d, h, mi, se;
    if (!ParseInt(s.substr(0, 4), y) || s[4] != '-' || !ParseInt(s.substr(5, 2), mo) ||
        s[7] != '-' || !ParseInt(s.substr(8, 2), d) || (s[10] != 'T' && s[10] != 't') ||
        !ParseInt(s.substr(11, 2), h) || s[13] != ':' || !ParseInt(s.substr(14, 2), mi) ||
        s[16] != ':' || !ParseInt(s.substr(17, 2), se)) {
        return std::nullopt;
    }
    size_t pos = 19;
    long long micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 6) micros = micros * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 6; ++i) micros *= 10;
    }
    if (pos >= s.size()) return std::nullopt;  // no offset: zone-less input is refused
    int offset_min = 0;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        if (pos + 1 != s.size()) return std::nullopt;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (s.size() != pos + 6 || !ParseInt(s.substr(pos + 1, 2), oh) || s[pos + 3] != ':' ||
            !ParseInt(s.substr(pos + 4, 2), om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                   date::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 60 || !InLedgerYears(y)) return std::nullopt;
    const auto t = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                   std::chrono::seconds(se) + std::chrono::microseconds(micros) -
                   std::chrono::minutes(offset_min);
    return TimePoint(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()));
}

}  // namespace lantian
