#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace lantian::issues {

struct GeoPoint {
    double lat = 0;
    double lon = 0;
};

/// One problem found at one site (问题), as the ledger holds it.
struct Issue {
    long long id = 0;
    std::string client_id;
    std::optional<long long> inspection_id;
    long long site_id = 0;
    long long subdistrict_id = 0;
    std::string site_kind;
    std::string category;
    int severity = 1;
    std::string description;
    std::optional<GeoPoint> location;
    std::vector<std::string> photo_ids;
    std::string source;
    std::string status;
    bool fixed_on_spot = false;
    long long reported_by = 0;
    TimePoint reported_at;
    TimePoint received_at;
    std::optional<std::string> rejection_kind;
    std::optional<std::string> rejection_reason;
    std::optional<long long> duplicate_of;
    std::optional<long long> lead_unit_id;
    std::vector<long long> co_unit_ids;
    std::optional<TimePoint> assigned_at;
    std::optional<TimePoint> due_at;
    std::optional<TimePoint> submitted_at;
    std::optional<std::string> rectification;
    std::vector<std::string> rectification_photo_ids;
    std::optional<std::string> verification_comment;
    std::vector<std::string> verification_photo_ids;
    std::optional<TimePoint> closed_at;
    int return_count = 0;
    int escalation_level = 0;
    int version = 1;
    TimePoint updated_at;

    /// Overdue (超期) is derived: assigned and past its deadline at `now`.
    bool OverdueAt(TimePoint now) const { return status == "assigned" && due_at && *due_at < now; }
};

/// Evidence brought with a finding fixed on the spot (当场整改).
struct Evidence {
    std::string description;
    std::vector<std::string> photo_ids;
};

/// A finding as the phone reports it.
struct NewFinding {
    std::string client_id;
    std::string category;
    int severity = 1;
    std::string description;
    std::optional<GeoPoint> location;
    std::vector<std::string> photo_ids;
    bool fixed_on_spot = false;
    std::optional<Evidence> evidence;
    TimePoint reported_at;
};

/// A single issue (hotline, superior, monitoring, media, or a patrol's lone finding).
struct NewIssue {
    NewFinding finding;
    long long site_id = 0;
    std::string source = "patrol";
};

/// An inspection of one site with its findings: one issue per finding, in one transaction.
struct NewInspection {
    std::string client_id;
    long long site_id = 0;
    TimePoint started_at;
    std::optional<GeoPoint> location;
    std::string notes;
    std::vector<NewFinding> findings;
};

struct Inspection {
    long long id = 0;
    std::string client_id;
    long long site_id = 0;
    long long inspector_id = 0;
    TimePoint started_at;
    TimePoint received_at;
    std::vector<Issue> issues;
};

struct IssueQuery {
    std::optional<std::string> status;
    std::optional<long long> unit_id;  // lead or co-unit
    std::optional<long long> site_id;
    std::optional<long long> subdistrict_id;
    std::optional<std::string> category;
    std::optional<int> severity;
    std::optional<bool> overdue;
    std::optional<TimePoint> reported_from;
    std::optional<TimePoint> reported_to;
    long long after_id = 0;
    int limit = 50;
};

/// One entry of the audit trail.
struct IssueEvent {
    long long seq = 0;
    long long issue_id = 0;
    TimePoint at;
    std::optional<long long> actor_id;
    std::string actor_role;
    std::optional<long long> actor_unit_id;
    std::string request_id;
    std::string action;
    std::string before_json;  // "null" for the creating event
    std::string after_json;
    std::string hash;
    std::string prev_hash;
};

/// Every category code, in the order reports list them.
std::vector<std::string_view> CategoryCodes();
std::string_view CategoryLabel(std::string_view category);
std::string_view StatusLabel(std::string_view status);
std::string_view SourceLabel(std::string_view source);
std::string_view SeverityLabel(int severity);

}  // namespace lantian::issues
