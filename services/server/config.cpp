#include "server/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <regex>
#include <stdexcept>

namespace lantian::server {

void Config::AddDatabaseOption(CLI::App& app) {
    app.add_option("--database-url", database_url, "libpq URI of the PostgreSQL database")
        ->envname("LANTIAN_DATABASE_URL")
        ->required();
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->envname("LANTIAN_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    app.add_option("--time-zone", time_zone, "the district's IANA time zone")
        ->envname("LANTIAN_TIME_ZONE");
}

void Config::AddServeOptions(CLI::App& app) {
    app.add_option("--listen", listen, "host:port to serve on")->envname("LANTIAN_LISTEN");
    app.add_option("--io-threads", io_threads, "threads doing socket I/O")
        ->envname("LANTIAN_IO_THREADS")
        ->check(CLI::Range(1, 64));
    app.add_option("--workers", workers, "handler threads, each with a database connection")
        ->envname("LANTIAN_WORKERS")
        ->check(CLI::Range(1, 256));
    app.add_option("--max-connections", max_connections, "open client connections at most")
        ->envname("LANTIAN_MAX_CONNECTIONS")
        ->check(CLI::Range(1, 100000));
    app.add_option("--max-connections-per-address", max_connections_per_address,
                   "open client connections from one address at most")
        ->envname("LANTIAN_MAX_CONNECTIONS_PER_ADDRESS")
        ->check(CLI::Range(1, 100000));
    app.add_option("--header-timeout-ms", header_timeout_ms,
                   "time to receive a request header (and idle keep-alive)")
        ->envname("LANTIAN_HEADER_TIMEOUT_MS")
        ->check(CLI::Range(100, 600'000));
    app.add_option("--body-timeout-ms", body_timeout_ms, "time to receive a body or send a reply")
        ->envname("LANTIAN_BODY_TIMEOUT_MS")
        ->check(CLI::Range(100, 600'000));
    app.add_option("--blob-dir", blob_dir, "directory for evidence photos")
        ->envname("LANTIAN_BLOB_DIR");
    app.add_option("--dashboard-dir", dashboard_dir,
                   "the dashboard's files (index.html, app.js, app.css, node_modules/echarts)")
        ->envname("LANTIAN_DASHBOARD_DIR");
    app.add_option("--dispatch-time", dispatch_time, "daily dispatch time HH:MM (district time)")
        ->envname("LANTIAN_DISPATCH_TIME");
    app.add_option("--scheduler", scheduler, "run the daily dispatch in this process (true/false)")
        ->envname("LANTIAN_SCHEDULER");
    app.add_option("--scheduler-check-seconds", scheduler_check_seconds,
                   "how often the scheduler looks at the clock")
        ->envname("LANTIAN_SCHEDULER_CHECK_SECONDS")
        ->check(CLI::Range(1, 3600));
    app.add_option("--db-acquire-timeout-ms", db_acquire_timeout_ms,
                   "wait for a free database connection before answering 503")
        ->envname("LANTIAN_DB_ACQUIRE_TIMEOUT_MS")
        ->check(CLI::Range(10, 60'000));
    app.add_option("--db-statement-timeout-ms", db_statement_timeout_ms,
                   "longest a statement of serve may run (statement_timeout; 0: no limit) [30000]")
        ->envname("LANTIAN_DB_STATEMENT_TIMEOUT_MS")
        ->check(CLI::Range(0, 3'600'000));
    app.add_option(
           "--db-tcp-user-timeout-ms", db_tcp_user_timeout_ms,
           "unacknowledged data on a database connection for this long ends it (0: kernel's)")
        ->envname("LANTIAN_DB_TCP_USER_TIMEOUT_MS")
        ->check(CLI::Range(0, 600'000));
    app.add_option("--db-keepalives-idle-s", db_keepalives_idle_s,
                   "TCP keepalive: seconds of silence before the first probe")
        ->envname("LANTIAN_DB_KEEPALIVES_IDLE_S")
        ->check(CLI::Range(1, 3600));
    app.add_option("--db-keepalives-interval-s", db_keepalives_interval_s,
                   "TCP keepalive: seconds between probes")
        ->envname("LANTIAN_DB_KEEPALIVES_INTERVAL_S")
        ->check(CLI::Range(1, 3600));
    app.add_option("--db-keepalives-count", db_keepalives_count,
                   "TCP keepalive: unanswered probes before the connection is dead")
        ->envname("LANTIAN_DB_KEEPALIVES_COUNT")
        ->check(CLI::Range(1, 100));
    app.add_option("--db-probe-interval-ms", db_probe_interval_ms,
                   "how often the health monitor probes the database")
        ->envname("LANTIAN_DB_PROBE_INTERVAL_MS")
        ->check(CLI::Range(10, 60'000));
    app.add_option("--db-probe-timeout-ms", db_probe_timeout_ms,
                   "a probe unanswered this long marks the database unreachable (503 at once)")
        ->envname("LANTIAN_DB_PROBE_TIMEOUT_MS")
        ->check(CLI::Range(50, 60'000));
}

std::string Config::DashboardDir() const {
    return dashboard_dir.empty() ? std::string(LANTIAN_DEFAULT_DASHBOARD_DIR) : dashboard_dir;
}

void Config::AddAuthOptions(CLI::App& app) {
    app.add_option("--argon2-ops-limit", argon2_ops_limit, "argon2id passes per password hash")
        ->envname("LANTIAN_ARGON2_OPS_LIMIT")
        ->check(CLI::Range(1, 20));
    app.add_option("--argon2-mem-limit-mib", argon2_mem_limit_mib, "argon2id memory per hash")
        ->envname("LANTIAN_ARGON2_MEM_LIMIT_MIB")
        ->check(CLI::Range(8, 1024));
    app.add_option("--max-concurrent-hashes", max_concurrent_hashes,
                   "password hashes computed at once (memory cap)")
        ->envname("LANTIAN_MAX_CONCURRENT_HASHES")
        ->check(CLI::Range(1, 64));
    app.add_option("--signin-queue", signin_queue,
                   "sign-ins waiting for a hash thread before 503 signin_busy")
        ->envname("LANTIAN_SIGNIN_QUEUE")
        ->check(CLI::Range(1, 100000));
    app.add_option("--session-idle-minutes", session_idle_minutes, "idle expiry of a session")
        ->envname("LANTIAN_SESSION_IDLE_MINUTES")
        ->check(CLI::Range(1, 7 * 24 * 60));
    app.add_option("--session-max-hours", session_max_hours, "absolute expiry of a session")
        ->envname("LANTIAN_SESSION_MAX_HOURS")
        ->check(CLI::Range(1, 30 * 24));
    app.add_option("--signin-max-failures", signin_max_failures,
                   "failed sign-ins per account and address (x4 per address) before a wait")
        ->envname("LANTIAN_SIGNIN_MAX_FAILURES")
        ->check(CLI::Range(1, 1000));
    app.add_option("--signin-backoff-seconds", signin_backoff_seconds,
                   "first wait after the failures above; doubles with each further failure")
        ->envname("LANTIAN_SIGNIN_BACKOFF_SECONDS")
        ->check(CLI::Range(1, 3600));
    app.add_option("--signin-lockout-seconds", signin_lockout_seconds,
                   "longest wait of the sign-in back-off")
        ->envname("LANTIAN_SIGNIN_LOCKOUT_SECONDS")
        ->check(CLI::Range(1, 24 * 3600));
    app.add_option("--trusted-proxies", trusted_proxies,
                   "comma list of proxy IPs/CIDRs whose X-Forwarded-For names the client")
        ->envname("LANTIAN_TRUSTED_PROXIES");
    app.add_option("--admin-username", admin_username,
                   "administrator to create when none exists (with --admin-password)")
        ->envname("LANTIAN_ADMIN_USERNAME");
    app.add_option("--admin-password", admin_password, "password of that administrator")
        ->envname("LANTIAN_ADMIN_PASSWORD");
}

int Config::DispatchMinute() const {
    int h = -1, m = -1;
    if (dispatch_time.size() != 5 || dispatch_time[2] != ':' ||
        std::sscanf(dispatch_time.c_str(), "%2d:%2d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 ||
        m > 59) {
        throw std::invalid_argument("--dispatch-time must be HH:MM, got \"" + dispatch_time + '"');
    }
    return h * 60 + m;
}

ServerOptions Config::ToServerOptions() const {
    const auto colon = listen.rfind(':');
    unsigned port = 0;
    if (colon == std::string::npos || colon == 0) {
        throw std::invalid_argument("--listen must be host:port, got \"" + listen + '"');
    }
    const std::string port_text = listen.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
        throw std::invalid_argument("--listen has an invalid port: \"" + listen + '"');
    }
    ServerOptions o;
    o.host = listen.substr(0, colon);
    if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
    o.port = static_cast<std::uint16_t>(port);
    o.io_threads = io_threads;
    o.worker_threads = workers;
    o.max_connections = max_connections;
    o.max_connections_per_address = max_connections_per_address;
    o.header_timeout = std::chrono::milliseconds(header_timeout_ms);
    o.body_timeout = std::chrono::milliseconds(body_timeout_ms);
    return o;
}

db::ConnectionSettings Config::ToConnectionSettings() const {
    db::ConnectionSettings s;
    s.statement_timeout_ms = std::max(0, db_statement_timeout_ms);
    s.tcp_user_timeout_ms = db_tcp_user_timeout_ms;
    s.keepalives_idle_s = db_keepalives_idle_s;
    s.keepalives_interval_s = db_keepalives_interval_s;
    s.keepalives_count = db_keepalives_count;
    return s;
}

std::string RedactUrl(const std::string& url) {
    static const std::regex kUserInfo(R"(^(postgres(?:ql)?://[^:/@]*):[^@]*@)");
    // libpq keyword values may be single-quoted with spaces and backslash escapes inside.
    static const std::regex kKeyword(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
    return std::regex_replace(std::regex_replace(url, kUserInfo, "$1:***@"), kKeyword, "$1***");
}

}  // namespace lantian::server
