#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "auth/user.hpp"

namespace lantian::auth {

struct UserWithHash {
    User user;
    std::string password_hash;
};

class UserRepository {
public:
    std::optional<User> Find(pqxx::transaction_base& tx, long long id) const;
    std::optional<UserWithHash> FindByUsername(pqxx::transaction_base& tx,
                                               const std::string& username) const;
    std::vector<User> List(pqxx::transaction_base& tx, long long after_id, int limit) const;
    /// Throws Error(kAlreadyExists) when the username is taken.
    User Insert(pqxx::transaction_base& tx, const NewUser& user,
                const std::string& password_hash) const;
    /// Compare-and-set on version; `password_hash` replaces the stored one when set.
    std::optional<User> Update(pqxx::transaction_base& tx, long long id, int expected_version,
                               const UserPatch& patch,
                               const std::optional<std::string>& password_hash) const;
    void SetPasswordHash(pqxx::transaction_base& tx, long long id, const std::string& hash) const;
    bool AnyEnabledAdmin(pqxx::transaction_base& tx) const;
    /// True when an enabled administrator other than `user_id` exists.
    bool AnotherEnabledAdmin(pqxx::transaction_base& tx, long long user_id) const;
    void RevokeSessions(pqxx::transaction_base& tx, long long user_id) const;
    bool UnitExists(pqxx::transaction_base& tx, long long unit_id) const;
};

}  // namespace lantian::auth
