// The daily dispatch's routing and deadline rules (DOMAIN.md "Responsible units", "Deadlines"):
// every default rule of the demo district sends a confirmed issue to the unit a district
// official expects, an edited rule routes the next run, and deadlines follow the severity, a
// category's own rule and the pollution alert in force at the run's "now" (orange halves,
// rounding up; red caps at 24 hours), for the dispatch and for a hand assignment alike.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/sql_arrays.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_service.hpp"
#include "issues/issue_service.hpp"
#include "support/scratch_database.hpp"

namespace lantian::dispatch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TimePoint At(const std::string& rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    if (!t) throw std::runtime_error("bad time in test: " + rfc3339);
    return *t;
}

using TestClock = ManualClock;

/// Where an issue went and how long it was given, counted from the run's "now".
struct Routed {
    std::string status;
    long long lead = 0;
    std::set<long long> co;
    double hours = 0;
};

class DispatchRouting : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        itest::SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        clock_.Set(At("2026-03-10T08:00:00+08:00"));
        office_ = WithVisibility(
            {.role = Role::kOffice, .unit_id = UnitId("JF-OFF-HUANWEIBAN"), .unit_kind = "office"});
        office_.user_id = std::stoll(QueryValue(
            "insert into users (username, display_name, role, unit_id, password_hash) values "
            "('office.routing', '环委办', 'office', " +
            std::to_string(*office_.unit_id) + ", 'x') returning id"));
        dispatch_ = std::make_unique<DispatchService>(pool(), clock_, dispatch_repository_);
        issues_ = std::make_unique<issues::IssueService>(
            pool(), clock_,
            issues::IssueRepositories{issue_repository_, inspection_repository_, audit_repository_,
                                      idempotency_repository_, rules_repository_});
    }

    /// A confirmed issue at the first site of `kind` (in `territory` when given).
    long long Confirmed(const std::string& kind, const std::string& category = "other",
                        int severity = 1, std::optional<long long> territory = std::nullopt) {
        return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
            return tx
                .exec_params1(
                    "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
                    "  severity, description, source, status, reported_by, reported_at, "
                    "  received_at, triaged_at) "
                    "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, $2, $3, '路由测试', "
                    "  'patrol', 'confirmed', $4, $5::timestamptz, $5::timestamptz, "
                    "  $5::timestamptz "
                    "from sites s where s.kind = $1 and ($6::bigint is null or "
                    "  s.subdistrict_id = $6) order by s.id limit 1 returning id",
                    kind, category, severity, office_.user_id,
                    FormatDistrictTime(clock_.Now() - hours(1)), territory)[0]
                .as<long long>();
        });
    }

    long long TerritoryOf(long long issue) {
        return std::stoll(
            QueryValue("select subdistrict_id from issues where id = " + std::to_string(issue)));
    }

    DispatchRun RunToday() { return dispatch_->Run(DistrictDate(clock_.Now()), "routing-test"); }

    Routed RoutedOf(long long issue, TimePoint from) {
        return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
            const auto r = tx.exec_params1(
                "select status, coalesce(lead_unit_id, 0), array_to_string(co_unit_ids, ','), "
                "  coalesce(extract(epoch from due_at - $2::timestamptz) / 3600, -1)::float8 "
                "from issues where id = $1",
                issue, FormatDistrictTime(from));
            Routed out{r[0].as<std::string>(), r[1].as<long long>(), {}, r[3].as<double>()};
            for (long long u : db::SplitIds(r[2].as<std::string>())) out.co.insert(u);
            return out;
        });
    }
    Routed RoutedOf(long long issue) { return RoutedOf(issue, clock_.Now()); }

    void Declare(const std::string& level, TimePoint starts, TimePoint ends) {
        dispatch_->DeclareAlert({.level = level, .starts_at = starts, .ends_at = ends}, office_);
    }

    /// The deadline the run gives a fume issue of each severity, and an open-burning issue with
    /// a category rule of 3 hours (severity 1): {168-ish, 72-ish, 24-ish, 3-ish} after alerts.
    std::vector<double> DeadlinesOfOneRun() {
        issues_->ReplaceDeadlineRules({{std::nullopt, 1, 168},
                                       {std::nullopt, 2, 72},
                                       {std::nullopt, 3, 24},
                                       {"open_burning", 1, 3}});
        const long long general = Confirmed("restaurant", "fume_direct_emission", 1);
        const long long serious = Confirmed("restaurant", "fume_direct_emission", 2);
        const long long severe = Confirmed("restaurant", "fume_direct_emission", 3);
        const long long burning = Confirmed("bare_soil", "open_burning", 1);
        EXPECT_TRUE(RunToday().created);
        return {RoutedOf(general).hours, RoutedOf(serious).hours, RoutedOf(severe).hours,
                RoutedOf(burning).hours};
    }

    TestClock clock_;
    Actor office_;
    DispatchRepository dispatch_repository_;
    issues::IssueRepository issue_repository_;
    issues::InspectionRepository inspection_repository_;
    issues::AuditRepository audit_repository_;
    issues::IdempotencyRepository idempotency_repository_;
    issues::RulesRepository rules_repository_;
    std::unique_ptr<DispatchService> dispatch_;
    std::unique_ptr<issues::IssueService> issues_;
};

