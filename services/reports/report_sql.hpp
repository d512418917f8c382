#pragma once

// SQL pieces shared by the report repository's files (aggregates, drill, map); internal to
// services/reports.

#include <string>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "reports/report.hpp"

namespace lantian::reports::sql {

// An assignment is overdue at T from its deadline until its evidence is submitted or it ends
// (the expression of the GiST index of migration 0007).
inline constexpr const char* kOverdueSpan =
    "tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')), "
    "'()')";

// The group of an issue `i` (and, for overdue, of its assignment `a`).
inline std::string IssueKey(GroupBy g, bool overdue) {
    switch (g) {
        case GroupBy::kUnit:
            return overdue ? "a.lead_unit_id::text"
                           : "coalesce(i.lead_unit_id, i.subdistrict_id)::text";
        case GroupBy::kCategory:
            return "i.category";
        case GroupBy::kSiteKind:
            return "i.site_kind";
        case GroupBy::kSubdistrict:
            return "i.subdistrict_id::text";
        case GroupBy::kDay:
            return "''";
    }
    return "''";
}

// $1 start, $2 end of the window; fixed-on-the-spot findings skip confirmation, dispatch and

/// The one scope of the issues (Visibility::IssueUnit: a handler sees what its unit leads or
/// co-handles) over the issue `i`, with `$n` the unit or null for everything: the same
/// predicate GET /api/v1/issues/{id} applies, so no report lists or counts an issue its reader
/// could not open.
inline std::string VisibleTo(int n) {
    const std::string p = "$" + std::to_string(n);
    return "(" + p + "::bigint is null or i.lead_unit_id = " + p + " or " + p +
           " = any (i.co_unit_ids))";
}

}  // namespace lantian::reports::sql
