#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "issues/deadline.hpp"

namespace lantian::issues {

class RulesRepository {
public:
    std::vector<DeadlineRule> DeadlineRules(pqxx::transaction_base& tx) const;
    /// Replaces the whole table (the caller validated it).
    void ReplaceDeadlineRules(pqxx::transaction_base& tx,
                              const std::vector<DeadlineRule>& rules) const;
    /// The hours to rectify an issue of this category and severity whose deadline is set at
    /// `at`: deadline_hours() of migration 0008, the one definition the daily dispatch uses too
    /// (the category's rule, else the severity's default, tightened by the alert in force).
    /// Throws Error(kInternal, "no_deadline_rule") when the table has no rule for the severity.
    int DeadlineHours(pqxx::transaction_base& tx, const std::string& category, int severity,
                      TimePoint at) const;
};

}  // namespace lantian::issues
