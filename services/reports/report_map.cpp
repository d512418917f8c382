#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"
#include "issues/issue_repository.hpp"
#include "issues/sql_arrays.hpp"
#include "reports/report_repository.hpp"
#include "reports/report_sql.hpp"

namespace lantian::reports {

using sql::IssueKey;
using sql::kOverdueSpan;
using sql::Us;
using sql::VisibleTo;

namespace {

const std::string kOverdueList = std::string(R"(
    select i.id, s.name, i.category, u.name, (extract(epoch from a.due_at) * 1000000)::bigint,
           floor(extract(epoch from to_timestamp($1::float8 / 1e6) - a.due_at) / 86400)::int,
           i.escalation_level
    from issue_assignments a
    join issues i on i.id = a.issue_id
    join sites s on s.id = i.site_id
    join units u on u.id = a.lead_unit_id
    where )") + kOverdueSpan + R"( @> to_timestamp($1::float8 / 1e6)
      and )" + VisibleTo(2) + R"(
      and to_timestamp($4::float8 / 1e6) <= to_timestamp($1::float8 / 1e6)
    order by a.due_at, i.id
    limit $3)";

const std::string kMapAreas = R"(
    select u.id, u.name, st_asgeojson(u.boundary, 6),
           count(i.id),
           count(i.id) filter (where is_overdue(i.status, i.due_at, to_timestamp($2::float8 / 1e6)))
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
           is_overdue(i.status, i.due_at, to_timestamp($2::float8 / 1e6))
    from issues i join sites s on s.id = i.site_id
    where i.status in ('reported', 'confirmed', 'assigned', 'submitted')
      and )" + VisibleTo(1) + R"(
    order by i.id desc
    limit $3)";

}  // namespace

std::vector<OverdueIssue> ReportRepository::OverdueList(pqxx::transaction_base& tx, const Window& w,
                                                        int limit) const {
    std::vector<OverdueIssue> out;
    for (const auto& row : db::Exec(tx, kOverdueList, Us(w.as_of), w.unit, limit, Us(w.start))) {
        OverdueIssue o;
        o.issue_id = row[0].as<long long>();
        o.site_name = row[1].as<std::string>();
        o.category = row[2].as<std::string>();
        o.unit_name = row[3].as<std::string>();
        o.due_at = FromEpochMicros(row[4].as<long long>());
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
    for (const auto& row : db::Exec(tx, kMapAreas, unit, Us(now))) {
        map.areas.push_back({row[0].as<long long>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), row[3].as<long long>(),
                             row[4].as<long long>()});
    }
    for (const auto& row : db::Exec(tx, kMapPoints, unit, Us(now), max_points + 1)) {
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
