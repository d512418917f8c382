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

const std::string kOverdueList = std::string(R"(
    select i.id, s.name, i.category, u.name, a.due_at,
           days_late(a.due_at, $1::timestamptz),
           i.escalation_level
    from issue_assignments a
    join issues i on i.id = a.issue_id
    join sites s on s.id = i.site_id
    join units u on u.id = a.lead_unit_id
    where )") + kOverdueSpan + R"( @> $1::timestamptz
      and )" + VisibleTo(2) + R"(
      and $4::timestamptz <= $1::timestamptz
    order by a.due_at, i.id
    limit $3)";

const std::string kMapAreas = R"(
    select u.id, u.name, st_asgeojson(u.boundary, 6),
           count(i.id),
           count(i.id) filter (where is_overdue(i.status, i.due_at, $2::timestamptz))
    from units u
    left join issues i on i.subdistrict_id = u.id
        and i.status in ('reported', 'confirmed', 'assigned', 'submitted')
        and )" + VisibleTo(1) +
                              R"(
    where u.kind in ('subdistrict', 'park') and u.boundary is not null
    group by u.id, u.name, u.boundary
    order by u.id)";

const std::string kMapPoints = R"(
    select i.id, st_x(coalesce(i.location, s.location)::geometry),
           st_y(coalesce(i.location, s.location)::geometry), i.category, i.status,
           is_overdue(i.status, i.due_at, $2::timestamptz)
    from issues i join sites s on s.id = i.site_id
    where i.status in ('reported', 'confirmed', 'assigned', 'submitted')
      and )" + VisibleTo(1) + R"(
    order by i.id desc
    limit $3)";

}  // namespace

std::vector<OverdueIssue> ReportRepository::OverdueList(pqxx::transaction_base& tx, const Window& w,
                                                        int limit) const {
    std::vector<OverdueIssue> out;
    for (const auto& row : db::Exec(tx, kOverdueList, w.as_of, w.unit, limit, w.start)) {
        OverdueIssue o;
        o.issue_id = row[0].as<long long>();
        o.site_name = row[1].as<std::string>();
        o.category = row[2].as<std::string>();
        o.unit_name = row[3].as<std::string>();
        o.due_at = row[4].as<TimePoint>();
        o.days_late = row[5].as<int>();
        o.escalation_level = row[6].as<int>();
        out.push_back(std::move(o));
    }
    return out;
}

OpenIssueMap ReportRepository::Map(pqxx::transaction_base& tx, std::optional<long long> unit,
                                   TimePoint now, int max_points) const {
    OpenIssueMap map;
    map.as_of = now;
    for (const auto& row : db::Exec(tx, kMapAreas, unit, now)) {
        map.areas.push_back({row[0].as<long long>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), row[3].as<long long>(),
                             row[4].as<long long>()});
    }
    for (const auto& row : db::Exec(tx, kMapPoints, unit, now, max_points + 1)) {
        if (static_cast<int>(map.points.size()) == max_points) {
            map.truncated = true;
            break;
        }
        map.points.push_back({row[0].as<long long>(), row[1].as<double>(), row[2].as<double>(),
                              row[3].as<std::string>(), row[4].as<std::string>(),
                              row[5].as<bool>()});
    }
    return map;
}

}  // namespace lantian::reports
