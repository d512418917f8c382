#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/actor.hpp"
#include "common/clock.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "issues/issue_service.hpp"
#include "reports/report_repository.hpp"
#include "reports/report_service.hpp"
#include "support/scratch_database.hpp"
#include "support/service_harness.hpp"

namespace lantian::itest {

/// The demo district driven through the real services (issues, dispatch, reports) on a
/// ManualClock, with a seeded random workload of the whole lifecycle and a few direct SQL
/// changes; and the production pipeline (its own SystemClock) for the reports' HTTP side.
class ReportWorkloadTest : public SeededDatabaseTest {
protected:
    void SetUp() override;
    void TearDown() override;

    /// A user row of `role` (the services need real ids for the audit trail).
    Actor NewActor(const std::string& username, const std::string& role,
                   std::optional<long long> unit);
    /// Records `a` as an uploader of the workload's photo, so that it may cite it.
    void RecordUpload(const Actor& a);
    /// The handler of a unit (made on first use).
    const Actor& HandlerOf(long long unit);

    /// One finding as an inspector's phone reports it; returns the new issue's id.
    long long ReportFinding(long long site, const std::string& category, int severity,
                            TimePoint found, bool fixed_on_spot);
    issues::Issue Load(long long id);
    /// Ids in a status, ascending (picking by index keeps a seed's run reproducible).
    std::vector<long long> IdsIn(const std::string& status);

    /// Runs the seeded workload over `days` district days from `first_day`: the daily
    /// dispatch at 08:00, then random operations until 08:00 the next day. Leaves the clock at
    /// 08:00 the day after. Stops (with a failure naming the operation) at the first error.
    void RunWorkload(unsigned seed, const std::string& first_day, int days);
    /// The rows in which report_daily and report_daily_recomputed differ, for messages.
    std::string AggregateDiff();
    /// report_daily as text, ordered, for comparing before and after (rows that net to zero,
    /// which a rebuild does not write, left out).
    std::string AggregateSnapshot();
    /// The lines only one of two snapshots has (empty when they are equal), for messages.
    static std::string SnapshotDiff(const std::string& expected, const std::string& actual);

    /// GET through the production pipeline as the leader; the parsed body (null unless 200).
    nlohmann::json Get(const std::string& target);
    /// Every count figure of every row (and the totals) of the summary equals the `total` of
    /// its drill link. Returns the number of figures compared.
    int ExpectFiguresEqualDrills(const nlohmann::json& summary);

    ManualClock clock_;
    issues::IssueRepository issue_repository_;
    issues::InspectionRepository inspection_repository_;
    issues::AuditRepository audit_repository_;
    issues::IdempotencyRepository idempotency_repository_;
    issues::RulesRepository rules_repository_;
    dispatch::DispatchRepository dispatch_repository_;
    reports::ReportRepository report_repository_;
    std::unique_ptr<issues::IssueService> issues_;
    std::unique_ptr<dispatch::DispatchService> dispatch_;
    std::unique_ptr<reports::ReportService> reports_;
    std::unique_ptr<ServiceHarness> harness_;
    std::string leader_token_;

    Actor inspector_, office_, supervisor_, leader_;
    std::map<long long, Actor> handlers_;
    std::string photo_;
    std::vector<long long> sites_;       // a sample of sites of every territory and kind
    std::vector<long long> lead_units_;  // subdistricts, the park and the departments
    std::map<std::string, int> done_;    // operations carried out, by kind
    long long jiaoxi_ = 0;

private:
    void Operate(std::mt19937& rng);
    void DirectSql(std::mt19937& rng);
};

}  // namespace lantian::itest
