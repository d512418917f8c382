#pragma once

#include <nlohmann/json.hpp>

#include "reports/report.hpp"

namespace lantian::reports {

/// A summary with every figure's drill-down link (the issue list that counts to it).
nlohmann::json SummaryToJson(const Summary& summary);
nlohmann::json RankingToJson(const Ranking& ranking);
/// The open issues on the territories, the subdistricts as a GeoJSON FeatureCollection.
nlohmann::json MapToJson(const OpenIssueMap& map);

}  // namespace lantian::reports