TEST_F(DispatchRouting, RestaurantsBarbecuesAndShopFrontsGoToChengguanWithTheSubdistrictBeside) {
    const long long chengguan = UnitId("JF-DEPT-CHENGGUAN");
    const long long restaurant = Confirmed("restaurant", "fume_direct_emission");
    const long long bbq = Confirmed("open_air_bbq", "open_air_bbq");
    const long long shop = Confirmed("shop_front", "shop_front_duty");
    RunToday();
    for (long long id : {restaurant, bbq, shop}) {
        const Routed r = RoutedOf(id);
        EXPECT_EQ(r.status, "assigned") << "issue " << id;
        EXPECT_EQ(r.lead, chengguan) << "issue " << id;
        EXPECT_EQ(r.co, std::set<long long>{TerritoryOf(id)}) << "issue " << id;
    }
}

TEST_F(DispatchRouting, ConstructionSitesGoToZhujianWithTheSubdistrictBeside) {
    const long long id = Confirmed("construction_site", "no_dust_suppression");
    RunToday();
    EXPECT_EQ(RoutedOf(id).lead, UnitId("JF-DEPT-ZHUJIAN"));
    EXPECT_EQ(RoutedOf(id).co, std::set<long long>{TerritoryOf(id)});
}

TEST_F(DispatchRouting, IndustrialEnterprisesGoToTheEcologyBranchWithGongxinAndTheTerritory) {
    const long long id = Confirmed("industrial_enterprise", "emission_exceeded");
    RunToday();
    EXPECT_EQ(RoutedOf(id).lead, UnitId("JF-DEPT-SHENGTAI"));
    EXPECT_EQ(RoutedOf(id).co, (std::set<long long>{UnitId("JF-DEPT-GONGXIN"), TerritoryOf(id)}));
}

TEST_F(DispatchRouting, BareSoilGoesToItsSubdistrictWithZhujianBeside) {
    const long long id = Confirmed("bare_soil", "dust_uncovered");
    RunToday();
    EXPECT_EQ(RoutedOf(id).lead, TerritoryOf(id));
    EXPECT_EQ(RoutedOf(id).co, std::set<long long>{UnitId("JF-DEPT-ZHUJIAN")});
}

TEST_F(DispatchRouting, AnUncoveredMuckTruckGoesToChengguanEvenWhenFoundAtAConstructionSite) {
    const long long id = Confirmed("construction_site", "muck_truck_uncovered");
    RunToday();
    EXPECT_EQ(RoutedOf(id).lead, UnitId("JF-DEPT-CHENGGUAN"));
    EXPECT_EQ(RoutedOf(id).co, (std::set<long long>{UnitId("JF-DEPT-ZHUJIAN"), TerritoryOf(id)}));
}

TEST_F(DispatchRouting, GarbageGoesToSanitationWhateverTheKindOfSite) {
    const long long alley = Confirmed("back_alley", "garbage_accumulation");
    const long long restaurant = Confirmed("restaurant", "garbage_accumulation");
    RunToday();
    for (long long id : {alley, restaurant}) {
        EXPECT_EQ(RoutedOf(id).lead, UnitId("JF-DEPT-HUANWEI")) << "issue " << id;
        EXPECT_EQ(RoutedOf(id).co, std::set<long long>{TerritoryOf(id)}) << "issue " << id;
    }
}

TEST_F(DispatchRouting, AKindNoRuleCoversGoesToTheSitesOwnSubdistrictAlone) {
    const long long jiaoxi = Confirmed("residential_compound", "other", 1, UnitId("JF-SD-JIAOXI"));
    const long long park = Confirmed("residential_compound", "other", 1, UnitId("JF-PK-CYJJQ"));
    RunToday();
    EXPECT_EQ(RoutedOf(jiaoxi).lead, UnitId("JF-SD-JIAOXI"));
    EXPECT_EQ(RoutedOf(park).lead, UnitId("JF-PK-CYJJQ"));
    EXPECT_TRUE(RoutedOf(jiaoxi).co.empty());
    EXPECT_TRUE(RoutedOf(park).co.empty());
}

TEST_F(DispatchRouting, AnEditedRuleRoutesTheNextRunAndLeavesEarlierAssignmentsAlone) {
    const long long chengguan = UnitId("JF-DEPT-CHENGGUAN");
    const long long shichang = UnitId("JF-DEPT-SHICHANG");
    const long long first = Confirmed("restaurant", "fume_direct_emission");
    RunToday();
    ASSERT_EQ(RoutedOf(first).lead, chengguan);

    // The office hands restaurants to market supervision, without the subdistrict.
    auto rules = dispatch_->RoutingRules();
    for (auto& rule : rules) {
        if (rule.site_kind == "restaurant" && !rule.category) {
            rule.lead_unit_id = shichang;
            rule.co_unit_ids = {};
            rule.co_subdistrict = false;
        }
    }
    const auto saved = dispatch_->ReplaceRoutingRules(rules);
    EXPECT_EQ(saved.size(), rules.size());

    clock_.Set(clock_.Now() + hours(24));
    const long long second = Confirmed("restaurant", "fume_direct_emission");
    RunToday();
    EXPECT_EQ(RoutedOf(second).lead, shichang);
    EXPECT_TRUE(RoutedOf(second).co.empty());
    EXPECT_EQ(RoutedOf(first).lead, chengguan);
}

