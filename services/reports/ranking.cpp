#include "reports/ranking.hpp"

#include <algorithm>

namespace lantian::reports {

void RankTerritories(std::vector<RankingRow>& rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const RankingRow& a, const RankingRow& b) {
        const auto ra = a.counts.OnTimeRate();
        const auto rb = b.counts.OnTimeRate();
        if (ra.has_value() != rb.has_value()) return ra.has_value();
        if (ra && *ra != *rb) return *ra > *rb;
        return a.counts[Metric::kOverdue] < b.counts[Metric::kOverdue];
    });
    for (size_t i = 0; i < rows.size(); ++i) {
        const bool tie = i > 0 && rows[i].counts.OnTimeRate() == rows[i - 1].counts.OnTimeRate();
        rows[i].rank = tie ? rows[i - 1].rank : static_cast<int>(i + 1);
    }
}

}  // namespace lantian::reports
