#pragma once

#include <chrono>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "common/actor.hpp"
#include "common/clock.hpp"

namespace lantian::auth {

struct ActiveSession {
    long long session_id = 0;
    Actor actor;
    bool stale_last_seen = false;  // last_seen_at is worth refreshing
};

/// The sign-in back-off: none below `max_failures`, then `first`, doubling with each further
/// failure, never more than `longest`.
std::chrono::seconds BackOff(int failures, int max_failures, std::chrono::seconds first,
                             std::chrono::seconds longest);

/// Sessions (by token hash) and the sign-in throttle.
class SessionRepository {
public:
    /// Returns the absolute expiry.
    TimePoint Insert(pqxx::transaction_base& tx, long long user_id, const std::string& token_hash,
                     std::chrono::seconds lifetime) const;
    /// The session and its user when it is neither revoked, expired, idle too long, nor its
    /// user disabled.
    std::optional<ActiveSession> FindActive(pqxx::transaction_base& tx,
                                            const std::string& token_hash,
                                            std::chrono::seconds idle_timeout) const;
    void Touch(pqxx::transaction_base& tx, long long session_id) const;
    /// True when a live session was revoked.
    bool Revoke(pqxx::transaction_base& tx, const std::string& token_hash) const;

    /// Seconds until the subject may try again, when it is locked out.
    std::optional<int> LockedFor(pqxx::transaction_base& tx, const std::string& subject) const;
    /// Counts a failure (forgotten after `window` without one); from `max_failures` on, the
    /// subject must wait BackOff(...) before its next try. Returns the failures counted.
    int RecordFailure(pqxx::transaction_base& tx, const std::string& subject,
                      std::chrono::seconds window, int max_failures,
                      std::chrono::seconds first_wait, std::chrono::seconds longest_wait) const;
    void ClearFailures(pqxx::transaction_base& tx, const std::string& subject) const;
};

}  // namespace lantian::auth
