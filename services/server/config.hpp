#pragma once

#include <CLI/App.hpp>
#include <string>

#include "db/pool.hpp"
#include "server/http_server.hpp"

namespace lantian::server {

/// Everything the binary is configured with: flags, each with a LANTIAN_* variable.
struct Config {
    std::string database_url;
    std::string listen = "127.0.0.1:8080";
    int io_threads = 1;
    int workers = 4;  // measured: more only adds contention on two cores
    std::size_t max_connections = 1024;
    std::size_t max_connections_per_address = 64;
    int header_timeout_ms = 10'000;
    int body_timeout_ms = 30'000;
    // Under RELIABILITY.md's 2 s to a 503, with room for the rest of the request.
    int db_acquire_timeout_ms = 1'500;
    /// 0: none. Unset (-1): 30 s for `serve`, none for the operator commands (a rebuild of
    /// the report aggregates or a seed may rightly run longer).
    int db_statement_timeout_ms = -1;
    static constexpr int kServeStatementTimeoutMs = 30'000;
    int db_tcp_user_timeout_ms = 5'000;  // unacknowledged data: the peer is gone
    int db_keepalives_idle_s = 5;
    int db_keepalives_interval_s = 2;
    int db_keepalives_count = 3;
    int db_probe_interval_ms = 250;   // the health monitor's probe period
    int db_probe_timeout_ms = 1'000;  // an unanswered probe: the database is unreachable
    std::string time_zone = "Asia/Shanghai";
    std::string log_level = "info";
    std::string blob_dir = "var/blobs";   // evidence photos (a local directory)
    std::string dashboard_dir;            // the dashboard's files; empty: the source tree's
    std::string dispatch_time = "08:00";  // the daily dispatch, district time
    bool scheduler = true;
    int scheduler_check_seconds = 30;

    // Sign-in.
    unsigned long long argon2_ops_limit = 2;  // libsodium's "interactive" cost
    std::size_t argon2_mem_limit_mib = 64;
    int max_concurrent_hashes = 2;  // each holds argon2_mem_limit_mib
    int signin_queue = 64;          // sign-ins waiting for a hash thread; more: 503 signin_busy
    int session_idle_minutes = 8 * 60;
    int session_max_hours = 24;
    int signin_max_failures = 5;
    int signin_backoff_seconds = 2;        // the first wait after signin_max_failures
    int signin_lockout_seconds = 15 * 60;  // the longest wait: the back-off's cap
    std::string trusted_proxies;           // comma list of IPs/CIDRs whose X-Forwarded-For counts
    std::string admin_username;            // bootstrap: created when no administrator exists
    std::string admin_password;

    /// Adds the database option (every subcommand needs it).
    void AddDatabaseOption(CLI::App& app);
    /// Adds the serving options.
    void AddServeOptions(CLI::App& app);
    /// Adds password hashing, session and bootstrap-administrator options.
    void AddAuthOptions(CLI::App& app);
    /// The dashboard directory to serve (the configured one, or the source tree's).
    std::string DashboardDir() const;
    /// The dispatch time as minutes after midnight; throws std::invalid_argument.
    int DispatchMinute() const;
    /// Checks values the parser cannot (host:port form, ranges); throws std::invalid_argument.
    ServerOptions ToServerOptions() const;
    /// The serving pool's connection parameters.
    db::ConnectionSettings ToConnectionSettings() const;
};

/// The URL with any password replaced by "***", for logs.
std::string RedactUrl(const std::string& url);

}  // namespace lantian::server
