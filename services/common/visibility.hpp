#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/role.hpp"

namespace lantian {

/// What one actor may see: the one scope policy of the service. Computed once per request from
/// the signed-in actor (VisibilityFor, in the auth step) and read by every service and repository
/// that filters — issues, inspections' photos, sites, bulletins, escalations, reports, the map.
///
///   office, supervisor, leader, admin   the whole district
///   handler                             the issues its unit leads or co-handles; its unit's part
///                                       of bulletins, escalations and reports; the sites of its
///                                       territory when the unit is a subdistrict or the park
///   inspector                           the issues they reported and those in their subdistrict;
///                                       every site (inspectors sweep the whole district)
///
/// A default-constructed Visibility sees nothing, so a code path that forgets to compute it
/// fails closed.
struct Visibility {
    enum class Reach : std::uint8_t {
        kNothing,     // no scope computed
        kAll,         // the whole district
        kUnit,        // a unit's handler: `unit_id`'s work
        kOwnReports,  // an inspector: own reports and those in `territory_id`
    };
    Reach reach = Reach::kNothing;
    long long user_id = 0;
    /// kUnit: the handler's unit.
    std::optional<long long> unit_id;
    /// The subdistrict or park the actor belongs to, if their unit is one.
    std::optional<long long> territory_id;

    bool SeesAll() const { return reach == Reach::kAll; }

    /// Sites: the one territory whose sites may be seen (a territorial handler), or nullopt for
    /// every site.
    std::optional<long long> SiteTerritory() const;

    /// Figures kept per unit (bulletins, escalations, reports by unit): the one unit whose part
    /// may be seen, or nullopt for all. -1 (no unit has it) when nothing may be seen.
    std::optional<long long> OwnUnit() const;

    /// Issues, as the SQL parameters of one predicate (IssueVisibleSql in db/ mirrors it):
    ///   (reporter is null or reported_by = reporter or subdistrict_id = reporter_territory)
    ///   and (unit is null or lead_unit_id = unit or unit = any(co_unit_ids))
    std::optional<long long> IssueReporter() const;
    std::optional<long long> IssueReporterTerritory() const;
    std::optional<long long> IssueUnit() const;
};

/// The one policy: what an actor with this role, user and unit may see.
Visibility VisibilityFor(Role role, long long user_id, std::optional<long long> unit_id,
                         std::string_view unit_kind);

}  // namespace lantian
