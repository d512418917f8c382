#include "server/wiring.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "auth/http/auth_step.hpp"
#include "auth/http/session_routes.hpp"
#include "common/bounded_executor.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "db/health.hpp"
#include "dispatch/http/dispatch_routes.hpp"
#include "dispatch/scheduler.hpp"
#include "evidence/http/attachment_routes.hpp"
#include "http/metrics.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "issues/http/issue_routes.hpp"
#include "ops/ops_routes.hpp"
#include "reports/http/dashboard_routes.hpp"
#include "reports/http/report_routes.hpp"
#include "server/http_server.hpp"
#include "server/parts.hpp"
#include "sites/http/site_routes.hpp"
#include "units/http/unit_routes.hpp"

namespace lantian::server {

namespace {

auth::SessionPolicy PolicyFrom(const Config& c) {
    auth::SessionPolicy p;
    p.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
    p.absolute_timeout = std::chrono::hours(c.session_max_hours);
    p.max_failures_per_user = c.signin_max_failures;
    p.max_failures_per_address = c.signin_max_failures * 4;
    p.backoff = std::chrono::seconds(c.signin_backoff_seconds);
    p.lockout = std::chrono::seconds(c.signin_lockout_seconds);
    // Failures are forgotten after this long without one; longer than the longest wait, so
    // that waiting out the back-off does not start the count again from zero.
    p.failure_window = std::max<std::chrono::seconds>(std::chrono::minutes(15), p.lockout * 2);
    return p;
}

}  // namespace

Core::Core(const Config& config, const Clock* clock)
    : pool(config.database_url, static_cast<std::size_t>(config.workers),
           std::chrono::milliseconds(config.db_acquire_timeout_ms), config.ToConnectionSettings()),
      clock(clock ? *clock : system_clock),
      units(pool, unit_repository),
      sites(pool, site_repository),
      issues(pool, this->clock,
             {issue_repository, inspection_repository, audit_repository, idempotency_repository,
              rules_repository}),
      dispatch(pool, this->clock, dispatch_repository),
      reports(pool, this->clock, report_repository) {}

Parts::Parts(const Config& config, const Clock* clock)
    : core(config, clock),
      hasher({config.argon2_ops_limit, config.argon2_mem_limit_mib * 1024 * 1024},
             config.max_concurrent_hashes),
      auth(core.pool, hasher, user_repository, session_repository, PolicyFrom(config)),
      users(core.pool, hasher, user_repository),
      blobs(config.blob_dir),
      attachments(core.pool, blobs, attachment_repository) {}

bool Parts::BootstrapAdministrator(const Config& config) {
    if (config.admin_username.empty() && config.admin_password.empty()) return false;
    if (config.admin_username.empty() || config.admin_password.empty()) {
        throw std::invalid_argument(
            "LANTIAN_ADMIN_USERNAME and LANTIAN_ADMIN_PASSWORD must be given together");
    }
    const bool created = users.EnsureAdministrator(config.admin_username, config.admin_password);
    if (created) {
        log::Info(*log::Get("auth"),
                  log::Line("administrator created").Str("username", config.admin_username));
    }
    return created;
}

/// The parts and the HTTP front on them: the routes and the request pipeline.
struct Service::Impl {
    explicit Impl(const Config& config)
        : parts(config),
          health(parts.core.pool, {std::chrono::milliseconds(config.db_probe_interval_ms),
                                   std::chrono::milliseconds(config.db_probe_timeout_ms)}),
          pipeline(router, metrics),
          // One thread per hash slot: sign-ins never wait for a slot inside the pool, and the
          // queue in front of it is what bounds the burst (full: 503 signin_busy at once).
          // Nice 10: on a small machine reads keep the CPU while a burst of hashes runs.
          signin_executor(config.max_concurrent_hashes,
                          static_cast<std::size_t>(config.signin_queue), 10) {
        Core& core = parts.core;
        ops::RegisterOpsRoutes(router, core.pool, metrics, &health);
        auth::RegisterSessionRoutes(router, parts.auth, parts.users, signin_executor);
        auth::RegisterUserRoutes(router, parts.users);
        units::RegisterUnitRoutes(router, core.units);
        sites::RegisterSiteRoutes(router, core.sites);
        issues::RegisterIssueRoutes(router, core.issues);
        issues::RegisterWorkflowRoutes(router, core.issues);
        evidence::RegisterAttachmentRoutes(router, parts.attachments);
        dispatch::RegisterDispatchRoutes(router, core.dispatch);
        reports::RegisterReportRoutes(router, core.reports);
        reports::RegisterDashboardRoutes(router, config.DashboardDir());
        pipeline.SetAuthStep(auth::MakeAuthStep(parts.auth));
        pipeline.SetTrustedProxies(http::ParseTrustedProxies(config.trusted_proxies));
    }

