#pragma once

#include <pqxx/except>
#include <string>

#include "db/pool.hpp"

namespace lantian::db {

/// True for SQLSTATE classes 08 (connection exception) and 57P (operator intervention: a
/// server shutting down answers 57P01..03 before it closes the socket).
inline bool IsConnectionLoss(const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0;
}

/// Runs `body()` on a leased connection and decides, in one place, whether a failure lost the
/// connection: pqxx::broken_connection, pqxx::in_doubt_error (a commit whose answer never
/// came) and an SQL error of a connection-loss class mark the lease broken, so the pool
/// replaces the connection. The last is rethrown as pqxx::broken_connection (→ 503); every
/// other exception passes through untouched.
template <typename Body>
auto GuardConnection(Pool::Lease& lease, Body&& body) {
    try {
        return body();
    } catch (const pqxx::broken_connection&) {
        lease.MarkBroken();
        throw;
    } catch (const pqxx::in_doubt_error&) {
        lease.MarkBroken();
        throw;
    } catch (const pqxx::sql_error& e) {
        if (IsConnectionLoss(e)) {
            lease.MarkBroken();
            throw pqxx::broken_connection(e.what());
        }
        throw;
    }
}

}  // namespace lantian::db
