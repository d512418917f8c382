#pragma once

#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "issues/issue.hpp"
#include "reports/report.hpp"

namespace lantian::reports {

struct UnitInfo {
    long long id = 0;
    std::string name;
    std::string kind;
};

/// The window of one report: [start, end) in time, the overdue moment, who may be seen.
struct Window {
    std::string from_day;
    std::string to_day;
    TimePoint start;
    TimePoint end;
    TimePoint as_of;
    std::optional<long long> unit;  // a handler's unit: only issues it is responsible for
};

/// Read-side queries over the aggregates (report_daily) and the ledger. SQL may join across
/// domains here; nothing in this class writes.
class ReportRepository {
public:
    /// The counts of every group with any figure in the window, by group key.
    std::map<std::string, Counts> Aggregates(pqxx::transaction_base& tx, const Window& w,
                                             GroupBy g) const;
    /// Issues overdue at the window's end (for days: at each day's end), by group key.
    std::map<std::string, long long> OverdueAtEnd(pqxx::transaction_base& tx, const Window& w,
                                                  GroupBy g) const;
    /// Escalations raised in the window, by unit.
    std::map<long long, EscalationCounts> Escalations(pqxx::transaction_base& tx,
                                                      const Window& w) const;
    /// Units of the given kinds, territorial first, then by id.
    std::vector<UnitInfo> Units(pqxx::transaction_base& tx,
                                const std::vector<std::string>& kinds) const;

    /// The issues behind a figure: one page (ids below `before_id`, newest first) and the total.
    std::vector<issues::Issue> DrillPage(pqxx::transaction_base& tx, const Window& w, Metric metric,
                                         std::optional<GroupBy> g,
                                         const std::optional<std::string>& key, long long before_id,
                                         int limit) const;
    long long DrillCount(pqxx::transaction_base& tx, const Window& w, Metric metric,
                         std::optional<GroupBy> g, const std::optional<std::string>& key) const;

    /// Overdue at the window's end, most days late first (at most `limit`), and how many.
    std::vector<OverdueIssue> OverdueList(pqxx::transaction_base& tx, const Window& w,
                                          int limit) const;

    OpenIssueMap Map(pqxx::transaction_base& tx, std::optional<long long> unit, TimePoint now,
                     int max_points) const;

    /// The zone the aggregates are bucketed in; Rebuild recomputes them in `zone`.
    std::string AggregateZone(pqxx::transaction_base& tx) const;
    void Rebuild(pqxx::transaction_base& tx, const std::string& zone) const;
    /// Aggregate rows that differ from a recomputation from the ledger (0 when in step).
    long long Discrepancies(pqxx::transaction_base& tx) const;
};

}  // namespace lantian::reports
