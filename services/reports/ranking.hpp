#pragma once

#include <vector>

#include "reports/report.hpp"

namespace lantian::reports {

/// The published ranking of territories (通报排名), the one definition that the reports'
/// ranking and the daily dispatch's bulletin both use: the best on-time rate first; no deadline
/// in the window (no rate) ranks last; ties share a place (1, 2, 2, 4) and list fewer overdue
/// issues first, then keep the order given (subdistricts by id, then the park). Sorts `rows`
/// and sets each row's rank; reads only due, on time and overdue.
void RankTerritories(std::vector<RankingRow>& rows);

}  // namespace lantian::reports
