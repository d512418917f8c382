#include "reports/report_repository.hpp"

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"
#include "issues/issue_repository.hpp"
#include "issues/sql_arrays.hpp"

namespace lantian::reports {

namespace {

#define LANTIAN_TS(n) "to_timestamp($" #n "::float8 / 1e6)"

// An assignment is overdue at T from its deadline until its evidence is submitted or it ends
// (the expression of the GiST index of migration 0007).
constexpr const char* kOverdueSpan =
    "tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), "
    "'()')";

std::string AggregateKey(GroupBy g) {
    switch (g) {
        case GroupBy::kUnit:
            return "unit_id::text";
        case GroupBy::kCategory:
            return "category";
        case GroupBy::kSiteKind:
            return "site_kind";
        case GroupBy::kSubdistrict:
            return "subdistrict_id::text";
        case GroupBy::kDay:
            return "to_char(day, 'YYYY-MM-DD')";
    }
    return "''";
}

// The group of an issue `i` (and, for overdue, of its assignment `a`).
std::string IssueKey(GroupBy g, bool overdue) {
    switch (g) {
        case GroupBy::kUnit:
            return overdue ? "a.lead_unit_id::text"
                           : "coalesce(i.lead_unit_id, i.subdistrict_id)::text";
        case GroupBy::kCategory:
            return "i.category";
        case GroupBy::kSiteKind:
            return "i.site_kind";
        case GroupBy::kSubdistrict:
            return "i.subdistrict_id::text";
        case GroupBy::kDay:
            return "''";
    }
    return "''";
}

// $1 start, $2 end of the window; fixed-on-the-spot findings skip confirmation, dispatch and
// deadlines. Must say what report_facts() (migration 0007) counts, row for row.
std::string MetricPredicate(Metric m) {
    const std::string in_window = " >= " LANTIAN_TS(1) " and {} < " LANTIAN_TS(2);
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
    const std::string key_match =
        keyed ? (IssueKey(group, m == Metric::kOverdue) + " = $5::text") : "false";
    if (m == Metric::kOverdue) {
        return std::string(R"(
            exists (select 1 from issue_assignments a
                    where a.issue_id = i.id and )") +
               kOverdueSpan + " @> " LANTIAN_TS(3) R"(
                      and ($4::bigint is null or a.lead_unit_id = $4)
                      and ($5::text is null or )" +
               key_match + R"())
            and )" LANTIAN_TS(1) " <= " LANTIAN_TS(2) " and " LANTIAN_TS(1) " <= " LANTIAN_TS(3);
    }
    return MetricPredicate(m) + R"(
        and ($4::bigint is null or coalesce(i.lead_unit_id, i.subdistrict_id) = $4)
        and ($5::text is null or )" +
           key_match + R"()
        and )" LANTIAN_TS(3) " is not null";
}

long long Us(TimePoint t) {
    return ToEpochMicros(t);
}

constexpr const char* kEscalations = R"(
    select unit_id, level, count(*) from escalations
    where raised_at >= to_timestamp($1::float8 / 1e6) and raised_at < to_timestamp($2::float8 / 1e6)
    group by unit_id, level)";

constexpr const char* kUnits = R"(
    select id, name, kind from units where kind = any ($1::text[])
    order by array_position($1::text[], kind), id)";

const std::string kOverdueList = std::string(R"(
    select i.id, s.name, i.category, u.name, (extract(epoch from a.due_at) * 1000000)::bigint,
           floor(extract(epoch from to_timestamp($1::float8 / 1e6) - a.due_at) / 86400)::int,
           i.escalation_level
    from issue_assignments a
    join issues i on i.id = a.issue_id
    join sites s on s.id = i.site_id
    join units u on u.id = a.lead_unit_id
    where )") + kOverdueSpan + R"( @> to_timestamp($1::float8 / 1e6)
      and ($2::bigint is null or a.lead_unit_id = $2)
      and to_timestamp($4::float8 / 1e6) <= to_timestamp($1::float8 / 1e6)
    order by a.due_at, i.id
    limit $3)";

constexpr const char* kMapAreas = R"(
    select u.id, u.name, st_asgeojson(u.boundary, 6),
           count(i.id),
           count(i.id) filter (where is_overdue(i.status, i.due_at, to_timestamp($2::float8 / 1e6)))
    from units u
    left join issues i on i.subdistrict_id = u.id
        and i.status in ('reported', 'confirmed', 'assigned', 'submitted')
        and ($1::bigint is null or coalesce(i.lead_unit_id, i.subdistrict_id) = $1)
    where u.kind in ('subdistrict', 'park') and u.boundary is not null
    group by u.id, u.name, u.boundary
    order by u.id)";

