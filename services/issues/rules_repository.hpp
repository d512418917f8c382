#pragma once

#include <pqxx/transaction_base>
#include <vector>

#include "issues/deadline.hpp"

namespace lantian::issues {

class RulesRepository {
public:
    std::vector<DeadlineRule> DeadlineRules(pqxx::transaction_base& tx) const;
    /// Replaces the whole table (the caller validated it).
    void ReplaceDeadlineRules(pqxx::transaction_base& tx,
                              const std::vector<DeadlineRule>& rules) const;
    /// The highest heavy-pollution alert in force at `t`.
    AlertLevel AlertLevelAt(pqxx::transaction_base& tx, TimePoint t) const;
};

}  // namespace lantian::issues
