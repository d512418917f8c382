#include "dispatch/bulletin_ranking.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "reports/ranking.hpp"

namespace lantian::dispatch {

namespace {

using nlohmann::json;

bool Territorial(const std::string& kind) {
    return kind == "subdistrict" || kind == "park";
}

}  // namespace

std::string WithRanking(const std::string& bulletin_json) {
    json bulletin = json::parse(bulletin_json);
    std::vector<reports::RankingRow> rows;
    for (auto& u : bulletin.at("units")) {
        reports::Counts counts;
        counts[reports::Metric::kDue] = u.at("due").get<long long>();
        counts[reports::Metric::kOnTime] = u.at("on_time").get<long long>();
        const auto unit_rate = counts.OnTimeRate();
        u["on_time_rate"] = unit_rate ? json(*unit_rate) : json(nullptr);
        const std::string kind = u.at("unit_kind").get<std::string>();
        if (!Territorial(kind)) continue;
        reports::RankingRow row;
        row.unit_id = u.at("unit_id").get<long long>();
        row.unit_name = u.at("unit_name").get<std::string>();
        row.unit_kind = kind;
        row.counts[reports::Metric::kDue] = u.at("due").get<long long>();
        row.counts[reports::Metric::kOnTime] = u.at("on_time").get<long long>();
        row.counts[reports::Metric::kOverdue] = u.at("overdue").get<long long>();
        rows.push_back(std::move(row));
    }
    // The reports' unit order: subdistricts by id, then the park.
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        const bool pa = a.unit_kind == "park";
        const bool pb = b.unit_kind == "park";
        if (pa != pb) return pb;
        return a.unit_id < b.unit_id;
    });
    reports::RankTerritories(rows);
    json ranking = json::array();
    for (const auto& r : rows) {
        const auto rate = r.counts.OnTimeRate();
        ranking.push_back({{"rank", r.rank},
                           {"unit_id", r.unit_id},
                           {"unit_name", r.unit_name},
                           {"on_time_rate", rate ? json(*rate) : json(nullptr)},
                           {"due", r.counts[reports::Metric::kDue]},
                           {"on_time", r.counts[reports::Metric::kOnTime]},
                           {"overdue", r.counts[reports::Metric::kOverdue]}});
    }
    bulletin["ranking"] = std::move(ranking);
    return bulletin.dump();
}

}  // namespace lantian::dispatch
