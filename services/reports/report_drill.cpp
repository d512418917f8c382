#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "issues/issue_repository.hpp"
#include "reports/report_repository.hpp"
#include "reports/report_sql.hpp"

namespace lantian::reports {

using sql::IssueKey;
using sql::kOverdueSpan;
using sql::VisibleTo;

namespace {

std::string MetricPredicate(Metric m) {
    const std::string in_window =
        " >= "
        "$1::timestamptz"
        " and {} < "
        "$2::timestamptz";
    auto between = [&](const std::string& column) {
        std::string out = column + in_window;
        out.replace(out.find("{}"), 2, column);
        return out;
    };
    switch (m) {
        case Metric::kFound:
            return between("i.reported_at");
        case Metric::kConfirmed:
            return "i.status not in ('reported', 'rejected') and not i.fixed_on_spot and " +
                   between("i.triaged_at");
        case Metric::kAssigned:
            return "not i.fixed_on_spot and " + between("i.first_assigned_at");
        case Metric::kClosedOfAssigned:
            return "not i.fixed_on_spot and i.status = 'closed' and " +
                   between("i.first_assigned_at");
        case Metric::kSubmitted:
            return between("i.submitted_at");
        case Metric::kClosed:
            return between("i.closed_at");
        case Metric::kReworked:
            return "i.return_count > 0 and " + between("i.closed_at");
        case Metric::kDue:
            return "not i.fixed_on_spot and " + between("i.due_at");
        case Metric::kOnTime:
            return "not i.fixed_on_spot and i.status = 'closed' and i.submitted_at <= i.due_at "
                   "and " +
                   between("i.due_at");
        case Metric::kRectified:
            return "not i.fixed_on_spot and " + between("i.closed_at");
        case Metric::kOverdue:
            break;
    }
    return "false";
}

// Parameters: $1 start, $2 end, $3 as_of, $4 the caller's unit (null: all), $5 group key
// (null: all). Every parameter is referenced so that each variant prepares.
std::string DrillWhere(Metric m, std::optional<GroupBy> g) {
    const GroupBy group = g.value_or(GroupBy::kDay);
    const bool keyed = g && *g != GroupBy::kDay;
    // A handler's summary has one row by unit, its own, holding every issue it may see.
    const std::string key_match = !keyed ? "false"
                                  : group == GroupBy::kUnit
                                      ? "(case when $4::bigint is null then " +
                                            IssueKey(group, m == Metric::kOverdue) +
                                            " = $5::text else $4::bigint::text = $5::text end)"
                                      : IssueKey(group, m == Metric::kOverdue) + " = $5::text";
    if (m == Metric::kOverdue) {
        return std::string(R"(
            exists (select 1 from issue_assignments a
                    where a.issue_id = i.id and )") +
               kOverdueSpan +
               " @> "
               "$3::timestamptz"
               R"(
                      and )" +
               VisibleTo(4) + R"(
                      and ($5::text is null or )" +
               key_match +
               R"())
            and )"
               "$1::timestamptz"
               " <= "
               "$2::timestamptz"
               " and "
               "$1::timestamptz"
               " <= "
               "$3::timestamptz";
    }
    return MetricPredicate(m) + R"(
        and )" +
           VisibleTo(4) + R"(
        and ($5::text is null or )" +
           key_match +
           R"()
        and )"
           "$3::timestamptz"
           " is not null";
}

}  // namespace

std::vector<issues::Issue> ReportRepository::DrillPage(pqxx::transaction_base& tx, const Window& w,
                                                       Metric metric, std::optional<GroupBy> g,
                                                       const std::optional<std::string>& key,
                                                       long long before_id, int limit) const {
    const std::string sql = "select i.id from issues i where " + DrillWhere(metric, g) +
                            " and ($6::bigint = 0 or i.id < $6) order by i.id desc limit $7";
    std::vector<long long> ids;
    for (const auto& row :
         db::Exec(tx, sql, w.start, w.end, w.as_of, w.unit, key, before_id, limit)) {
        ids.push_back(row[0].as<long long>());
    }
    return issues::IssueRepository().FindMany(tx, ids);
}

long long ReportRepository::DrillCount(pqxx::transaction_base& tx, const Window& w, Metric metric,
                                       std::optional<GroupBy> g,
                                       const std::optional<std::string>& key) const {
    const std::string sql = "select count(*) from issues i where " + DrillWhere(metric, g);
    return db::Exec1(tx, sql, w.start, w.end, w.as_of, w.unit, key)[0].as<long long>();
}

}  // namespace lantian::reports
