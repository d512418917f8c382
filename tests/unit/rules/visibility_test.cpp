// The one scope policy (common/visibility): what each role sees, table-driven.
#include "common/visibility.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/actor.hpp"
#include "common/role.hpp"

namespace lantian {
namespace {

constexpr long long kUser = 7;
constexpr long long kUnit = 42;
constexpr long long kNone = -1;  // a filter that matches no row
using Opt = std::optional<long long>;

struct Case {
    const char* who;
    Role role;
    Opt unit;
    const char* unit_kind;
    // Expected filters.
    Opt site_territory;
    Opt own_unit;
    Opt issue_reporter;
    Opt issue_reporter_territory;
    Opt issue_unit;
};

const Case kCases[] = {
    {"office", Role::kOffice, 3, "office", {}, {}, {}, {}, {}},
    {"supervisor", Role::kSupervisor, 4, "office", {}, {}, {}, {}, {}},
    {"leader without unit", Role::kLeader, {}, "", {}, {}, {}, {}, {}},
    {"admin", Role::kAdmin, {}, "", {}, {}, {}, {}, {}},
    {"subdistrict handler", Role::kHandler, kUnit, "subdistrict", kUnit, kUnit, {}, {}, kUnit},
    {"park handler", Role::kHandler, kUnit, "park", kUnit, kUnit, {}, {}, kUnit},
    {"department handler", Role::kHandler, kUnit, "department", {}, kUnit, {}, {}, kUnit},
    {"handler without unit", Role::kHandler, {}, "", {}, kNone, {}, {}, kNone},
    {"inspector of a subdistrict",
     Role::kInspector,
     kUnit,
     "subdistrict",
     {},
     kNone,
     kUser,
     kUnit,
     {}},
    {"inspector of a department", Role::kInspector, kUnit, "department", {}, kNone, kUser, {}, {}},
};

TEST(Visibility, EachRoleSeesWhatThePolicyTableSays) {
    for (const auto& c : kCases) {
        SCOPED_TRACE(c.who);
        const Visibility v = VisibilityFor(c.role, kUser, c.unit, c.unit_kind);
        EXPECT_EQ(v.SiteTerritory(), c.site_territory);
        EXPECT_EQ(v.OwnUnit(), c.own_unit);
        EXPECT_EQ(v.IssueReporter(), c.issue_reporter);
        EXPECT_EQ(v.IssueReporterTerritory(), c.issue_reporter_territory);
        EXPECT_EQ(v.IssueUnit(), c.issue_unit);
    }
}

TEST(Visibility, AForgottenVisibilitySeesNothingRatherThanEverything) {
    const Visibility v;
    EXPECT_FALSE(v.SeesAll());
    EXPECT_EQ(v.SiteTerritory(), kNone);
    EXPECT_EQ(v.OwnUnit(), kNone);
    EXPECT_EQ(v.IssueUnit(), kNone);
    EXPECT_EQ(v.IssueReporter(), std::nullopt);
}

TEST(Visibility, WithVisibilityComputesItFromTheActorsRoleAndUnit) {
    const Actor handler = WithVisibility(
        {.user_id = kUser, .role = Role::kHandler, .unit_id = kUnit, .unit_kind = "subdistrict"});
    EXPECT_EQ(handler.visibility.IssueUnit(), kUnit);
    EXPECT_EQ(handler.visibility.SiteTerritory(), kUnit);
    const Actor office = WithVisibility({.user_id = kUser, .role = Role::kOffice});
    EXPECT_TRUE(office.visibility.SeesAll());
}

TEST(Role, EveryRoleRoundTripsThroughItsStoredNameAndOthersAreUnknown) {
    for (const Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
    EXPECT_EQ(ParseRole("auditor"), std::nullopt);
    EXPECT_EQ(ParseRole(""), std::nullopt);
    EXPECT_EQ(ParseRole("Office"), std::nullopt) << "stored names are lower case";
}

}  // namespace
}  // namespace lantian
