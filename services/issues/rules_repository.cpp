#include "issues/rules_repository.hpp"

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::issues {

namespace {

constexpr const char* kList = R"(
    select category, severity, hours from deadline_rules
    order by category nulls first, severity)";
constexpr const char* kDeleteAll = "delete from deadline_rules";
constexpr const char* kInsert =
    "insert into deadline_rules (category, severity, hours) values ($1, $2, $3)";

constexpr const char* kDeadlineHours = "select deadline_hours($1, $2, $3::timestamptz)";

}  // namespace

int RulesRepository::DeadlineHours(pqxx::transaction_base& tx, const std::string& category,
                                   int severity, TimePoint at) const {
    const auto hours = db::Nullable<int>(db::Exec1(tx, kDeadlineHours, category, severity, at)[0]);
    if (!hours) {
        throw Error(ErrorCode::kInternal, "no_deadline_rule",
                    "no deadline rule for severity " + std::to_string(severity));
    }
    return *hours;
}

std::vector<DeadlineRule> RulesRepository::DeadlineRules(pqxx::transaction_base& tx) const {
    std::vector<DeadlineRule> out;
    for (const auto& r : tx.exec(kList)) {
        out.push_back({db::Nullable<std::string>(r[0]), r[1].as<int>(), r[2].as<int>()});
    }
    return out;
}

void RulesRepository::ReplaceDeadlineRules(pqxx::transaction_base& tx,
                                           const std::vector<DeadlineRule>& rules) const {
    tx.exec(kDeleteAll);
    for (const auto& rule : rules) db::Exec(tx, kInsert, rule.category, rule.severity, rule.hours);
}

}  // namespace lantian::issues
