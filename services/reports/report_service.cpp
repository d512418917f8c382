#include "reports/report_service.hpp"

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "reports/ranking.hpp"
#include "sites/site.hpp"

namespace lantian::reports {

namespace {

Error BadDay(const std::string& name) {
    return Error::InvalidArgument("invalid_parameter",
                                  name + " must be a day as YYYY-MM-DD in 2000–2099",
                                  {{name, "must be a day as YYYY-MM-DD in 2000–2099"}});
}

SummaryRow Row(std::string key, std::string label, const std::map<std::string, Counts>& counts,
               const std::map<std::string, long long>& overdue) {
    SummaryRow row{std::move(key), std::move(label), {}};
    if (const auto it = counts.find(row.key); it != counts.end()) row.counts = it->second;
    if (const auto it = overdue.find(row.key); it != overdue.end()) {
        row.counts[Metric::kOverdue] = it->second;
    }
    return row;
}

// The rows a grouping always shows (zeros included), then any other key with figures.
std::vector<SummaryRow> Rows(GroupBy g, const Period& period, const std::vector<UnitInfo>& units,
                             std::optional<long long> unit_scope,
                             const std::map<std::string, Counts>& counts,
                             const std::map<std::string, long long>& overdue) {
    std::vector<SummaryRow> rows;
    std::map<std::string, bool> shown;
    auto add = [&](std::string key, std::string label) {
        shown[key] = true;
        rows.push_back(Row(std::move(key), std::move(label), counts, overdue));
    };
    std::map<std::string, std::string> unit_names;
    for (const auto& u : units) unit_names[std::to_string(u.id)] = u.name;
    switch (g) {
        case GroupBy::kUnit:
            for (const auto& u : units) {
                if (unit_scope && u.id != *unit_scope) continue;
                if (u.kind == "office" && !counts.contains(std::to_string(u.id))) continue;
                add(std::to_string(u.id), u.name);
            }
            break;
        case GroupBy::kSubdistrict:
            for (const auto& u : units) {
                if (u.kind == "subdistrict" || u.kind == "park") add(std::to_string(u.id), u.name);
            }
            break;
        case GroupBy::kCategory:
            for (const auto code : issues::CategoryCodes()) {
                add(std::string(code), std::string(issues::CategoryLabel(code)));
            }
            break;
        case GroupBy::kSiteKind:
            for (const auto code : sites::SiteKindCodes()) {
                add(std::string(code), std::string(sites::SiteKindLabel(code)));
            }
            break;
        case GroupBy::kDay:
            for (std::string day = period.from; day <= period.to; day = AddDays(day, 1)) {
                add(day, day);
            }
            break;
    }
    auto extra = [&](const std::string& key) {
        if (shown.contains(key)) return;
        std::string label = key;
        if (const auto it = unit_names.find(key); it != unit_names.end()) label = it->second;
        if (g == GroupBy::kCategory && !issues::CategoryLabel(key).empty()) {
            label = std::string(issues::CategoryLabel(key));
        }
        add(key, label);
    };
    for (const auto& [key, c] : counts) extra(key);
    for (const auto& [key, n] : overdue) {
        if (n > 0) extra(key);
    }
    return rows;
}

}  // namespace

Period ReportService::ResolvePeriod(const std::optional<std::string>& from,
                                    const std::optional<std::string>& to, int max_days) const {
    Period p;
    if (to) {
        if (!ParseDate(*to)) throw BadDay("to");
        p.to = *to;
    } else {
        p.to = DistrictDate(clock_.Now());
    }
    if (from) {
        if (!ParseDate(*from)) throw BadDay("from");
        p.from = *from;
    } else {
        p.from = p.to.substr(0, 8) + "01";
    }
    if (p.to < p.from) throw Error::Validation({{"to", "must not come before from"}});
    if (DaysBetween(p.from, p.to) + 1 > max_days) {
        throw Error::Validation(
            {{"to", "the period may span at most " + std::to_string(max_days) + " days"}});
    }
    return p;
}

Window ReportService::WindowFor(const Period& period, std::optional<long long> unit) const {
    Window w;
    w.from_day = period.from;
    w.to_day = period.to;
    w.start = DistrictDayStart(period.from);
    w.end = DistrictDayStart(AddDays(period.to, 1));
    w.as_of = std::min(w.end, clock_.Now());
    w.unit = unit;
    return w;
}

Summary ReportService::Summarize(const Period& period, GroupBy group_by, const Actor& actor) {
    const Window w = WindowFor(period, actor.visibility.OwnUnit());
    if (group_by == GroupBy::kDay && DaysBetween(period.from, period.to) + 1 > kMaxDailyRows) {
        throw Error::Validation(
            {{"to", "a daily report may span at most " + std::to_string(kMaxDailyRows) + " days"}});
    }
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        Summary s;
        s.period = period;
        s.group_by = group_by;
        s.as_of = w.as_of;
        const auto counts = repository_.Aggregates(tx, w, group_by);
        const auto overdue = repository_.OverdueAtEnd(tx, w, group_by);
        const auto units = repository_.Units(tx, {"subdistrict", "park", "department", "office"});
        s.rows = Rows(group_by, period, units, w.unit, counts, overdue);
        for (const auto& row : s.rows) s.totals += row.counts;
        // Overdue is a stock, not a flow: the period's figure is the one at as_of, as in
        // every other grouping (not the last row's: days to come have no figure).
        if (group_by == GroupBy::kDay) {
            long long stock = 0;
            for (const auto& [key, n] : repository_.OverdueAtEnd(tx, w, GroupBy::kUnit)) {
                stock += n;
            }
            s.totals[Metric::kOverdue] = stock;
        }
        return s;
    });
}