    Parts parts;
    /// Started by Serve only; /readyz answers from it (not ready until its first probe).
    db::HealthMonitor health;
    http::Metrics metrics;
    http::Router router;
    http::Pipeline pipeline;
    BoundedExecutor signin_executor;  // declared last: stopped before what its tasks use
};

Service::Service(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Service::~Service() = default;

const http::Router& Service::router() const {
    return impl_->router;
}
auth::UserService& Service::users() {
    return impl_->parts.users;
}
dispatch::DispatchService& Service::dispatch() {
    return impl_->parts.core.dispatch;
}
reports::ReportService& Service::reports() {
    return impl_->parts.core.reports;
}
db::Pool& Service::pool() {
    return impl_->parts.core.pool;
}
const http::Pipeline& Service::pipeline() const {
    return impl_->pipeline;
}

bool Service::BootstrapAdministrator(const Config& config) {
    return impl_->parts.BootstrapAdministrator(config);
}

int Service::Serve(const Config& config) {
    auto log = log::Get("server");
    const ServerOptions options = config.ToServerOptions();
    Core& core = impl_->parts.core;
    HttpServer server(impl_->pipeline, options);
    std::optional<dispatch::Scheduler> scheduler;
    if (config.scheduler) {
        scheduler.emplace(core.dispatch, core.clock, config.DispatchMinute(),
                          std::chrono::seconds(config.scheduler_check_seconds));
    }
    try {
        // Aggregates bucketed in another zone than the configured one are recomputed.
        if (core.reports.EnsureZone(DistrictZoneName())) {
            log::Warn(*log, log::Line("report aggregates rebuilt for the district zone")
                                .Str("time_zone", DistrictZoneName()));
        }
    } catch (const std::exception& e) {
        log::Warn(*log, log::Line("report aggregates not checked").Str("error", e.what()));
    }
    impl_->health.Start();
    const auto port = server.Listen();
    log::Info(*log, log::Line("listening")
                        .Str("host", options.host)
                        .Int("port", port)
                        .Int("io_threads", options.io_threads)
                        .Int("workers", options.worker_threads)
                        .Int("max_connections", static_cast<std::int64_t>(options.max_connections))
                        .Int("max_connections_per_address",
                             static_cast<std::int64_t>(options.max_connections_per_address))
                        .Int("db_statement_timeout_ms", config.db_statement_timeout_ms)
                        .Int("header_timeout_ms", config.header_timeout_ms)
                        .Int("body_timeout_ms", config.body_timeout_ms)
                        .Str("time_zone", config.time_zone)
                        .Int("argon2_mem_limit_mib",
                             static_cast<std::int64_t>(config.argon2_mem_limit_mib))
                        .Int("max_concurrent_hashes", config.max_concurrent_hashes)
                        .Int("signin_queue", config.signin_queue)
                        .Int("session_idle_minutes", config.session_idle_minutes)
                        .Str("database_url", RedactUrl(config.database_url)));
    log->flush();  // whoever started us waits for this line
    if (scheduler) scheduler->Start();
    server.Run();
    if (scheduler) scheduler->Stop();  // a run in progress completes (or rolls back) first
    impl_->health.Stop();
    log::Info(*log, log::Line("stopped"));
    log->flush();
    return 0;
}

std::vector<std::string> RouteTable() {
    Config config;
    config.database_url = "postgresql://unused";  // the pool connects lazily
    config.argon2_mem_limit_mib = 8;
    config.argon2_ops_limit = 1;
    config.blob_dir = std::filesystem::temp_directory_path() / "lantian-routes";
    Service service(config);
    std::vector<std::string> out;
    for (const auto& route : service.router().routes()) {
        out.push_back(route.method + " " + route.pattern);
    }
    return out;
}

}  // namespace lantian::server
