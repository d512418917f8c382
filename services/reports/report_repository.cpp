#include "reports/report_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/sql_arrays.hpp"
#include "db/statement.hpp"
#include "issues/issue_repository.hpp"
#include "reports/report_sql.hpp"

namespace lantian::reports {

using sql::IssueKey;
using sql::kOverdueSpan;
using sql::VisibleTo;

namespace {

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

constexpr const char* kEscalations = R"(
    select unit_id, level, count(*) from escalations
    where raised_at >= $1::timestamptz and raised_at < $2::timestamptz
    group by unit_id, level)";

constexpr const char* kUnits = R"(
    select id, name, kind from units where kind = any ($1::text[])
    order by array_position($1::text[], kind), id)";

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
std::string AggregateSql(GroupBy g) {
    const bool rollup = g == GroupBy::kUnit || g == GroupBy::kDay;
    return "select " + AggregateKey(g) + ", " + AggregateColumnList("sum(", ")") + " from " +
           (rollup ? "report_daily_unit" : "report_daily") +
           " where day between $1::date and $2::date group by 1";
}

// A handler's figures are those of the issues it may see (lead or co-unit: VisibleTo, here
// without its null branch since the unit is always bound, so the lead and co-unit indexes
// serve it), counted from the ledger by the aggregates' own definition, report_facts(): all
// of them in its unit's row.
std::string VisibleFactsSql(GroupBy g) {
    const std::string key = g == GroupBy::kUnit  ? "$3::bigint::text"
                            : g == GroupBy::kDay ? "to_char(f.day, 'YYYY-MM-DD')"
                                                 : "f." + AggregateKey(g);
    return "select " + key + ", " + AggregateColumnList("sum(f.", ")") +
           " from issues i cross join lateral report_facts(i, (select time_zone from "
           "district_settings)) f where (i.lead_unit_id = $3 or $3 = any (i.co_unit_ids))"
           " and f.day between $1::date and $2::date group by 1";
}

}  // namespace

std::map<std::string, Counts> ReportRepository::Aggregates(pqxx::transaction_base& tx,
                                                           const Window& w, GroupBy g) const {
    std::map<std::string, Counts> out;
    const pqxx::result rows = w.unit
                                  ? db::Exec(tx, VisibleFactsSql(g), w.from_day, w.to_day, *w.unit)
                                  : db::Exec(tx, AggregateSql(g), w.from_day, w.to_day);
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
                             $4::timestamptz) as t) x
            left join issue_assignments a on )") +
                                kOverdueSpan + R"( @> x.t
                and ($5::bigint is null or exists (
                    select 1 from issues i where i.id = a.issue_id and )" +
                                VisibleTo(5) + R"())
                and d.day::timestamp at time zone $3 <= $4::timestamptz
            group by d.day)";
        for (const auto& row :
             db::Exec(tx, sql, w.from_day, w.to_day, DistrictZoneName(), w.as_of, w.unit)) {
            out[row[0].as<std::string>()] = row[1].as<long long>();
        }
        return out;
    }
    // By unit the assignment says it all; other groupings, and a handler's scope, need the
    // issue. A handler's overdue issues all count in its own unit's row.
    const bool scoped = w.unit.has_value();
    const std::string from = g == GroupBy::kUnit && !scoped
                                 ? "issue_assignments a"
                                 : "issue_assignments a join issues i on i.id = a.issue_id";
    const std::string key = g == GroupBy::kUnit && scoped ? "$2::bigint::text" : IssueKey(g, true);
    const std::string sql = "select " + key + R"(, count(*)
        from )" + from + R"(
        where )" + kOverdueSpan +
                            R"( @> $1::timestamptz
          and ()" + (scoped ? VisibleTo(2) : std::string("$2::bigint is null")) +
                            R"()
          and $3::timestamptz <= $1::timestamptz
        group by 1)";
    for (const auto& row : db::Exec(tx, sql, w.as_of, w.unit, w.start)) {
        out[row[0].as<std::string>()] = row[1].as<long long>();
    }
    return out;
}

std::map<long long, EscalationCounts> ReportRepository::Escalations(pqxx::transaction_base& tx,
                                                                    const Window& w) const {
    std::map<long long, EscalationCounts> out;
    for (const auto& row : db::Exec(tx, kEscalations, w.start, w.end)) {
        const int level = row[1].as<int>();
        if (level < 1 || level > 3) continue;
        out[row[0].as<long long>()].level[static_cast<size_t>(level - 1)] = row[2].as<long long>();
    }
    return out;
}

std::vector<UnitInfo> ReportRepository::Units(pqxx::transaction_base& tx,
                                              const std::vector<std::string>& kinds) const {
    std::vector<UnitInfo> out;
    for (const auto& row : db::Exec(tx, kUnits, db::ToArrayLiteral(kinds))) {
        out.push_back({row[0].as<long long>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return out;
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
