#include "db/timestamp.hpp"

#include <date/date.h>

#include <chrono>
#include <cstdio>
#include <pqxx/except>

namespace lantian::db {

namespace {

[[noreturn]] void Refuse(std::string_view text) {
    throw pqxx::conversion_error("not a timestamptz in DateStyle ISO: '" + std::string(text) + "'");
}

/// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::string FormatTimestamptz(TimePoint t) {
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd(day);
    const date::hh_mm_ss<std::chrono::microseconds> hms(t - day);
    char buf[48];
    const int y = static_cast<int>(ymd.year());
    if (y < 1 || y > 9999) {
        throw pqxx::conversion_error("time point outside years 1..9999");
    }
    const int n = std::snprintf(
        buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", y,
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
        static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
        static_cast<long long>(hms.seconds().count()),
        static_cast<long long>(hms.subseconds().count()));
    return std::string(buf, static_cast<size_t>(n));
}

TimePoint ParseTimestamptz(std::string_view s) {
    // YYYY-MM-DD(' '|T)HH:MM:SS[.f{1,6}](Z|±HH[:MM[:SS]])
    size_t pos = 0;
    int y, mo, d, h, mi, se;
    if (!Digits(s, pos, 4, y) || !Expect(s, pos, '-') || !Digits(s, pos, 2, mo) ||
        !Expect(s, pos, '-') || !Digits(s, pos, 2, d)) {
        Refuse(s);
    }
    if (pos >= s.size() || (s[pos] != ' ' && s[pos] != 'T')) Refuse(s);
    ++pos;
    if (!Digits(s, pos, 2, h) || !Expect(s, pos, ':') || !Digits(s, pos, 2, mi) ||
        !Expect(s, pos, ':') || !Digits(s, pos, 2, se)) {
        Refuse(s);
    }
    long long micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (++digits > 6) Refuse(s);  // PostgreSQL keeps microseconds, never more
            micros = micros * 10 + (s[pos] - '0');
            ++pos;
        }
        if (digits == 0) Refuse(s);
        for (int i = digits; i < 6; ++i) micros *= 10;
    }
    long long offset_s = 0;
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0, os = 0;
        if (!Digits(s, pos, 2, oh)) Refuse(s);
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!Digits(s, pos, 2, om)) Refuse(s);
            if (pos < s.size() && s[pos] == ':') {
                ++pos;
                if (!Digits(s, pos, 2, os)) Refuse(s);
            }
        }
        offset_s = sign * (oh * 3600LL + om * 60LL + os);
    } else {
        Refuse(s);
    }
    if (pos != s.size()) Refuse(s);  // " BC" and anything else
    const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                   date::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) Refuse(s);
    const auto t = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                   std::chrono::seconds(se) - std::chrono::seconds(offset_s);
    return TimePoint(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()) +
                     std::chrono::microseconds(micros));
}

}  // namespace lantian::db
