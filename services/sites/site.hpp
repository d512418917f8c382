#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace lantian::sites {

/// WGS-84 degrees.
struct GeoPoint {
    double lat = 0;
    double lon = 0;
};

/// The enterprise's own duty (企业主体责任): who answers for the site.
struct ResponsibleParty {
    std::string name;
    std::string contact_name;
    std::string phone;
};

/// A pollution source the inspectors sweep (点位).
struct Site {
    long long id = 0;
    std::string kind;
    std::string name;
    std::string address;
    GeoPoint location;
    long long subdistrict_id = 0;
    ResponsibleParty responsible_party;
    std::string attributes_json = "{}";  // a JSON object, kind-specific
    std::string status = "active";       // active | closed
    int version = 1;
    TimePoint created_at;
    TimePoint updated_at;
    std::optional<double> distance_m;  // set by a `near` query
    // The ledger's view of the site (GET /sites/{id} only).
    std::optional<long long> open_issue_count;
    std::optional<TimePoint> last_inspection_at;
};

/// Coordinates as the client sent them: WGS-84, or GCJ-02 from a Chinese map SDK.
enum class Crs { kWgs84, kGcj02 };

struct NewSite {
    std::string kind;
    std::string name;
    std::string address;
    GeoPoint location;
    Crs crs = Crs::kWgs84;
    std::optional<long long> subdistrict_id;  // derived from the location when absent
    ResponsibleParty responsible_party;
    std::string attributes_json = "{}";
    std::string status = "active";
};

/// A partial change; absent fields stay. `responsible_party` and `attributes` replace the
/// whole object when present.
struct SitePatch {
    std::optional<std::string> kind;
    std::optional<std::string> name;
    std::optional<std::string> address;
    std::optional<GeoPoint> location;
    Crs crs = Crs::kWgs84;
    std::optional<long long> subdistrict_id;
    std::optional<ResponsibleParty> responsible_party;
    std::optional<std::string> attributes_json;
    std::optional<std::string> status;
};

struct SiteQuery {
    std::optional<std::string> kind;
    std::optional<long long> subdistrict_id;
    std::optional<long long> territory;  // the caller's scope, when restricted
    std::optional<std::string> status;
    std::optional<std::string> text;  // Chinese substring of name or address
    std::optional<GeoPoint> near;
    double radius_m = 1000;
    int limit = 50;
    long long after_id = 0;                  // plain lists: by id
    std::optional<double> after_distance_m;  // near lists: by (distance, id)
};

inline constexpr double kMaxNearRadiusM = 50'000;

/// Every site kind code, in the order reports list them.
std::vector<std::string_view> SiteKindCodes();
/// The Chinese label of a site kind, or empty for an unknown kind.
std::string_view SiteKindLabel(std::string_view kind);
std::string_view SiteStatusLabel(std::string_view status);

}  // namespace lantian::sites
