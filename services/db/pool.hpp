#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace lantian::db {

/// Adds what every connection of ours needs to a libpq URI: a connect timeout (so a dead
/// database is reported within about two seconds) and an application name.
std::string WithConnectDefaults(const std::string& url);

/// A fixed-size set of connections shared by the worker threads. A connection that broke
/// is dropped and a new one is opened on the next acquire, so the service recovers by itself
/// when PostgreSQL comes back.
class Pool {
public:
    Pool(std::string url, std::size_t size, std::chrono::milliseconds acquire_timeout);
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
    /// database cannot be reached and Error(kUnavailable) when every connection stays busy
    /// past the acquire timeout.
    Lease Acquire();

    const std::string& url() const { return url_; }

private:
    void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

    const std::string url_;
    const std::size_t size_;
    const std::chrono::milliseconds acquire_timeout_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    std::size_t open_ = 0;  // idle + leased
};

}  // namespace lantian::db
