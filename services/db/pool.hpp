#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace lantian::db {

/// Connection parameters of the serving pool: bounds on how long a statement may run and on
/// how long a dead peer goes unnoticed. Zero leaves PostgreSQL's (or the kernel's) default.
struct ConnectionSettings {
    int statement_timeout_ms = 0;   // options='-c statement_timeout=...'
    int keepalives_idle_s = 10;     // TCP keepalive: first probe after this much silence
    int keepalives_interval_s = 0;  // between probes
    int keepalives_count = 0;       // unanswered probes before the connection is dead
    int tcp_user_timeout_ms = 0;    // unacknowledged data for this long: the connection is dead
};

/// Adds what every connection of ours needs to a libpq URI: a connect timeout (so a dead
/// database is reported within about two seconds), an application name, TCP keepalives and
/// the session options of `settings`. Keys already in the URL are left as they are.
std::string WithConnectDefaults(const std::string& url, const ConnectionSettings& settings = {});

/// A fixed-size set of connections shared by the worker threads. A connection that broke
/// is dropped and a new one is opened on the next acquire, so the service recovers by itself
/// when PostgreSQL comes back; an idle connection the server closed meanwhile (a restart) is
/// noticed at acquire and replaced before it is handed out.
class Pool {
public:
    Pool(std::string url, std::size_t size, std::chrono::milliseconds acquire_timeout,
         const ConnectionSettings& settings = {});
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    class Lease {
    public:
        Lease(Pool& pool, std::unique_ptr<pqxx::connection> conn)
            : pool_(&pool), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        pqxx::connection& operator*() { return *conn_; }
        pqxx::connection* operator->() { return conn_.get(); }
        /// The connection failed mid-use: do not give it back.
        void MarkBroken() { broken_ = true; }

    private:
        Pool* pool_;
        std::unique_ptr<pqxx::connection> conn_;
        bool broken_ = false;
    };

    /// A connection, opening one if needed. Throws pqxx::broken_connection when the
    /// database cannot be reached (at once while it is known to be unreachable, see
    /// SetReachable) and Error(kUnavailable) when every connection stays busy past the
    /// acquire timeout.
    Lease Acquire();

    /// What the health monitor (db/health.hpp) found. While unreachable, Acquire fails at
    /// once instead of waiting for a connect timeout; becoming unreachable drops the idle
    /// connections and shuts down the sockets of the leased ones, so that a request blocked
    /// on a database that stopped answering (frozen, partitioned) fails now (→ 503) instead
    /// of hanging until the kernel gives up.
    void SetReachable(bool reachable);
    bool reachable() const { return reachable_.load(); }

    const std::string& url() const { return url_; }

    /// An idle connection the server has closed or written to since (a restart's FATAL).
    static bool Stale(const pqxx::connection& conn);

private:
    void Release(std::unique_ptr<pqxx::connection> conn, bool broken);
    /// Records `conn` as leased; under the mutex.
    Lease Lend(std::unique_ptr<pqxx::connection> conn);

    const std::string url_;
    const std::size_t size_;
    const std::chrono::milliseconds acquire_timeout_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    /// A duplicate of each leased connection's socket, ours to close: shutting it down (for
    /// SetReachable) reaches the socket even if libpq has closed its own descriptor meanwhile.
    std::map<const pqxx::connection*, int> leased_;
    std::size_t open_ = 0;  // idle + leased
    std::atomic<bool> reachable_{true};
};

}  // namespace lantian::db
