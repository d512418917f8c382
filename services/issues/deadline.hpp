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

// The hours a deadline gets (the most specific rule, tightened by the alert in force) are
// computed by deadline_hours() in SQL (migration 0008), for one issue and for the dispatch
// alike: RulesRepository::DeadlineHours.

/// Checks a replacement table: every severity keeps a default, hours in range, no duplicate
/// (category, severity), known categories. Returns field errors as (field, message).
void ValidateDeadlineRules(const std::vector<DeadlineRule>& rules);

inline TimePoint AddHours(TimePoint from, int hours) {
    return from + std::chrono::hours(hours);
}

}  // namespace lantian::issues
