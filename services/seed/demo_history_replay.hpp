#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "auth/user_service.hpp"
#include "common/clock.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "evidence/attachment_service.hpp"
#include "issues/issue_service.hpp"
#include "seed/demo_history_cast.hpp"
#include "seed/demo_history_content.hpp"

namespace lantian::seed::history {

struct ReplaySettings {
    std::vector<std::string> days;  // district days, oldest first; the last holds `end`
    TimePoint end;                  // nothing happens after this (never after the real now)
    int dispatch_minute = 8 * 60;
    std::uint64_t seed = 0;
};

/// The district's days as a queue of timed events, each done through the production services
/// with the manual clock set to its time. Events schedule later ones (a report its triage, an
/// assignment its rectification, a rectification its verification); the replay stops at the
/// first event after `end`.
class Replay {
public:
    Replay(db::Pool& pool, auth::UserService& users, evidence::BlobStore& blobs,
           ReplaySettings settings);
    void Run();

    long long issues() const { return issues_made_; }
    long long dispatch_runs() const { return dispatch_runs_; }
    long long escalations() const { return escalations_; }
    long long photos() const { return photos_; }
    int handlers_created() const { return cast_.handlers_created; }

private:
    enum class Kind {
        kDay,
        kAlert,
        kDispatch,
        kPublish,
        kInspect,
        kComplaint,
        kTriage,
        kRectify,
        kVerify
    };
    struct Event {
        TimePoint at;
        long long order = 0;
        Kind kind = Kind::kDay;
        long long arg = 0;
        int count = 0;
    };
    struct Later {
        bool operator()(const Event& a, const Event& b) const {
            return a.at != b.at ? a.at > b.at : a.order > b.order;
        }
    };
    struct Tracked {
        long long id = 0;
        long long site_id = 0;
        std::string category;
        TimePoint reported_at;
        bool open = true;  // neither rejected nor closed
    };

    // Chance and time.
    double Chance();
    std::size_t Pick(std::size_t n);
    std::chrono::microseconds Minutes(double low, double high);
    int Severity();
    std::string Uuid();
    issues::GeoPoint Near(const DemoSite& site);
    TimePoint Now() const { return clock_.Now(); }
    /// The next moment the office or the bureau is at work (08:30-17:30) from `t` on.
    TimePoint OfficeHours(TimePoint t);
    /// The office's next review of new findings (09:00, 11:30, 16:30; within 45 minutes).
    TimePoint ReviewSession(TimePoint t);
    /// A handler's working time (07:30-21:00) from `t` on, unless that would miss `due`.
    TimePoint Daytime(TimePoint t, TimePoint due);
    double Diligence(long long unit_id) const;
    void Schedule(TimePoint at, Kind kind, long long arg = 0, int count = 0);
    Actor As(const Actor& who);
    std::string Photo(const Actor& by);
    /// The issue as this replay last saw it (every step returns the row it wrote).
    const issues::Issue& Remember(const issues::Issue& issue);
    /// Runs a step on the version last seen; when the dispatch bumped it since (an
    /// escalation), reloads the issue and runs the step again.
    template <typename Step>
    const issues::Issue& Retrying(long long id, const Actor& as, Step&& step);
    void Track(const issues::Issue& issue);

    // What happens.
    void StartDay(int day);
    void Inspect(std::size_t inspector, int findings);
    void EnterComplaint();
    void Triage(long long id);
    void Dispatch(int day);
    void Publish(int day);
    void DeclareAlert();
    void PlanRectification(const issues::Issue& issue);
    void Rectify(long long id);
    void Verify(long long id);

    ReplaySettings settings_;
    ManualClock clock_;
    std::mt19937_64 rng_;

    issues::IssueRepository issue_repository_;
    issues::InspectionRepository inspection_repository_;
    issues::AuditRepository audit_repository_;
    issues::IdempotencyRepository idempotency_repository_;
    issues::RulesRepository rules_repository_;
    issues::IssueService issues_;
    evidence::AttachmentRepository attachment_repository_;
    evidence::AttachmentService attachments_;
    dispatch::DispatchRepository dispatch_repository_;
    dispatch::DispatchService dispatch_;
    Darkroom darkroom_;

    std::vector<dispatch::RoutingRule> rules_;
    Cast cast_;
    std::vector<DemoSite> sites_;
    int alert_day_ = -1;

    std::priority_queue<Event, std::vector<Event>, Later> queue_;
    long long next_order_ = 0;
    long long next_request_ = 0;
    std::map<long long, Tracked> tracked_;
    std::map<long long, issues::Issue> seen_;
    std::map<long long, std::vector<long long>> by_site_;  // issue ids, oldest first
    std::vector<long long> recent_;                        // the latest issues
    std::set<long long> confirmed_;                        // awaiting the dispatch

    long long issues_made_ = 0;
    long long dispatch_runs_ = 0;
    long long escalations_ = 0;
    long long photos_ = 0;
};

}  // namespace lantian::seed::history
