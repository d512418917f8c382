#include "auth/auth_service.hpp"

#include <algorithm>

#include "auth/token.hpp"
#include "common/error.hpp"
#include "common/role.hpp"
#include "db/transaction.hpp"

namespace lantian::auth {

namespace {

Error InvalidCredentials() {
    return Error(ErrorCode::kUnauthenticated, "invalid_credentials", "wrong username or password");
}

}  // namespace

std::string NormalizeUsername(std::string_view username) {
    const auto first = username.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = username.find_last_not_of(" \t");
    std::string out(username.substr(first, last - first + 1));
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

void AuthService::ThrowIfLocked(const std::string& pair_subject,
                                const std::string& address_subject) {
    const auto locked = db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        auto seconds = sessions_.LockedFor(tx, pair_subject);
        if (!seconds) seconds = sessions_.LockedFor(tx, address_subject);
        return seconds;
    });
    if (locked) {
        throw Error(ErrorCode::kResourceExhausted, "too_many_attempts",
                    "too many failed sign-ins; try again later")
            .WithRetryAfter(*locked);
    }
}

SignedIn AuthService::SignIn(std::string_view raw_username, std::string_view password,
                             const std::string& remote_address) {
    const std::string username = NormalizeUsername(raw_username);
    // Throttled per (account, address) pair and per address, never per account alone: a
    // stranger's wrong guesses must not lock an inspector out of their own account.
    const std::string pair_subject = "pair:" + remote_address + " " + username;
    const std::string address_subject = "addr:" + remote_address;
    ThrowIfLocked(pair_subject, address_subject);

    const auto found = db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return users_.FindByUsername(tx, username); });
    // Verify even when there is no such user, so that both answers take the same time.
    const bool matches =
        hasher_.Verify(found ? found->password_hash : hasher_.DummyHash(), password);
    if (!found || !matches || found->user.disabled) {
        db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
            sessions_.RecordFailure(tx, pair_subject, policy_.failure_window,
                                    policy_.max_failures_per_user, policy_.backoff,
                                    policy_.lockout);
            sessions_.RecordFailure(tx, address_subject, policy_.failure_window,
                                    policy_.max_failures_per_address, policy_.backoff,
                                    policy_.lockout);
        });
        throw InvalidCredentials();
    }
    // The password was right, but a role this service does not know would see nothing and
    // do nothing: refuse it plainly instead (the administrator must correct the account).
    if (!ParseRole(found->user.role)) {
        throw Error(ErrorCode::kPermissionDenied, "unknown_role",
                    "this account's role \"" + found->user.role +
                        "\" is not one this service knows; ask the administrator");
    }
    // The configured cost rose since this hash was made: upgrade it while we know the password.
    std::optional<std::string> rehashed;
    if (hasher_.NeedsRehash(found->password_hash)) rehashed = hasher_.Hash(password);
    const NewToken token = MakeToken();
    const TimePoint expires_at = db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        sessions_.ClearFailures(tx, pair_subject);
        if (rehashed) users_.SetPasswordHash(tx, found->user.id, *rehashed);
        return sessions_.Insert(tx, found->user.id, token.hash, policy_.absolute_timeout);
    });
    return {token.token, expires_at, found->user};
}

void AuthService::SignOut(std::string_view token) {
    const std::string hash = HashToken(token);
    db::InTransaction(pool_, [&](pqxx::transaction_base& tx) { sessions_.Revoke(tx, hash); });
}

std::optional<Actor> AuthService::Authenticate(std::string_view token) {
    // Our tokens are 43 base64url characters; anything else cannot match, skip the query.
    if (token.size() != 43) return std::nullopt;
    const std::string hash = HashToken(token);
    return db::Read(pool_, [&](pqxx::transaction_base& tx) -> std::optional<Actor> {
        auto session = sessions_.FindActive(tx, hash, policy_.idle_timeout);
        if (!session) return std::nullopt;
        // Refreshed at most once a minute, so reads do not each cost a write.
        if (session->stale_last_seen) sessions_.Touch(tx, session->session_id);
        return session->actor;
    });
}

}  // namespace lantian::auth
