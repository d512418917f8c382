#include "dispatch/dispatch_service.hpp"

#include <set>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/bulletin_ranking.hpp"
#include "issues/issue.hpp"
#include "sites/site.hpp"

namespace lantian::dispatch {

constexpr int kMaxCatchUpDays = 31;

DispatchRun DispatchService::Run(const std::string& day, const std::string& request_id) {
    if (!ParseDate(day))
        throw Error::Validation({{"date", "must be a day as YYYY-MM-DD in 2000–2099"}});
    // A day's bulletin covers the day before it: running ahead would freeze an unfinished day
    // and make the real run find nothing to do.
    if (day > DistrictDate(clock_.Now())) {
        throw Error(ErrorCode::kValidation, "day_not_started",
                    "the dispatch for " + day + " cannot run before that day has begun",
                    {{"date", "lies in the future"}});
    }
    // Catching up a missed day is normal; re-labelling the present as a long-past day is not.
    if (day < DistrictDate(clock_.Now() - std::chrono::hours(24 * kMaxCatchUpDays))) {
        throw Error(ErrorCode::kValidation, "day_too_old",
                    "the dispatch for " + day + " is more than 31 days in the past",
                    {{"date", "lies more than 31 days in the past"}});
    }
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const TimePoint now = clock_.Now();
        if (!repository_.ClaimDay(tx, day, now)) {
            auto existing = repository_.Find(tx, day, std::nullopt);
            existing->created = false;
            return *existing;
        }
        // Every issue lock first, then the writes (and with them the audit chain's head): the
        // lock order of a workflow step, so the two never deadlock.
        const auto confirmed = repository_.LockConfirmed(tx);
        const auto candidates = repository_.LockCandidates(tx, now);
        const auto assigned = repository_.AssignConfirmed(tx, now, request_id, confirmed);
        const int escalations = repository_.RaiseEscalations(tx, day, now, request_id, candidates);
        const std::string bulletin =
            WithRanking(repository_.ComputeBulletin(tx, day, now, DistrictZoneName()));
        repository_.CompleteRun(tx, day, assigned, escalations, bulletin);
        auto run = repository_.Find(tx, day, std::nullopt);
        run->created = true;
        return *run;
    });
}

DispatchRun DispatchService::Get(const std::string& day, const Actor& actor) {
    if (!ParseDate(day)) throw Error::NotFound("dispatch");
    auto run = db::Read(pool_, [&](pqxx::transaction_base& tx) {
        return repository_.Find(tx, day, actor.visibility.OwnUnit());
    });
    if (!run) throw Error::NotFound("dispatch");
    return *run;
}

std::vector<DispatchRun> DispatchService::List(const std::string& from, const std::string& to,
                                               const Actor& actor) {
    return db::Read(pool_, [&](pqxx::transaction_base& tx) {
        return repository_.List(tx, from, to, actor.visibility.OwnUnit());
    });
}

DispatchRun DispatchService::Publish(const std::string& day, const Actor& actor) {
    if (!ParseDate(day)) throw Error::NotFound("dispatch");
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        if (!repository_.Find(tx, day, std::nullopt)) throw Error::NotFound("dispatch");
        repository_.Publish(tx, day, actor.user_id,
                            clock_.Now());  // publishing twice keeps the first
        return *repository_.Find(tx, day, std::nullopt);
    });
}

std::optional<std::string> DispatchService::LatestDay() {
    return db::Read(pool_, [&](pqxx::transaction_base& tx) { return repository_.LatestDay(tx); });
}

std::vector<Escalation> DispatchService::Escalations(EscalationQuery query, const Actor& actor) {
    if (const auto unit = actor.visibility.OwnUnit()) {
        if (query.unit_id && *query.unit_id != *unit) return {};
        query.unit_id = unit;
    }
    return db::Read(pool_,
                    [&](pqxx::transaction_base& tx) { return repository_.Escalations(tx, query); });
}

std::vector<RoutingRule> DispatchService::RoutingRules() {
    return db::Read(pool_,
                    [&](pqxx::transaction_base& tx) { return repository_.RoutingRules(tx); });
}

std::vector<RoutingRule> DispatchService::ReplaceRoutingRules(
    const std::vector<RoutingRule>& rules) {
    FieldErrors errors;
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<long long> units;
    for (size_t n = 0; n < rules.size(); ++n) {
        const auto& r = rules[n];
        const std::string at = "rules[" + std::to_string(n) + "]";
        if (r.site_kind && sites::SiteKindLabel(*r.site_kind).empty()) {
            errors.Add(at + ".site_kind", "is not a site kind");
        }
        if (r.category && issues::CategoryLabel(*r.category).empty()) {
            errors.Add(at + ".category", "is not a category");
        }
        if (!seen.insert({r.site_kind.value_or("*"), r.category.value_or("*")}).second) {
            errors.Add(at, "repeats a site kind and category");
        }
        if (r.lead_unit_id) units.push_back(*r.lead_unit_id);
        units.insert(units.end(), r.co_unit_ids.begin(), r.co_unit_ids.end());
    }
    errors.ThrowIfAny();
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        if (const auto bad = repository_.UnassignableUnits(tx, units); !bad.empty()) {
            throw Error::Validation({{"rules", "unit " + std::to_string(bad.front()) +
                                                   " does not exist or is an office"}});
        }
        repository_.ReplaceRoutingRules(tx, rules);
        return repository_.RoutingRules(tx);
    });
}

std::vector<PollutionAlert> DispatchService::Alerts(std::optional<TimePoint> from,
                                                    std::optional<TimePoint> to) {
    return db::Read(pool_,
                    [&](pqxx::transaction_base& tx) { return repository_.Alerts(tx, from, to); });
}

PollutionAlert DispatchService::DeclareAlert(const PollutionAlert& alert, const Actor& actor) {
    FieldErrors errors;
    if (AlertLevelLabel(alert.level).empty()) errors.Add("level", "must be yellow, orange or red");
    if (alert.ends_at <= alert.starts_at) errors.Add("ends_at", "must come after starts_at");
    errors.ThrowIfAny();
    PollutionAlert row = alert;
    row.created_by = actor.user_id;
    return db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return repository_.InsertAlert(tx, row); });
}

}  // namespace lantian::dispatch
