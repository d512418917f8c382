#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace lantian::reports {

/// Calendar days of the district, both ends included (`YYYY-MM-DD`).
struct Period {
    std::string from;
    std::string to;
};

enum class GroupBy { kUnit, kCategory, kSiteKind, kSubdistrict, kDay };

std::optional<GroupBy> ParseGroupBy(std::string_view text);
std::string_view GroupByName(GroupBy g);

/// The counted indicators of DOMAIN.md (Reports), declared once: this enum with kMetrics and
/// the names of report.cpp. The SQL that defines them is migration 0007's report_facts() for
/// the aggregates and report_repository.cpp's drill filters; the aggregates' columns, the
/// rebuild and the verification derive their column lists from AggregateColumns(), and
/// tests/integration/report_metrics_test.cpp fails when the schema and this list part.
enum class Metric {
    kFound,
    kConfirmed,
    kAssigned,
    kClosedOfAssigned,
    kSubmitted,
    kClosed,
    kReworked,
    kDue,
    kOnTime,
    kOverdue,
    kRectified,
};

inline constexpr std::array kMetrics = {
    Metric::kFound,     Metric::kConfirmed, Metric::kAssigned,  Metric::kClosedOfAssigned,
    Metric::kSubmitted, Metric::kClosed,    Metric::kReworked,  Metric::kDue,
    Metric::kOnTime,    Metric::kOverdue,   Metric::kRectified,
};

/// Whether the per-day aggregates keep the metric as a column of its name. Overdue is a stock,
/// taken at a moment from the assignments' history instead.
constexpr bool IsAggregated(Metric m) {
    return m != Metric::kOverdue;
}

/// The value columns of report_daily, report_daily_unit and report_facts(), in order: the name of
/// each aggregated metric in kMetrics order, then rectify_seconds.
std::vector<std::string> AggregateColumns();
/// The same columns, joined by ", " with each wrapped as `prefix + column + suffix`
/// (e.g. "sum(" and ")").
std::string AggregateColumnList(std::string_view prefix = "", std::string_view suffix = "");

std::optional<Metric> ParseMetric(std::string_view text);
std::string_view MetricName(Metric m);
/// The Chinese column heading of a metric (exports, bulletin).
std::string_view MetricLabel(Metric m);

/// The counts of one group (or of the whole period).
struct Counts {
    std::array<long long, kMetrics.size()> value{};
    long long rectify_seconds = 0;

    long long& operator[](Metric m) { return value[static_cast<size_t>(m)]; }
    long long operator[](Metric m) const { return value[static_cast<size_t>(m)]; }
    Counts& operator+=(const Counts& other);

    /// on time / due, closed of assigned / assigned, reworked / closed; nullopt when the
    /// denominator is zero. Rounded to 4 decimals.
    std::optional<double> OnTimeRate() const;
    std::optional<double> ClosureRate() const;
    std::optional<double> ReworkRate() const;
    /// Mean hours from first assignment to the accepted evidence, 1 decimal.
    std::optional<double> MeanHoursToRectify() const;
};

struct SummaryRow {
    std::string key;  // unit id, category or site kind code, subdistrict id, or the day
    std::string label;
    Counts counts;
};

struct Summary {
    Period period;
    GroupBy group_by = GroupBy::kUnit;
    TimePoint as_of;  // the moment "overdue at period end" is taken
    std::vector<SummaryRow> rows;
    Counts totals;
};

struct EscalationCounts {
    std::array<long long, 3> level{};  // 督办, 约谈, 问责
    long long Total() const { return level[0] + level[1] + level[2]; }
};

struct RankingRow {
    int rank = 0;
    long long unit_id = 0;
    std::string unit_name;
    std::string unit_kind;
    Counts counts;
    EscalationCounts escalations;
};

struct Ranking {
    Period period;
    TimePoint as_of;
    std::vector<RankingRow> rows;
};

/// The issues behind one figure of a report.
struct DrillQuery {
    Metric metric = Metric::kFound;
    Period period;
    std::optional<GroupBy> group_by;
    std::optional<std::string> key;
    int limit = 50;
    long long before_id = 0;  // keyset: ids below this one (0: from the newest)
};

struct OverdueIssue {
    long long issue_id = 0;
    std::string site_name;
    std::string category;
    std::string unit_name;
    TimePoint due_at;
    int days_late = 0;
    int escalation_level = 0;
};

struct MapArea {
    long long unit_id = 0;
    std::string name;
    std::string geometry_json;  // GeoJSON MultiPolygon, WGS-84
    long long open = 0;
    long long overdue = 0;
};

struct MapPoint {
    long long issue_id = 0;
    double lon = 0;
    double lat = 0;
    std::string category;
    std::string status;
    bool overdue = false;
};

struct OpenIssueMap {
    TimePoint as_of;
    std::vector<MapArea> areas;
    std::vector<MapPoint> points;
    bool truncated = false;
};

}  // namespace lantian::reports