TEST_F(DispatchRouting, DeadlinesAreSevenDaysThreeDaysOrOneDayByTheSeverityFromTheRunsNow) {
    const long long general = Confirmed("restaurant", "fume_direct_emission", 1);
    const long long serious = Confirmed("restaurant", "fume_direct_emission", 2);
    const long long severe = Confirmed("restaurant", "fume_direct_emission", 3);
    RunToday();
    EXPECT_DOUBLE_EQ(RoutedOf(general).hours, 168);
    EXPECT_DOUBLE_EQ(RoutedOf(serious).hours, 72);
    EXPECT_DOUBLE_EQ(RoutedOf(severe).hours, 24);
    EXPECT_EQ(QueryValue("select count(*) from issues where assigned_at = '" +
                         FormatDistrictTime(clock_.Now()) + "'::timestamptz"),
              "3");
}

TEST_F(DispatchRouting, ACategorysOwnDeadlineRuleOverridesTheSeverityDefault) {
    EXPECT_EQ(DeadlinesOfOneRun(), (std::vector<double>{168, 72, 24, 3}));
}

TEST_F(DispatchRouting, AYellowAlertLeavesDeadlinesAsTheyAre) {
    Declare("yellow", clock_.Now() - hours(2), clock_.Now() + hours(48));
    EXPECT_EQ(DeadlinesOfOneRun(), (std::vector<double>{168, 72, 24, 3}));
}

TEST_F(DispatchRouting, AnOrangeAlertHalvesDeadlinesRoundingUp) {
    Declare("orange", clock_.Now() - hours(2), clock_.Now() + hours(48));
    EXPECT_EQ(DeadlinesOfOneRun(), (std::vector<double>{84, 36, 12, 2}));
}

TEST_F(DispatchRouting, ARedAlertCapsDeadlinesAtOneDayEvenBesideAYellowOne) {
    Declare("yellow", clock_.Now() - hours(30), clock_.Now() + hours(96));
    Declare("red", clock_.Now() - hours(2), clock_.Now() + hours(48));
    EXPECT_EQ(DeadlinesOfOneRun(), (std::vector<double>{24, 24, 24, 3}));
}

TEST_F(DispatchRouting, AnAlertNotInForceAtTheRunsNowChangesNoDeadline) {
    // One ended exactly at the run's now (its end is exclusive), one begins a second later.
    Declare("red", clock_.Now() - hours(24), clock_.Now());
    Declare("orange", clock_.Now() + seconds(1), clock_.Now() + hours(24));
    EXPECT_EQ(DeadlinesOfOneRun(), (std::vector<double>{168, 72, 24, 3}));
}

TEST_F(DispatchRouting, AHandAssignmentUnderARedAlertIsCappedAtOneDayToo) {
    Declare("red", clock_.Now() - hours(2), clock_.Now() + hours(48));
    const long long id = Confirmed("residential_compound", "other", 1);
    const long long version =
        std::stoll(QueryValue("select version from issues where id = " + std::to_string(id)));
    const issues::Issue assigned =
        issues_->Assign(id, static_cast<int>(version), {.lead_unit_id = TerritoryOf(id)}, office_);
    EXPECT_EQ(assigned.status, "assigned");
    ASSERT_TRUE(assigned.due_at.has_value());
    EXPECT_EQ(*assigned.due_at, clock_.Now() + hours(24));
    EXPECT_DOUBLE_EQ(RoutedOf(id).hours, 24);
}

TEST_F(DispatchRouting, ARuleCannotMakeAnOfficeTheLeadOrACoUnitAsAHandAssignmentCannot) {
    // Offices (环委办, 督查局) run the dispatch and verify; they are no responsible unit, and
    // IssueService::Assign refuses them ("units must exist and not be offices").
    const long long ducha = UnitId("JF-OFF-DUCHA");
    const auto current = dispatch_->RoutingRules();
    for (const RoutingRule& office_rule :
         {RoutingRule{.site_kind = "back_alley", .lead_unit_id = ducha},
          RoutingRule{.site_kind = "back_alley", .co_unit_ids = {ducha}}}) {
        auto rules = current;
        rules.push_back(office_rule);
        try {
            dispatch_->ReplaceRoutingRules(rules);
            ADD_FAILURE() << "a routing rule naming 督查局 was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kValidation);
        }
    }
    EXPECT_EQ(dispatch_->RoutingRules().size(), current.size());
}

}  // namespace
}  // namespace lantian::dispatch
