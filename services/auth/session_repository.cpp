#include "auth/session_repository.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::auth {

namespace {

constexpr const char* kInsert = R"(
    insert into sessions (token_hash, user_id, expires_at)
    values ($1, $2, now() + make_interval(secs => $3))
    returning expires_at)";

constexpr const char* kFindActive = R"(
    select s.id, u.id, u.username, u.role, u.unit_id, coalesce(un.kind, ''),
           s.last_seen_at < now() - make_interval(secs => $3)
    from sessions s
    join users u on u.id = s.user_id
    left join units un on un.id = u.unit_id
    where s.token_hash = $1
      and s.revoked_at is null
      and s.expires_at > now()
      and s.last_seen_at > now() - make_interval(secs => $2)
      and not u.disabled)";

constexpr const char* kTouch = "update sessions set last_seen_at = now() where id = $1";

constexpr const char* kRevoke = R"(
    update sessions set revoked_at = now()
    where token_hash = $1 and revoked_at is null)";

constexpr const char* kLockedFor = R"(
    select ceil(extract(epoch from locked_until - now()))::int
    from sign_in_throttle
    where subject = $1 and locked_until > now())";

// The window slides: window_started_at is the latest failure, and the count is forgotten
// only after a whole window without one (so waiting out a back-off does not reset it).
constexpr const char* kCountFailure = R"(
    insert into sign_in_throttle as t (subject, failures, window_started_at)
    values ($1, 1, now())
    on conflict (subject) do update set
        failures = case when t.window_started_at < now() - make_interval(secs => $2)
                        then 1 else t.failures + 1 end,
        window_started_at = now()
    returning failures)";

constexpr const char* kLock = R"(
    update sign_in_throttle set locked_until = now() + make_interval(secs => $2)
    where subject = $1)";

constexpr const char* kClear = "delete from sign_in_throttle where subject = $1";

// Keeps the table from growing with every name ever tried: windows long past, no lock.
constexpr const char* kPrune = R"(
    delete from sign_in_throttle
    where window_started_at < now() - make_interval(secs => $1) * 2
      and (locked_until is null or locked_until < now()))";

}  // namespace

TimePoint SessionRepository::Insert(pqxx::transaction_base& tx, long long user_id,
                                    const std::string& token_hash,
                                    std::chrono::seconds lifetime) const {
    const auto row =
        db::Exec1(tx, kInsert, token_hash, user_id, static_cast<double>(lifetime.count()));
    return row[0].as<TimePoint>();
}

std::optional<ActiveSession> SessionRepository::FindActive(
    pqxx::transaction_base& tx, const std::string& token_hash,
    std::chrono::seconds idle_timeout) const {
    // Refresh last_seen_at at most once a minute, but well within the idle timeout, so an
    // active session never lapses however short the timeout is configured.
    const double touch_after = std::min(60.0, static_cast<double>(idle_timeout.count()) / 4);
    const auto r = db::Exec(tx, kFindActive, token_hash, static_cast<double>(idle_timeout.count()),
                            touch_after);
    if (r.empty()) return std::nullopt;
    ActiveSession s;
    s.session_id = r[0][0].as<long long>();
    s.actor.user_id = r[0][1].as<long long>();
    s.actor.username = r[0][2].as<std::string>();
    // A role this binary does not know (a newer schema?) signs no one in.
    const auto role = ParseRole(r[0][3].as<std::string>());
    if (!role) return std::nullopt;
    s.actor.role = *role;
    s.actor.unit_id = db::Nullable<long long>(r[0][4]);
    s.actor.unit_kind = r[0][5].as<std::string>();
    s.stale_last_seen = r[0][6].as<bool>();
    return s;
}

void SessionRepository::Touch(pqxx::transaction_base& tx, long long session_id) const {
    db::Exec(tx, kTouch, session_id);
}

bool SessionRepository::Revoke(pqxx::transaction_base& tx, const std::string& token_hash) const {
    return db::Exec(tx, kRevoke, token_hash).affected_rows() > 0;
}

std::optional<int> SessionRepository::LockedFor(pqxx::transaction_base& tx,
                                                const std::string& subject) const {
    const auto r = db::Exec(tx, kLockedFor, subject);
    if (r.empty()) return std::nullopt;
    return std::max(1, r[0][0].as<int>());
}

std::chrono::seconds BackOff(int failures, int max_failures, std::chrono::seconds first,
                             std::chrono::seconds longest) {
    if (failures < max_failures) return std::chrono::seconds(0);
    const int doublings = std::min(failures - max_failures, 30);
    const long long wait = static_cast<long long>(first.count()) << doublings;
    return std::chrono::seconds(std::min<long long>(wait, longest.count()));
}

int SessionRepository::RecordFailure(pqxx::transaction_base& tx, const std::string& subject,
                                     std::chrono::seconds window, int max_failures,
                                     std::chrono::seconds first_wait,
                                     std::chrono::seconds longest_wait) const {
    db::Exec(tx, kPrune, static_cast<double>(window.count()));
    const int failures =
        db::Exec1(tx, kCountFailure, subject, static_cast<double>(window.count()))[0].as<int>();
    const auto wait = BackOff(failures, max_failures, first_wait, longest_wait);
    if (wait.count() > 0) db::Exec(tx, kLock, subject, static_cast<double>(wait.count()));
    return failures;
}

void SessionRepository::ClearFailures(pqxx::transaction_base& tx,
                                      const std::string& subject) const {
    db::Exec(tx, kClear, subject);
}

}  // namespace lantian::auth
