#pragma once

#include <chrono>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <random>
#include <thread>
#include <type_traits>

#include "db/connection_loss.hpp"
#include "db/pool.hpp"

namespace lantian::db {

inline constexpr int kMaxTransactionAttempts = 6;

/// Runs `body(tx)` in a transaction at the given isolation level and commits. Serialization
/// failures and deadlocks are retried (with jitter) so they never surface as errors. A broken
/// connection marks the lease so the pool replaces it; when it broke before COMMIT was sent
/// (nothing can have been written) the work runs once more on a fresh connection, since a
/// connection that broke while idle (a database restart) says so only when used. Otherwise,
/// and on the second loss, it propagates (→ 503). `body` must be safe to run again: it may
/// only touch the database through `tx`.
template <pqxx::isolation_level Isolation = pqxx::read_committed, typename Body>
auto InTransaction(Pool& pool, Body&& body) {
    thread_local std::mt19937 rng{std::random_device{}()};
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
        auto lease = pool.Acquire();
        bool committing = false;
        try {
            return GuardConnection(lease, [&] {
                pqxx::transaction<Isolation> tx(*lease);
                if constexpr (std::is_void_v<decltype(body(tx))>) {
                    body(tx);
                    committing = true;
                    tx.commit();
                } else {
                    auto result = body(tx);
                    committing = true;
                    tx.commit();
                    return result;
                }
            });
        } catch (const pqxx::transaction_rollback&) {
            if (attempt >= kMaxTransactionAttempts) throw;
            std::uniform_int_distribution<int> jitter(1, 5 * attempt);
            std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
        } catch (const pqxx::broken_connection&) {
            if (committing || reconnected || !pool.reachable()) throw;
            reconnected = true;
        }
    }
}

/// Runs `body(tx)` outside a transaction block: for reads (and single autocommitted writes)
/// that need no BEGIN/COMMIT round trips. A broken connection is handled as in InTransaction:
/// one more try on a fresh connection, then 503. (An autocommitted write whose connection
/// broke may have committed: such a body must be idempotent, as every body here must be.)
template <typename Body>
auto Read(Pool& pool, Body&& body) {
    for (bool reconnected = false;; reconnected = true) {
        auto lease = pool.Acquire();
        try {
            return GuardConnection(lease, [&] {
                pqxx::nontransaction tx(*lease);
                return body(tx);
            });
        } catch (const pqxx::broken_connection&) {
            if (reconnected || !pool.reachable()) throw;
        }
    }
}

}  // namespace lantian::db
