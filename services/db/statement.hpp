#pragma once

#include <functional>
#include <pqxx/connection_base>
#include <pqxx/result>
#include <pqxx/transaction_base>
#include <string>
#include <utility>

#include "db/timestamp.hpp"

namespace lantian::db {

/// The prepared-statement name for a SQL text: stable for the process, unique per text.
inline std::string StatementName(const std::string& sql) {
    char name[24];
    std::snprintf(name, sizeof name, "lt_%016zx", std::hash<std::string>{}(sql));
    return name;
}

/// Runs `sql` as a prepared statement on the transaction's connection, preparing it on first
/// use per connection (libpqxx registers it lazily and re-prepares after a reconnect). Saves
/// PostgreSQL the parse and, for simple statements, the plan of every call.
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string name = StatementName(sql);
    tx.conn().prepare(name, sql);
    return tx.exec_prepared(name, std::forward<Args>(args)...);
}

/// Exec for a statement that returns exactly one row.
template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string name = StatementName(sql);
    tx.conn().prepare(name, sql);
    return tx.exec_prepared1(name, std::forward<Args>(args)...);
}

}  // namespace lantian::db
