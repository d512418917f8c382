#include "auth/user_service.hpp"

#include <regex>

#include "auth/auth_service.hpp"
#include "common/error.hpp"
#include "db/transaction.hpp"

namespace lantian::auth {

namespace {

void CheckUsername(const std::string& username, FieldErrors& errors) {
    static const std::regex kFormat("^[a-z0-9][a-z0-9._-]{1,63}$");
    if (!std::regex_match(username, kFormat)) {
        errors.Add("username", "must be 2 to 64 lower-case letters, digits, '.', '_' or '-'");
    }
}

void CheckDisplayName(const std::string& name, FieldErrors& errors) {
    if (name.find_first_not_of(' ') == std::string::npos) {
        errors.Add("display_name", "must not be blank");
    } else if (name.size() > 100) {
        errors.Add("display_name", "must be at most 100 bytes");
    }
}

void CheckRoleAndUnit(pqxx::transaction_base& tx, const UserRepository& users,
                      const std::string& role, const std::optional<long long>& unit_id,
                      FieldErrors& errors) {
    if (RoleLabel(role).empty()) {
        errors.Add("role", "must be one of inspector, office, handler, supervisor, leader, admin");
    }
    if (role == "handler" && !unit_id) errors.Add("unit_id", "is required for a handler");
    if (unit_id && !users.UnitExists(tx, *unit_id)) errors.Add("unit_id", "names no unit");
}

}  // namespace

User UserService::Create(const NewUser& input) {
    NewUser user = input;
    user.username = NormalizeUsername(input.username);
    FieldErrors errors;
    CheckUsername(user.username, errors);
    CheckDisplayName(user.display_name, errors);
    if (auto why = PasswordPolicyViolation(user.password, user.username); !why.empty()) {
        errors.Add("password", why);
    }
    db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        CheckRoleAndUnit(tx, users_, user.role, user.unit_id, errors);
    });
    errors.ThrowIfAny();
    const std::string hash = hasher_.Hash(user.password);
    return db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return users_.Insert(tx, user, hash); });
}

User UserService::Get(long long id) {
    auto user =
        db::InTransaction(pool_, [&](pqxx::transaction_base& tx) { return users_.Find(tx, id); });
    if (!user) throw Error::NotFound("user");
    return *user;
}

std::vector<User> UserService::List(long long after_id, int limit) {
    return db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return users_.List(tx, after_id, limit); });
}

User UserService::Patch(long long id, int expected_version, const UserPatch& patch) {
    FieldErrors errors;
    if (patch.display_name) CheckDisplayName(*patch.display_name, errors);
    const User current = Get(id);
    if (patch.password) {
        if (auto why = PasswordPolicyViolation(*patch.password, current.username); !why.empty()) {
            errors.Add("password", why);
        }
    }
    db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const std::string role = patch.role.value_or(current.role);
        const std::optional<long long> unit = patch.unit_id ? *patch.unit_id : current.unit_id;
        CheckRoleAndUnit(tx, users_, role, unit, errors);
    });
    errors.ThrowIfAny();
    std::optional<std::string> hash;
    if (patch.password) hash = hasher_.Hash(*patch.password);
    auto updated = db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const bool stops_being_admin =
            current.role == "admin" && !current.disabled &&
            ((patch.role && *patch.role != "admin") || patch.disabled.value_or(false));
        if (stops_being_admin && !users_.AnotherEnabledAdmin(tx, id)) {
            throw Error(ErrorCode::kFailedPrecondition, "last_administrator",
                        "user \"" + current.username +
                            "\" is the last enabled administrator and must stay one");
        }
        auto user = users_.Update(tx, id, expected_version, patch, hash);
        // A new password ends every session signed in with the old one; disabling ends them
        // for good (not merely hidden while disabled: re-enabling must not revive them).
        if (user && (hash || patch.disabled.value_or(false))) users_.RevokeSessions(tx, id);
        return user;
    });
    if (!updated) {
        throw Error(ErrorCode::kAborted, "precondition_failed",
                    "user " + std::to_string(id) + " has changed; reload it");
    }
    return *updated;
}

bool UserService::EnsureAdministrator(const std::string& username, const std::string& password) {
    const bool exists = db::InTransaction(
        pool_, [&](pqxx::transaction_base& tx) { return users_.AnyEnabledAdmin(tx); });
    if (exists) return false;
    try {
        Create({username, "系统管理员", "admin", std::nullopt, password});
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kAlreadyExists) throw;
        // Another replica may have bootstrapped the same administrator at the same moment;
        // otherwise the name belongs to a disabled or demoted user, which must not pass quietly.
        const bool now_exists = db::InTransaction(
            pool_, [&](pqxx::transaction_base& tx) { return users_.AnyEnabledAdmin(tx); });
        if (now_exists) return false;
        throw Error(ErrorCode::kFailedPrecondition, "admin_unavailable",
                    "no enabled administrator exists and user \"" + username +
                        "\" is taken by a disabled or non-admin user; choose another "
                        "LANTIAN_ADMIN_USERNAME or re-enable that user");
    }
    return true;
}

}  // namespace lantian::auth