constexpr const char* kMapPoints = R"(
    select i.id, st_x(coalesce(i.location, s.location)::geometry),
           st_y(coalesce(i.location, s.location)::geometry), i.category, i.status,
           is_overdue(i.status, i.due_at, to_timestamp($2::float8 / 1e6))
    from issues i join sites s on s.id = i.site_id
    where i.status in ('reported', 'confirmed', 'assigned', 'submitted')
      and ($1::bigint is null or coalesce(i.lead_unit_id, i.subdistrict_id) = $1)
    order by i.id desc
    limit $3)";

// Rows of report_daily, and of its day × unit rollup, that differ from a recomputation.
std::string DiscrepanciesSql() {
    const std::string columns = AggregateColumnList();
    std::string zeros;
    for (size_t n = 0; n < AggregateColumns().size(); ++n) zeros += n ? ", 0" : "0";
    return "with kept as (select * from report_daily where (" + columns + ") <> (" + zeros +
           ")),"
           " kept_unit as (select * from report_daily_unit where (" +
           columns + ") <> (" + zeros +
           ")),"
           " recomputed_unit as (select day, unit_id, " +
           AggregateColumnList("sum(", ")") +
           " from report_daily_recomputed group by day, unit_id)"
           " select (select count(*) from ("
           "   (select * from kept except all select * from report_daily_recomputed)"
           "   union all"
           "   (select * from report_daily_recomputed except all select * from kept)) d)"
           " + (select count(*) from ("
           "   (select day, unit_id, " +
           columns +
           " from kept_unit except all select * from recomputed_unit)"
           "   union all"
           "   (select * from recomputed_unit except all select day, unit_id, " +
           columns + " from kept_unit)) d)";
}

std::string RebuildUnitsSql() {
    return "insert into report_daily_unit (day, unit_id, " + AggregateColumnList() +
           ") select day, unit_id, " + AggregateColumnList("sum(", ")") +
           " from report_daily group by day, unit_id order by day, unit_id";
}

// The by-unit and by-day figures come from the day × unit rollup (a few hundred rows a month);
// the others from the full aggregates. A handler's statement is its own text, so neither
// shares the other's cached plan.
std::string AggregateSql(GroupBy g, bool scoped) {
    const bool rollup = g == GroupBy::kUnit || g == GroupBy::kDay;
    return "select " + AggregateKey(g) + ", " + AggregateColumnList("sum(", ")") + " from " +
           (rollup ? "report_daily_unit" : "report_daily") +
           " where day between $1::date and $2::date" + (scoped ? " and unit_id = $3" : "") +
           " group by 1";
}

}  // namespace

std::map<std::string, Counts> ReportRepository::Aggregates(pqxx::transaction_base& tx,
                                                           const Window& w, GroupBy g) const {
    std::map<std::string, Counts> out;
    const pqxx::result rows =
        w.unit ? db::Exec(tx, AggregateSql(g, true), w.from_day, w.to_day, *w.unit)
               : db::Exec(tx, AggregateSql(g, false), w.from_day, w.to_day);
    for (const auto& row : rows) {
        Counts& c = out[row[0].as<std::string>()];
        int column = 1;  // the columns of AggregateColumnList(), in order
        for (const Metric m : kMetrics) {
            if (IsAggregated(m)) c[m] = row[column++].as<long long>();
        }
        c.rectify_seconds = row[column].as<long long>();
    }
    return out;
}

