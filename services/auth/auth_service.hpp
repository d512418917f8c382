#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password_hasher.hpp"
#include "auth/session_repository.hpp"
#include "auth/user.hpp"
#include "auth/user_repository.hpp"
#include "common/actor.hpp"
#include "db/pool.hpp"

namespace lantian::auth {

struct SessionPolicy {
    /// A session unused this long ends (a phone left in a drawer overnight signs in again).
    std::chrono::seconds idle_timeout = std::chrono::hours(8);
    /// A session ends this long after sign-in, however busy.
    std::chrono::seconds absolute_timeout = std::chrono::hours(24);
    /// Failures per (account, client address) pair, then per client address (any account),
    /// before the back-off starts. Never per account alone: anyone could lock anyone out.
    int max_failures_per_user = 5;
    int max_failures_per_address = 20;
    /// Failures are forgotten after this long without one.
    std::chrono::seconds failure_window = std::chrono::minutes(30);
    /// The first wait; it doubles with each further failure up to `lockout`.
    std::chrono::seconds backoff = std::chrono::seconds(2);
    std::chrono::seconds lockout = std::chrono::minutes(15);
};

struct SignedIn {
    std::string token;
    TimePoint expires_at;
    User user;
};

/// Sign-in, sign-out and the per-request authentication.
class AuthService {
public:
    AuthService(db::Pool& pool, PasswordHasher& hasher, const UserRepository& users,
                const SessionRepository& sessions, SessionPolicy policy)
        : pool_(pool), hasher_(hasher), users_(users), sessions_(sessions), policy_(policy) {}

    /// Unknown user, wrong password and disabled user all answer the same 401, after the same
    /// work; repeated failures make the (account, address) pair or the address wait, longer
    /// with each failure (429 with Retry-After). `remote_address` is the client's (behind
    /// trusted proxies, the one they name).
    SignedIn SignIn(std::string_view username, std::string_view password,
                    const std::string& remote_address);
    void SignOut(std::string_view token);
    /// The actor a bearer token stands for, or nullopt (revoked, expired, idle, disabled).
    std::optional<Actor> Authenticate(std::string_view token);

    const SessionPolicy& policy() const { return policy_; }

private:
    void ThrowIfLocked(const std::string& pair_subject, const std::string& address_subject);

    db::Pool& pool_;
    PasswordHasher& hasher_;
    const UserRepository& users_;
    const SessionRepository& sessions_;
    SessionPolicy policy_;
};

/// Usernames are case-insensitive: compared in lower case, surrounding spaces ignored.
std::string NormalizeUsername(std::string_view username);

}  // namespace lantian::auth
