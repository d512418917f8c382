#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace lantian::dispatch {

/// A day's dispatch (每日调度), frozen when it ran.
struct DispatchRun {
    std::string day;  // YYYY-MM-DD, Asia/Shanghai
    TimePoint run_at;
    int assigned_count = 0;
    int escalation_count = 0;
    std::vector<long long> assigned_ids;
    std::string bulletin_json;  // 调度通报, as computed at run_at
    std::optional<TimePoint> published_at;
    std::optional<long long> published_by;
    bool created = false;  // this call ran it (false: it had run before)
};

struct Escalation {
    long long id = 0;
    long long issue_id = 0;
    long long unit_id = 0;
    int level = 1;  // 1 督办, 2 约谈, 3 问责
    std::string reason;
    TimePoint raised_at;
    std::optional<std::string> dispatch_day;
};

struct EscalationQuery {
    std::optional<long long> unit_id;
    std::optional<long long> issue_id;
    std::optional<int> level;
    std::optional<TimePoint> from;
    std::optional<TimePoint> to;
    long long after_id = 0;
    int limit = 50;
};

/// From a site's kind and an issue's category to the responsible units; empty kind or
/// category matches any; no lead unit means the site's subdistrict (属地).
struct RoutingRule {
    std::optional<std::string> site_kind;
    std::optional<std::string> category;
    std::optional<long long> lead_unit_id;
    std::vector<long long> co_unit_ids;
    bool co_subdistrict = false;
};

struct PollutionAlert {
    long long id = 0;
    std::string level;  // yellow | orange | red
    TimePoint starts_at;
    TimePoint ends_at;
    std::optional<long long> created_by;
};

std::string_view EscalationLevelLabel(int level);
std::string_view AlertLevelLabel(std::string_view level);

}  // namespace lantian::dispatch
