#include "issues/deadline.hpp"

#include <set>
#include <utility>

#include "common/error.hpp"
#include "issues/issue.hpp"

namespace lantian::issues {

void ValidateDeadlineRules(const std::vector<DeadlineRule>& rules) {
    FieldErrors errors;
    std::set<std::pair<std::string, int>> seen;
    std::set<int> defaults;
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& rule = rules[i];
        const std::string at = "rules[" + std::to_string(i) + "]";
        if (rule.severity < 1 || rule.severity > 3)
            errors.Add(at + ".severity", "must be 1, 2 or 3");
        if (rule.hours < 1 || rule.hours > 8760) {
            errors.Add(at + ".hours", "must be between 1 and 8760");
        }
        if (rule.category && CategoryLabel(*rule.category).empty()) {
            errors.Add(at + ".category", "is not a known category");
        }
        if (!seen.insert({rule.category.value_or(""), rule.severity}).second) {
            errors.Add(at, "repeats a category and severity");
        }
        if (!rule.category) defaults.insert(rule.severity);
    }
    for (int severity = 1; severity <= 3; ++severity) {
        if (!defaults.contains(severity)) {
            errors.Add("rules",
                       "needs a default (category null) for severity " + std::to_string(severity));
        }
    }
    errors.ThrowIfAny();
}

}  // namespace lantian::issues
