#include "seed/demo_history_replay.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "common/time.hpp"
#include "seed/demo_history_content.hpp"

namespace lantian::seed::history {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr int kOfficeOpens = 8 * 60 + 30, kOfficeCloses = 17 * 60 + 30;
constexpr int kHandlersStart = 7 * 60 + 30, kHandlersStop = 21 * 60;
// The office reviews new findings three times a day.
constexpr int kReviews[] = {9 * 60, 11 * 60 + 30, 16 * 60 + 30};

std::uint64_t SplitMix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/// The render the HTTP layer would give; the replay keeps the created rows instead.
issues::StoredResponse Created() {
    return {201, {}, {}, false};
}

bool IsWeekend(const std::string& day) {
    // Noon of the district day falls on the same UTC calendar day for any zone within ±12 h.
    const auto noon = DistrictDayStart(day) + hours(12);
    const std::chrono::weekday wd{std::chrono::floor<std::chrono::days>(noon)};
    return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

}  // namespace

Replay::Replay(db::Pool& pool, auth::UserService& users, evidence::BlobStore& blobs,
               ReplaySettings settings)
    : settings_(std::move(settings)),
      rng_(settings_.seed),
      issues_(pool, clock_,
              {issue_repository_, inspection_repository_, audit_repository_,
               idempotency_repository_, rules_repository_}),
      attachments_(pool, blobs, attachment_repository_),
      dispatch_(pool, clock_, dispatch_repository_),
      darkroom_(blobs, settings_.seed),
      rules_(dispatch_.RoutingRules()),
      cast_(LoadCast(pool, users, rules_)),
      sites_(LoadSites(pool)) {
    if (sites_.empty()) throw std::runtime_error("no active site; load the demo district first");
    // One orange heavy-pollution alert (deadlines halved for three days) two-fifths of the way in.
    if (settings_.days.size() >= 10) alert_day_ = static_cast<int>(settings_.days.size() * 2 / 5);
}

void Replay::Run() {
    for (size_t d = 0; d < settings_.days.size(); ++d) {
        Schedule(DistrictDayStart(settings_.days[d]), Kind::kDay, static_cast<long long>(d));
    }
    while (!queue_.empty() && queue_.top().at <= settings_.end) {
        const Event e = queue_.top();
        queue_.pop();
        clock_.Set(e.at);
        switch (e.kind) {
            case Kind::kDay:
                StartDay(static_cast<int>(e.arg));
                break;
            case Kind::kAlert:
                DeclareAlert();
                break;
            case Kind::kDispatch:
                Dispatch(static_cast<int>(e.arg));
                break;
            case Kind::kPublish:
                Publish(static_cast<int>(e.arg));
                break;
            case Kind::kInspect:
                Inspect(static_cast<size_t>(e.arg), e.count);
                break;
            case Kind::kComplaint:
                EnterComplaint();
                break;
            case Kind::kTriage:
                Triage(e.arg);
                break;
            case Kind::kRectify:
                Rectify(e.arg);
                break;
            case Kind::kVerify:
                Verify(e.arg);
                break;
        }
    }
}

// --- chance and time ----------------------------------------------------------------------------

double Replay::Chance() {
    return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

std::size_t Replay::Pick(std::size_t n) {
    return static_cast<std::size_t>(rng_() % n);
}

std::chrono::microseconds Replay::Minutes(double low, double high) {
    return std::chrono::microseconds(
        static_cast<long long>((low + (high - low) * Chance()) * 60e6));
}

int Replay::Severity() {
    const double u = Chance();
    return u < 0.6 ? 1 : (u < 0.9 ? 2 : 3);
}

std::string Replay::Uuid() {
    const std::uint64_t hi = (rng_() & ~0xF000ull) | 0x4000ull;
    const std::uint64_t lo = (rng_() & ~(0xC000ull << 48)) | (0x8000ull << 48);
    char out[37];
    std::snprintf(out, sizeof out, "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(hi >> 32),
                  static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                  static_cast<unsigned long long>(hi & 0xFFFF),
                  static_cast<unsigned long long>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return out;
}

issues::GeoPoint Replay::Near(const DemoSite& site) {
    // Within about 20 m of the site: where the inspector stood.
    return {site.lat + (Chance() - 0.5) * 0.0004, site.lon + (Chance() - 0.5) * 0.0004};
}

TimePoint Replay::OfficeHours(TimePoint t) {
    const int m = DistrictMinuteOfDay(t);
    if (m >= kOfficeOpens && m < kOfficeCloses) return t;
    const std::string day = m < kOfficeOpens ? DistrictDate(t) : AddDays(DistrictDate(t), 1);
    return DistrictDayStart(day) + minutes(kOfficeOpens) + Minutes(0, 75);
}

TimePoint Replay::ReviewSession(TimePoint t) {
    const TimePoint ready = t + minutes(20);
    const std::string today = DistrictDate(ready);
    TimePoint session = DistrictDayStart(AddDays(today, 1)) + minutes(kReviews[0]);
    for (int at : kReviews) {
        const TimePoint candidate = DistrictDayStart(today) + minutes(at);
        if (candidate >= ready) {
            session = candidate;
            break;
        }
    }
    return session + Minutes(0, 45);
}

TimePoint Replay::Daytime(TimePoint t, TimePoint due) {
    const int m = DistrictMinuteOfDay(t);
    if (m >= kHandlersStart && m < kHandlersStop) return t;
    const std::string day = m < kHandlersStart ? DistrictDate(t) : AddDays(DistrictDate(t), 1);
    const TimePoint morning = DistrictDayStart(day) + minutes(kHandlersStart) + Minutes(0, 90);
    return morning < due ? morning : t;
}

double Replay::Diligence(long long unit_id) const {
    // Some units are conscientious, some are not: the ranking has a top and a bottom.
    const std::uint64_t h = SplitMix(settings_.seed ^ static_cast<std::uint64_t>(unit_id * 7919));
    return 0.45 + 0.55 * static_cast<double>(h >> 11) * 0x1.0p-53;
}

void Replay::Schedule(TimePoint at, Kind kind, long long arg, int count) {
    queue_.push({at, next_order_++, kind, arg, count});
}

Actor Replay::As(const Actor& who) {
    Actor a = who;
    char id[48];
    std::snprintf(id, sizeof id, "seed-history-%06lld", ++next_request_);
    a.request_id = id;
    return a;
}

std::string Replay::Photo(const Actor& by) {
    const std::string bytes = darkroom_.Next();
    const std::string sha = Sha256Hex(bytes);
    attachments_.Put(sha, bytes, "image/png", by);
    ++photos_;
    return sha;
}

void Replay::Track(const issues::Issue& issue) {
    Remember(issue);
    tracked_[issue.id] = {issue.id, issue.site_id, issue.category, issue.reported_at, true};
    by_site_[issue.site_id].push_back(issue.id);
    recent_.push_back(issue.id);
    if (recent_.size() > 40) recent_.erase(recent_.begin());
    ++issues_made_;
}

// --- what happens -------------------------------------------------------------------------------

void Replay::StartDay(int day) {
    const std::string& date = settings_.days[static_cast<size_t>(day)];
    const TimePoint start = DistrictDayStart(date);
    const TimePoint dispatch_at = start + minutes(settings_.dispatch_minute);
    Schedule(dispatch_at, Kind::kDispatch, day);
    Schedule(std::max(dispatch_at, start + minutes(kOfficeOpens)) + Minutes(20, 90), Kind::kPublish,
             day);
    if (day == alert_day_) Schedule(start + minutes(6 * 60 + 30), Kind::kAlert);

    int findings = 8 + static_cast<int>(Pick(13));  // 8-20 a day, fewer at weekends
    if (IsWeekend(date)) findings = std::max(6, findings * 2 / 3);
    const int complaints = static_cast<int>(findings * (0.1 + 0.15 * Chance()) + 0.5);
    for (int left = findings - complaints; left > 0;) {
        const int n = std::min(left, 1 + (Chance() < 0.35) + (Chance() < 0.1));
        Schedule(start + Minutes(8 * 60 + 30, 17 * 60 + 40), Kind::kInspect,
                 static_cast<long long>(Pick(cast_.inspectors.size())), n);
        left -= n;
    }
    for (int k = 0; k < complaints; ++k) {
        Schedule(start + Minutes(8 * 60 + 30, 19 * 60), Kind::kComplaint);
    }
}

void Replay::Inspect(std::size_t inspector, int findings) {
    const Actor who = As(cast_.inspectors[inspector]);
    const DemoSite& site = sites_[Pick(sites_.size())];
    const auto categories = CategoriesFor(site.kind);
    issues::NewInspection inspection;
    inspection.client_id = Uuid();
    inspection.site_id = site.id;
    inspection.started_at = Now() - Minutes(8, 30);
    inspection.location = Near(site);
    inspection.notes = "大气污染源日常巡查";
    const size_t first = Pick(categories.size());
    const int n = std::min(findings, static_cast<int>(categories.size()));
    for (int k = 0; k < n; ++k) {
        issues::NewFinding f;
        f.client_id = Uuid();
        f.category = std::string(categories[(first + static_cast<size_t>(k)) % categories.size()]);
        f.severity = Severity();
        f.description = FindingText(f.category, site.name, f.severity);
        f.location = Near(site);
        f.reported_at = inspection.started_at + minutes(3 * (k + 1));
        if (Chance() < 0.4) f.photo_ids.push_back(Photo(who));
        if (f.severity == 1 && Chance() < 0.15) {
            // Fixed on the spot (当场整改): it arrives with its evidence, awaiting verification.
            f.fixed_on_spot = true;
            f.evidence =
                issues::Evidence{"已督促现场整改：" + RectificationText(f.category), {Photo(who)}};
        }
        inspection.findings.push_back(std::move(f));
    }
    std::vector<issues::Issue> made;
    issues_.Inspect(inspection, who, std::nullopt, [&](const issues::Inspection& done) {
        made = done.issues;
        return Created();
    });
    for (const auto& issue : made) {
        Track(issue);
        if (issue.fixed_on_spot) {
            Schedule(OfficeHours(Now() + Minutes(120, 1800)), Kind::kVerify, issue.id);
        } else {
            Schedule(ReviewSession(Now()), Kind::kTriage, issue.id);
        }
    }
}

void Replay::EnterComplaint() {
    const Actor office = As(cast_.office);
    const double u = Chance();
    issues::NewIssue complaint;
    complaint.source = u < 0.85 ? "hotline" : (u < 0.95 ? "superior" : "media");
    const DemoSite* site = &sites_[Pick(sites_.size())];
    complaint.finding.category =
        std::string(CategoriesFor(site->kind)[Pick(CategoriesFor(site->kind).size())]);
    if (!recent_.empty() && Chance() < 0.25) {
        // Citizens call about what an inspector already found: a likely duplicate.
        const Tracked& seen = tracked_.at(recent_[Pick(recent_.size())]);
        site = &*std::lower_bound(sites_.begin(), sites_.end(), seen.site_id,
                                  [](const DemoSite& s, long long id) { return s.id < id; });
        complaint.finding.category = seen.category;
    }
    complaint.site_id = site->id;
    complaint.finding.client_id = Uuid();
    complaint.finding.severity = Severity();
    complaint.finding.description =
        ComplaintText(complaint.source, complaint.finding.category, site->name);
    complaint.finding.location = issues::GeoPoint{site->lat, site->lon};
    complaint.finding.reported_at = Now() - Minutes(10, 180);
    issues::Issue made;
    issues_.Report(complaint, office, std::nullopt, [&](const issues::Issue& done) {
        made = done;
        return Created();
    });
    Track(made);
    Schedule(ReviewSession(Now()), Kind::kTriage, made.id);
}

}  // namespace lantian::seed::history
