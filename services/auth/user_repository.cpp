#include "auth/user_repository.hpp"

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::auth {

namespace {

constexpr const char* kColumns = R"(
    u.id, u.username, u.display_name, u.role, u.unit_id, u.disabled, u.version, u.created_at,
    u.updated_at)";

const std::string kFind = std::string("select") + kColumns + " from users u where u.id = $1";
const std::string kFindByUsername =
    std::string("select") + kColumns + ", u.password_hash from users u where u.username = $1";
const std::string kList =
    std::string("select") + kColumns + " from users u where u.id > $1 order by u.id limit $2";
const std::string kInsert = R"(
    with u as (
        insert into users (username, display_name, role, unit_id, password_hash)
        values ($1, $2, $3, $4, $5)
        returning *)
    select)" + std::string(kColumns) +
                            " from u";
const std::string kUpdate = R"(
    with u as (
        update users set
            display_name = coalesce($3, display_name),
            role = coalesce($4, role),
            unit_id = case when $5 then $6 else unit_id end,
            disabled = coalesce($7, disabled),
            password_hash = coalesce($8, password_hash),
            version = version + 1,
            updated_at = now()
        where id = $1 and version = $2
        returning *)
    select)" + std::string(kColumns) +
                            " from u";
constexpr const char* kSetHash = "update users set password_hash = $2 where id = $1";
constexpr const char* kAnyAdmin =
    "select exists (select 1 from users where role = 'admin' and not disabled)";
constexpr const char* kRevokeSessions =
    "update sessions set revoked_at = now() where user_id = $1 and revoked_at is null";
constexpr const char* kAnotherAdmin =
    "select exists (select 1 from users where role = 'admin' and not disabled and id <> $1)";
constexpr const char* kUnitExists = "select exists (select 1 from units where id = $1)";

User FromRow(const pqxx::row& row) {
    User u;
    u.id = row[0].as<long long>();
    u.username = row[1].as<std::string>();
    u.display_name = row[2].as<std::string>();
    u.role = row[3].as<std::string>();
    u.unit_id = db::Nullable<long long>(row[4]);
    u.disabled = row[5].as<bool>();
    u.version = row[6].as<int>();
    u.created_at = row[7].as<TimePoint>();
    u.updated_at = row[8].as<TimePoint>();
    return u;
}

}  // namespace

std::optional<User> UserRepository::Find(pqxx::transaction_base& tx, long long id) const {
    const auto r = db::Exec(tx, kFind, id);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

std::optional<UserWithHash> UserRepository::FindByUsername(pqxx::transaction_base& tx,
                                                           const std::string& username) const {
    const auto r = db::Exec(tx, kFindByUsername, username);
    if (r.empty()) return std::nullopt;
    return UserWithHash{FromRow(r[0]), r[0][9].as<std::string>()};
}

std::vector<User> UserRepository::List(pqxx::transaction_base& tx, long long after_id,
                                       int limit) const {
    std::vector<User> out;
    for (const auto& row : db::Exec(tx, kList, after_id, limit)) out.push_back(FromRow(row));
    return out;
}

User UserRepository::Insert(pqxx::transaction_base& tx, const NewUser& user,
                            const std::string& password_hash) const {
    try {
        return FromRow(db::Exec1(tx, kInsert, user.username, user.display_name, user.role,
                                 user.unit_id, password_hash));
    } catch (const pqxx::unique_violation&) {
        throw Error(ErrorCode::kAlreadyExists, "already_exists",
                    "user \"" + user.username + "\" already exists",
                    {{"username", "is already taken"}});
    }
}

std::optional<User> UserRepository::Update(pqxx::transaction_base& tx, long long id,
                                           int expected_version, const UserPatch& p,
                                           const std::optional<std::string>& password_hash) const {
    const std::optional<long long> unit = p.unit_id.has_value() ? *p.unit_id : std::nullopt;
    const auto r = db::Exec(tx, kUpdate, id, expected_version, p.display_name, p.role,
                            p.unit_id.has_value(), unit, p.disabled, password_hash);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

void UserRepository::SetPasswordHash(pqxx::transaction_base& tx, long long id,
                                     const std::string& hash) const {
    db::Exec(tx, kSetHash, id, hash);
}

bool UserRepository::AnyEnabledAdmin(pqxx::transaction_base& tx) const {
    return tx.exec1(kAnyAdmin)[0].as<bool>();
}

bool UserRepository::AnotherEnabledAdmin(pqxx::transaction_base& tx, long long user_id) const {
    return db::Exec1(tx, kAnotherAdmin, user_id)[0].as<bool>();
}

void UserRepository::RevokeSessions(pqxx::transaction_base& tx, long long user_id) const {
    db::Exec(tx, kRevokeSessions, user_id);
}

bool UserRepository::UnitExists(pqxx::transaction_base& tx, long long unit_id) const {
    return db::Exec1(tx, kUnitExists, unit_id)[0].as<bool>();
}

}  // namespace lantian::auth
