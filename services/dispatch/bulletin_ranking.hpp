#pragma once

#include <string>

namespace lantian::dispatch {

/// The bulletin (JSON text, as the dispatch's SQL computes it) with each unit's on-time rate
/// (reports::Counts, the reports' one definition) and its `ranking` made from its `units` by
/// reports::RankTerritories, the one ranking the reports publish too: the subdistricts and the
/// park by on-time rate over the deadlines of the 30 days before the day.
std::string WithRanking(const std::string& bulletin_json);

}  // namespace lantian::dispatch
