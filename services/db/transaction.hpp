#pragma once

#include <chrono>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <random>
#include <thread>
#include <type_traits>

#include "common/error.hpp"
#include "db/connection_loss.hpp"
#include "db/pool.hpp"

namespace lantian::db {

inline constexpr int kMaxTransactionAttempts = 6;

/// Runs `body(tx)` in a transaction at the given isolation level and commits. Serialization
/// failures and deadlocks are retried (with jitter) so they rarely surface; when the retries run
/// out the caller gets Error(kUnavailable, "contention") with Retry-After (503), never a 500. A
/// broken connection marks the lease so the pool replaces it, then propagates (→ 503): a write
/// whose session was killed fails rather than quietly running again (the dispatch relies on it).
/// A connection that broke while idle (a restart) never gets here: Pool::Acquire drops it.
/// `body` must be safe to run again: it may only touch the database through `tx`.
template <pqxx::isolation_level Isolation = pqxx::read_committed, typename Body>
auto InTransaction(Pool& pool, Body&& body) {
    thread_local std::mt19937 rng{std::random_device{}()};
    for (int attempt = 1;; ++attempt) {
        auto lease = pool.Acquire();
        try {
            return GuardConnection(lease, [&] {
                pqxx::transaction<Isolation> tx(*lease);
                if constexpr (std::is_void_v<decltype(body(tx))>) {
                    body(tx);
                    tx.commit();
                } else {
                    auto result = body(tx);
                    tx.commit();
                    return result;
                }
            });
        } catch (const pqxx::transaction_rollback&) {
            if (attempt >= kMaxTransactionAttempts) {
                throw Error(ErrorCode::kUnavailable, "contention",
                            "the change met too many concurrent ones; retry shortly")
                    .WithRetryAfter(1);
            }
            std::uniform_int_distribution<int> jitter(1, 5 * attempt);
            std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
        }
    }
}

/// Runs `body(tx)` outside a transaction block: for reads (and single autocommitted writes)
/// that need no BEGIN/COMMIT round trips. A broken connection marks the lease (as in
/// InTransaction) and the read runs once more on a fresh connection, then 503. (An
/// autocommitted write whose connection broke may have committed: such a body must be
/// idempotent.)
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
