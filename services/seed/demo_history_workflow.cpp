// The ledger's workflow in the replay (see demo_history_replay.cpp for the day's field work).
#include <algorithm>

#include "common/error.hpp"
#include "common/time.hpp"
#include "seed/demo_history_cast.hpp"
#include "seed/demo_history_content.hpp"
#include "seed/demo_history_replay.hpp"

// The ledger's workflow in the replay: the office's triage and the daily dispatch, the lead
// units' rectifications and the supervision bureau's verifications.
namespace lantian::seed::history {

using std::chrono::hours;

const issues::Issue& Replay::Remember(const issues::Issue& issue) {
    return seen_[issue.id] = issue;
}

template <typename Step>
const issues::Issue& Replay::Retrying(long long id, const Actor& as, Step&& step) {
    try {
        return Remember(step(seen_.at(id).version));
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kAborted) throw;
    }
    // The dispatch escalated it meanwhile (a new version): reload it, as a person would.
    Remember(issues_.Get(id, as));
    return Remember(step(seen_.at(id).version));
}

void Replay::Triage(long long id) {
    const Actor office = As(cast_.office);
    const issues::Issue issue = seen_.at(id);
    if (issue.status != "reported") return;
    std::optional<long long> original;
    for (long long other : by_site_[issue.site_id]) {
        const Tracked& t = tracked_.at(other);
        if (other < id && t.open && t.category == issue.category &&
            t.reported_at > issue.reported_at - hours(14 * 24)) {
            original = other;
        }
    }
    issues::TriageDecision decision;
    // Found again while still open: a duplicate (once closed, it is a new occurrence).
    if (original && Chance() < (issue.source == "patrol" ? 0.5 : 0.8)) {
        decision.confirm = false;
        decision.duplicate_of = original;
        decision.reason = "与问题 #" + std::to_string(*original) + " 反映的是同一问题，合并处理";
    } else if (Chance() < (issue.source == "patrol" ? 0.04 : 0.14)) {
        decision.confirm = false;
        decision.reason = InvalidReason(rng_());
    }
    Retrying(id, office,
             [&](int version) { return issues_.Triage(id, version, decision, office); });
    if (decision.confirm) {
        confirmed_.insert(id);
    } else {
        tracked_.at(id).open = false;
    }
}

void Replay::Dispatch(int day) {
    const std::string& date = settings_.days[static_cast<size_t>(day)];
    const auto run = dispatch_.Run(date, "seed-history:dispatch:" + date);
    std::vector<long long> assigned = run.assigned_ids;
    if (run.created) {
        ++dispatch_runs_;
        escalations_ += run.escalation_count;
    } else {
        // The day's dispatch ran before, on the empty ledger: the office assigns by hand.
        const Actor office = As(cast_.office);
        assigned.clear();
        for (long long id : confirmed_) {
            const issues::Issue issue = Remember(issues_.Get(id, office));
            if (issue.status != "confirmed") continue;
            const Route route =
                RouteFor(rules_, issue.site_kind, issue.category, issue.subdistrict_id);
            Remember(issues_.Assign(id, issue.version,
                                    {route.lead_unit_id, route.co_unit_ids, std::nullopt}, office));
            assigned.push_back(id);
        }
    }
    confirmed_.clear();
    const Actor office = As(cast_.office);
    for (long long id : assigned) PlanRectification(Remember(issues_.Get(id, office)));
}

void Replay::Publish(int day) {
    try {
        dispatch_.Publish(settings_.days[static_cast<size_t>(day)], As(cast_.office));
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotFound) throw;
    }
}

void Replay::DeclareAlert() {
    dispatch::PollutionAlert alert;
    alert.level = "orange";
    alert.starts_at = Now();
    alert.ends_at = Now() + hours(72);
    dispatch_.DeclareAlert(alert, As(cast_.office));
}

void Replay::PlanRectification(const issues::Issue& issue) {
    if (!issue.lead_unit_id || !issue.due_at || !issue.assigned_at) return;
    const double diligence = Diligence(*issue.lead_unit_id);
    const double never = (issue.return_count > 0 ? 0.01 : 0.02) + 0.1 * (1 - diligence);
    const double late = 0.03 + 0.3 * (1 - diligence);
    const double u = Chance();
    if (u < never) return;  // left undone: overdue, then escalated by the dispatch
    TimePoint at;
    if (u < never + late) {
        at = *issue.due_at +
             (Chance() < 0.8 ? Minutes(60, 72 * 60) : Minutes(4 * 24 * 60, 9 * 24 * 60));
        at = Daytime(at, at + hours(24));  // late, but still in working hours
    } else {
        const auto span = *issue.due_at - *issue.assigned_at;
        const double share = 0.15 + 0.8 * Chance();
        at = *issue.assigned_at +
             std::chrono::duration_cast<std::chrono::microseconds>(span * share);
        at = Daytime(at, *issue.due_at);
    }
    Schedule(std::max(at, Now()), Kind::kRectify, issue.id);
}

void Replay::Rectify(long long id) {
    const issues::Issue current = seen_.at(id);
    if (current.status != "assigned" || !current.lead_unit_id) return;
    const auto handler = cast_.handlers.find(*current.lead_unit_id);
    if (handler == cast_.handlers.end()) return;  // a unit nobody works for: stays overdue
    const Actor who = As(handler->second);
    issues::RectificationInput input;
    input.description = RectificationText(current.category);
    input.photo_ids.push_back(Photo(who));
    Retrying(id, who, [&](int version) { return issues_.Rectify(id, version, input, who); });
    Schedule(OfficeHours(Now() + Minutes(180, 40 * 60)), Kind::kVerify, id);
}

void Replay::Verify(long long id) {
    const Actor bureau = As(cast_.supervisor);
    const issues::Issue current = seen_.at(id);
    if (current.status != "submitted") return;
    const double accept = current.return_count == 0   ? (current.fixed_on_spot ? 0.92 : 0.85)
                          : current.return_count == 1 ? 0.78
                          : current.return_count == 2 ? 0.85
                                                      : 1.0;
    issues::VerificationInput input;
    if (Chance() < accept) {
        input.comment = "现场核查已整改到位，同意销号。";
        Retrying(id, bureau,
                 [&](int version) { return issues_.Verify(id, version, input, bureau); });
        tracked_.at(id).open = false;
        return;
    }
    input.accept = false;
    input.comment = ReturnText(current.category, current.return_count);
    PlanRectification(Retrying(
        id, bureau, [&](int version) { return issues_.Verify(id, version, input, bureau); }));
}

}  // namespace lantian::seed::history
