#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "db/pool.hpp"
#include "issues/issue.hpp"
#include "reports/report.hpp"
#include "reports/report_repository.hpp"

namespace lantian::reports {

/// The issues behind one figure, one page at a time.
struct DrillPage {
    std::vector<issues::Issue> items;
    long long total = 0;
    std::optional<long long> next_before_id;
};

/// What the printable bulletin shows for a period.
struct BulletinData {
    Summary by_unit;
    Ranking ranking;
    std::vector<OverdueIssue> overdue;  // the longest overdue first, at most kBulletinOverdueRows
    long long overdue_total = 0;
};

inline constexpr int kBulletinOverdueRows = 300;
inline constexpr int kMapMaxPoints = 2000;
inline constexpr int kMaxPeriodDays = 3 * 366;
inline constexpr int kMaxDailyRows = 366;

/// Reports for leaders: the summary and ranking of DOMAIN.md (Reports), the issues behind any
/// figure, the bulletin and the map of open issues. A handler sees their own unit's issues;
/// the ranking of territories is public to every report reader (the 通报 names units).
class ReportService {
public:
    ReportService(db::Pool& pool, const Clock& clock, const ReportRepository& repository)
        : pool_(pool), clock_(clock), repository_(repository) {}

    /// Validated period: defaults to the month so far; 400 for a malformed day, 422 when `to`
    /// comes before `from` or the period is longer than `max_days`.
    Period ResolvePeriod(const std::optional<std::string>& from,
                         const std::optional<std::string>& to, int max_days = kMaxPeriodDays) const;

    Summary Summarize(const Period& period, GroupBy group_by, const Actor& actor);
    Ranking Rank(const Period& period, const Actor& actor);
    DrillPage Drill(const DrillQuery& query, const Actor& actor);
    BulletinData Bulletin(const Period& period, const Actor& actor);
    OpenIssueMap Map(const Actor& actor);

    /// At start: recomputes the aggregates when they were bucketed in another zone.
    bool EnsureZone(const std::string& zone);
    /// `lantian reports verify`: aggregate rows that differ from a recomputation.
    long long Verify();
    /// `lantian reports rebuild`.
    void Rebuild();

    TimePoint Now() const { return clock_.Now(); }

private:
    Window WindowFor(const Period& period, std::optional<long long> unit) const;

    db::Pool& pool_;
    const Clock& clock_;
    const ReportRepository& repository_;
};

}  // namespace lantian::reports
