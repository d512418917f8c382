#include "issues/rules_repository.hpp"

#include <pqxx/pqxx>

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

constexpr const char* kAlertLevelAt =
    "select coalesce(alert_level_at(to_timestamp($1::float8 / 1e6)), '')";

}  // namespace

AlertLevel RulesRepository::AlertLevelAt(pqxx::transaction_base& tx, TimePoint t) const {
    const auto level = db::Exec1(tx, kAlertLevelAt, ToEpochMicros(t))[0].as<std::string>();
    if (level == "red") return AlertLevel::kRed;
    if (level == "orange") return AlertLevel::kOrange;
    if (level == "yellow") return AlertLevel::kYellow;
    return AlertLevel::kNone;
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
