#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace lantian::issues {

/// Hours to rectify for a category and severity; no category = the severity's default.
struct DeadlineRule {
    std::optional<std::string> category;
    int severity = 1;
    int hours = 168;
};

/// A heavy-pollution weather alert in force when a deadline is set (重污染天气预警).
enum class AlertLevel { kNone, kYellow, kOrange, kRed };

/// The hours allowed under an alert: orange halves them (rounding up), red caps them at 24.
int TightenForAlert(int hours, AlertLevel level);

/// The most specific rule for the category and severity: the category's own, else the
/// severity's default. Throws when the table has neither (the PUT refuses such a table).
int HoursFor(const std::vector<DeadlineRule>& rules, const std::string& category, int severity);

/// Checks a replacement table: every severity keeps a default, hours in range, no duplicate
/// (category, severity), known categories. Returns field errors as (field, message).
void ValidateDeadlineRules(const std::vector<DeadlineRule>& rules);

inline TimePoint AddHours(TimePoint from, int hours) {
    return from + std::chrono::hours(hours);
}

}  // namespace lantian::issues
