#include "reports/report.hpp"

#include <cmath>
#include <utility>

namespace lantian::reports {

namespace {

struct MetricInfo {
    Metric metric;
    std::string_view name;
    std::string_view label;
};

constexpr MetricInfo kMetricInfo[] = {
    {Metric::kFound, "found", "发现问题"},
    {Metric::kConfirmed, "confirmed", "确认"},
    {Metric::kAssigned, "assigned", "交办"},
    {Metric::kClosedOfAssigned, "closed_of_assigned", "交办已销号"},
    {Metric::kSubmitted, "submitted", "提交整改"},
    {Metric::kClosed, "closed", "销号"},
    {Metric::kReworked, "reworked", "返工销号"},
    {Metric::kDue, "due", "到期"},
    {Metric::kOnTime, "on_time", "按期整改"},
    {Metric::kOverdue, "overdue", "期末超期"},
    {Metric::kRectified, "rectified", "计时销号"},
};

constexpr std::pair<GroupBy, std::string_view> kGroupNames[] = {
    {GroupBy::kUnit, "unit"},
    {GroupBy::kCategory, "category"},
    {GroupBy::kSiteKind, "site_kind"},
    {GroupBy::kSubdistrict, "subdistrict"},
    {GroupBy::kDay, "day"},
};

std::optional<double> Rate(long long numerator, long long denominator) {
    if (denominator <= 0) return std::nullopt;
    return std::round(static_cast<double>(numerator) / static_cast<double>(denominator) * 1e4) /
           1e4;
}

}  // namespace

std::optional<GroupBy> ParseGroupBy(std::string_view text) {
    for (const auto& [g, name] : kGroupNames) {
        if (name == text) return g;
    }
    return std::nullopt;
}

std::string_view GroupByName(GroupBy g) {
    for (const auto& [group, name] : kGroupNames) {
        if (group == g) return name;
    }
    return {};
}

std::vector<std::string> AggregateColumns() {
    std::vector<std::string> out;
    for (const Metric m : kMetrics) {
        if (IsAggregated(m)) out.emplace_back(MetricName(m));
    }
    out.emplace_back("rectify_seconds");
    return out;
}

std::string AggregateColumnList(std::string_view prefix, std::string_view suffix) {
    std::string out;
    for (const auto& column : AggregateColumns()) {
        if (!out.empty()) out += ", ";
        out.append(prefix).append(column).append(suffix);
    }
    return out;
}

std::optional<Metric> ParseMetric(std::string_view text) {
    for (const auto& info : kMetricInfo) {
        if (info.name == text) return info.metric;
    }
    return std::nullopt;
}

std::string_view MetricName(Metric m) {
    return kMetricInfo[static_cast<size_t>(m)].name;
}

std::string_view MetricLabel(Metric m) {
    return kMetricInfo[static_cast<size_t>(m)].label;
}

Counts& Counts::operator+=(const Counts& other) {
    for (size_t i = 0; i < value.size(); ++i) value[i] += other.value[i];
    rectify_seconds += other.rectify_seconds;
    return *this;
}

std::optional<double> Counts::OnTimeRate() const {
    return Rate((*this)[Metric::kOnTime], (*this)[Metric::kDue]);
}

std::optional<double> Counts::ClosureRate() const {
    return Rate((*this)[Metric::kClosedOfAssigned], (*this)[Metric::kAssigned]);
}

std::optional<double> Counts::ReworkRate() const {
    return Rate((*this)[Metric::kReworked], (*this)[Metric::kClosed]);
}

std::optional<double> Counts::MeanHoursToRectify() const {
    const long long n = (*this)[Metric::kRectified];
    if (n <= 0) return std::nullopt;
    return std::round(static_cast<double>(rectify_seconds) / static_cast<double>(n) / 360.0) / 10.0;
}

}  // namespace lantian::reports