std::map<std::string, long long> ReportRepository::OverdueAtEnd(pqxx::transaction_base& tx,
                                                                const Window& w, GroupBy g) const {
    std::map<std::string, long long> out;
    if (g == GroupBy::kDay) {
        // Each day's own end (or now, for today; nothing yet for days to come).
        const std::string sql = std::string(R"(
            select to_char(d.day, 'YYYY-MM-DD'), count(a.id)
            from (select g::date as day
                  from generate_series($1::date, $2::date, interval '1 day') g) d
            cross join lateral (
                select least((d.day + 1)::timestamp at time zone $3,
                             to_timestamp($4::float8 / 1e6)) as t) x
            left join issue_assignments a on )") +
                                kOverdueSpan + R"( @> x.t
                and ($5::bigint is null or a.lead_unit_id = $5)
                and d.day::timestamp at time zone $3 <= to_timestamp($4::float8 / 1e6)
            group by d.day)";
        for (const auto& row :
             db::Exec(tx, sql, w.from_day, w.to_day, DistrictZoneName(), Us(w.as_of), w.unit)) {
            out[row[0].as<std::string>()] = row[1].as<long long>();
        }
        return out;
    }
    // By unit the assignment says it all; other groupings need the issue.
    const std::string from = g == GroupBy::kUnit
                                 ? "issue_assignments a"
                                 : "issue_assignments a join issues i on i.id = a.issue_id";
    const std::string sql = "select " + IssueKey(g, true) + R"(, count(*)
        from )" + from + R"(
        where )" + kOverdueSpan +
                            R"( @> to_timestamp($1::float8 / 1e6)
          and ($2::bigint is null or a.lead_unit_id = $2)
          and to_timestamp($3::float8 / 1e6) <= to_timestamp($1::float8 / 1e6)
        group by 1)";
    for (const auto& row : db::Exec(tx, sql, Us(w.as_of), w.unit, Us(w.start))) {
        out[row[0].as<std::string>()] = row[1].as<long long>();
    }
    return out;
}

std::map<long long, EscalationCounts> ReportRepository::Escalations(pqxx::transaction_base& tx,
                                                                    const Window& w) const {
    std::map<long long, EscalationCounts> out;
    for (const auto& row : db::Exec(tx, kEscalations, Us(w.start), Us(w.end))) {
        const int level = row[1].as<int>();
        if (level < 1 || level > 3) continue;
        out[row[0].as<long long>()].level[static_cast<size_t>(level - 1)] = row[2].as<long long>();
    }
    return out;
}

std::vector<UnitInfo> ReportRepository::Units(pqxx::transaction_base& tx,
                                              const std::vector<std::string>& kinds) const {
    std::vector<UnitInfo> out;
    for (const auto& row : db::Exec(tx, kUnits, issues::ToArrayLiteral(kinds))) {
        out.push_back({row[0].as<long long>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return out;
}

std::vector<issues::Issue> ReportRepository::DrillPage(pqxx::transaction_base& tx, const Window& w,
                                                       Metric metric, std::optional<GroupBy> g,
                                                       const std::optional<std::string>& key,
                                                       long long before_id, int limit) const {
    const std::string sql = "select i.id from issues i where " + DrillWhere(metric, g) +
                            " and ($6::bigint = 0 or i.id < $6) order by i.id desc limit $7";
    std::vector<long long> ids;
    for (const auto& row :
         db::Exec(tx, sql, Us(w.start), Us(w.end), Us(w.as_of), w.unit, key, before_id, limit)) {
        ids.push_back(row[0].as<long long>());
    }
    return issues::IssueRepository().FindMany(tx, ids);
}

long long ReportRepository::DrillCount(pqxx::transaction_base& tx, const Window& w, Metric metric,
                                       std::optional<GroupBy> g,
                                       const std::optional<std::string>& key) const {
    const std::string sql = "select count(*) from issues i where " + DrillWhere(metric, g);
    return db::Exec1(tx, sql, Us(w.start), Us(w.end), Us(w.as_of), w.unit, key)[0].as<long long>();
}

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

std::string ReportRepository::AggregateZone(pqxx::transaction_base& tx) const {
    return db::Exec1(tx, "select time_zone from district_settings")[0].as<std::string>();
}

void ReportRepository::Rebuild(pqxx::transaction_base& tx, const std::string& zone) const {
    db::Exec(tx, "lock table report_daily, report_daily_unit in exclusive mode");
    db::Exec(tx, "update district_settings set time_zone = $1", zone);
    db::Exec(tx, "delete from report_daily");
    db::Exec(tx, "delete from report_daily_unit");
    db::Exec(tx,
             "insert into report_daily select * from report_daily_recomputed"
             " order by day, unit_id, subdistrict_id, category, site_kind");
    db::Exec(tx, RebuildUnitsSql());
}

long long ReportRepository::Discrepancies(pqxx::transaction_base& tx) const {
    return db::Exec1(tx, DiscrepanciesSql())[0].as<long long>();
}

}  // namespace lantian::reports
