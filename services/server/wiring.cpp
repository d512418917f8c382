#include "server/wiring.hpp"

#include "common/log.hpp"
#include "db/pool.hpp"
#include "http/metrics.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "ops/ops_routes.hpp"
#include "server/http_server.hpp"
#include "sites/http/site_routes.hpp"
#include "units/http/unit_routes.hpp"

namespace lantian::server {

namespace {

/// Every part of the running service, constructed in dependency order.
struct Service {
    explicit Service(const Config& config)
        : pool(config.database_url, static_cast<std::size_t>(config.workers),
               std::chrono::milliseconds(config.db_acquire_timeout_ms)),
          units(pool, unit_repository),
          sites(pool, site_repository),
          pipeline(router, metrics) {
        ops::RegisterOpsRoutes(router, pool, metrics);
        units::RegisterUnitRoutes(router, units);
        sites::RegisterSiteRoutes(router, sites);
    }

    db::Pool pool;
    http::Metrics metrics;
    http::Router router;
    units::UnitRepository unit_repository;
    units::UnitService units;
    sites::SiteRepository site_repository;
    sites::SiteService sites;
    http::Pipeline pipeline;
};

}  // namespace

int Serve(const Config& config) {
    auto log = log::Get("server");
    const ServerOptions options = config.ToServerOptions();
    Service service(config);
    HttpServer server(service.pipeline, options);
    const auto port = server.Listen();
    log::Info(*log, log::Line("listening")
                        .Str("host", options.host)
                        .Int("port", port)
                        .Int("io_threads", options.io_threads)
                        .Int("workers", options.worker_threads)
                        .Int("max_connections", static_cast<std::int64_t>(options.max_connections))
                        .Int("header_timeout_ms", config.header_timeout_ms)
                        .Int("body_timeout_ms", config.body_timeout_ms)
                        .Str("time_zone", config.time_zone)
                        .Str("database_url", RedactUrl(config.database_url)));
    server.Run();
    log::Info(*log, log::Line("stopped"));
    return 0;
}

std::vector<std::string> RouteTable() {
    Config config;
    config.database_url = "postgresql://unused";  // the pool connects lazily
    Service service(config);
    std::vector<std::string> out;
    for (const auto& route : service.router.routes()) out.push_back(route.method + " " + route.pattern);
    return out;
}

}  // namespace lantian::server