Ranking ReportService::Rank(const Period& period, const Actor&) {
    // The ranking is the public 通报: every report reader sees every territory's place.
    const Window w = WindowFor(period, std::nullopt);
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        Ranking r;
        r.period = period;
        r.as_of = w.as_of;
        const auto counts = repository_.Aggregates(tx, w, GroupBy::kUnit);
        const auto overdue = repository_.OverdueAtEnd(tx, w, GroupBy::kUnit);
        const auto escalations = repository_.Escalations(tx, w);
        for (const auto& u : repository_.Units(tx, {"subdistrict", "park"})) {
            RankingRow row;
            row.unit_id = u.id;
            row.unit_name = u.name;
            row.unit_kind = u.kind;
            const std::string key = std::to_string(u.id);
            if (const auto it = counts.find(key); it != counts.end()) row.counts = it->second;
            if (const auto it = overdue.find(key); it != overdue.end()) {
                row.counts[Metric::kOverdue] = it->second;
            }
            if (const auto it = escalations.find(u.id); it != escalations.end()) {
                row.escalations = it->second;
            }
            r.rows.push_back(std::move(row));
        }
        RankTerritories(r.rows);
        return r;
    });
}

DrillPage ReportService::Drill(const DrillQuery& q, const Actor& actor) {
    if (q.group_by && *q.group_by != GroupBy::kDay && !q.key) {
        throw Error::Validation({{"key", "is required with group_by"}});
    }
    if (q.key && !q.group_by) throw Error::Validation({{"group_by", "is required with key"}});
    Period period = q.period;
    std::optional<GroupBy> group = q.group_by;
    std::optional<std::string> key = q.key;
    if (group == GroupBy::kDay) {
        // A day's row is the report of that one day.
        if (key) {
            if (!ParseDate(*key) || *key < period.from || *key > period.to) {
                throw Error::Validation({{"key", "must be a day within the period"}});
            }
            period = {*key, *key};
        }
        group.reset();
        key.reset();
    }
    const Window w = WindowFor(period, actor.visibility.OwnUnit());
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        DrillPage page;
        page.items = repository_.DrillPage(tx, w, q.metric, group, key, q.before_id, q.limit + 1);
        if (static_cast<int>(page.items.size()) > q.limit) {
            page.items.resize(static_cast<size_t>(q.limit));
            page.next_before_id = page.items.back().id;
        }
        page.total = repository_.DrillCount(tx, w, q.metric, group, key);
        return page;
    });
}

BulletinData ReportService::Bulletin(const Period& period, const Actor& actor) {
    BulletinData b;
    b.by_unit = Summarize(period, GroupBy::kUnit, actor);
    b.ranking = Rank(period, actor);
    const Window w = WindowFor(period, actor.visibility.OwnUnit());
    b.overdue = db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        return repository_.OverdueList(tx, w, kBulletinOverdueRows);
    });
    b.overdue_total = b.by_unit.totals[Metric::kOverdue];
    return b;
}

OpenIssueMap ReportService::Map(const Actor& actor) {
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        return repository_.Map(tx, actor.visibility.OwnUnit(), clock_.Now(), kMapMaxPoints);
    });
}

bool ReportService::EnsureZone(const std::string& zone) {
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        if (repository_.AggregateZone(tx) == zone) return false;
        repository_.Rebuild(tx, zone);
        return true;
    });
}

long long ReportService::Verify() {
    return db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return repository_.Discrepancies(tx); });
}

void ReportService::Rebuild() {
    db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        repository_.Rebuild(tx, repository_.AggregateZone(tx));
    });
}

}  // namespace lantian::reports
