#pragma once

#include <vector>

#include "auth/password_hasher.hpp"
#include "auth/user.hpp"
#include "auth/user_repository.hpp"
#include "db/pool.hpp"

namespace lantian::auth {

/// Administration of people: roles, units, disabling, passwords.
class UserService {
public:
    UserService(db::Pool& pool, PasswordHasher& hasher, const UserRepository& users)
        : pool_(pool), hasher_(hasher), users_(users) {}

    User Create(const NewUser& user);
    User Get(long long id);
    std::vector<User> List(long long after_id, int limit);
    User Patch(long long id, int expected_version, const UserPatch& patch);

    /// Creates this administrator when no enabled administrator exists; does nothing
    /// otherwise. Returns true when it created one.
    bool EnsureAdministrator(const std::string& username, const std::string& password);

private:
    db::Pool& pool_;
    PasswordHasher& hasher_;
    const UserRepository& users_;
};

}  // namespace lantian::auth
