#include "db/migrator.hpp"

#include <map>
#include <pqxx/pqxx>
#include <pqxx/transaction>
#include <stdexcept>

#include "common/sha256.hpp"

namespace lantian::db {

namespace {

constexpr const char* kCreateTable = R"(
create table if not exists schema_migrations (
    version     integer primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now()
))";
constexpr const char* kTableExists = "select to_regclass('public.schema_migrations') is not null";
constexpr const char* kSelectApplied = "select version, name, checksum from schema_migrations";
constexpr const char* kInsertApplied =
    "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)";
// An arbitrary constant shared by every migrator ("lantian" in ASCII, truncated).
constexpr long long kMigrationLockKey = 0x6c616e7469616e;

struct Applied {
    std::string name;
    std::string checksum;
};

std::map<int, Applied> ReadApplied(pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    std::map<int, Applied> applied;
    if (!tx.exec1(kTableExists)[0].as<bool>()) return applied;
    for (const auto& row : tx.exec(kSelectApplied)) {
        applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
    return applied;
}

SchemaStatus Compare(const std::map<int, Applied>& applied, std::span<const Migration> migrations) {
    SchemaStatus status;
    for (const Migration& m : migrations) {
        auto it = applied.find(m.version);
        if (it == applied.end()) {
            ++status.pending;
        } else {
            ++status.applied;
            if (it->second.checksum != Checksum(m.sql)) status.edited.push_back(m.name);
        }
    }
    return status;
}

}  // namespace

std::string Checksum(std::string_view sql) {
    return Sha256Hex(sql);
}

SchemaStatus InspectSchema(pqxx::connection& conn, std::span<const Migration> migrations) {
    return Compare(ReadApplied(conn), migrations);
}

std::vector<std::string> Migrate(pqxx::connection& conn, std::span<const Migration> migrations) {
    {
        pqxx::nontransaction tx(conn);
        tx.exec("select pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")");
    }
    struct Unlock {
        pqxx::connection& conn;
        ~Unlock() {
            try {
                pqxx::nontransaction tx(conn);
                tx.exec("select pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
            } catch (...) {  // the session ends soon anyway, releasing the lock
            }
        }
    } unlock{conn};

    {
        pqxx::nontransaction tx(conn);
        tx.exec(kCreateTable);
    }
    // Read under the lock: another migrator may have applied everything while we waited.
    const auto applied = ReadApplied(conn);
    const SchemaStatus status = Compare(applied, migrations);
    if (!status.edited.empty()) {
        throw std::runtime_error("migration " + status.edited.front() +
                                 " was edited after it was applied (its checksum no longer "
                                 "matches schema_migrations); add a new migration instead");
    }
    std::vector<std::string> done;
    for (const Migration& m : migrations) {
        if (applied.contains(m.version)) continue;
        pqxx::work tx(conn);
        tx.exec(std::string(m.sql));
        tx.exec_params(kInsertApplied, m.version, m.name, Checksum(m.sql));
        tx.commit();
        done.push_back(m.name);
    }
    return done;
}

}  // namespace lantian::db
