#include "ops/ops_routes.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/connection_loss.hpp"
#include "db/health.hpp"
#include "db/migrator.hpp"
#include "http/json_body.hpp"
#include "ops/openapi.hpp"

namespace lantian::ops {

namespace {

http::Response ReadyResponse(bool ready, nlohmann::json body) {
    body["status"] = ready ? "ready" : "not_ready";
    http::Response r = http::JsonResponse(ready ? 200 : 503, body);
    if (!ready) r.Header("Retry-After", "1");
    return r;
}

http::Response Ready(db::Pool& pool, http::Metrics& metrics) {
    nlohmann::json body;
    bool ready = false;
    try {
        auto lease = pool.Acquire();
        try {
            db::GuardConnection(lease, [&] {
                const auto status = db::InspectSchema(*lease, db::EmbeddedMigrations());
                metrics.SetDatabaseUp(true);
                body = {{"database", "up"},
                        {"migrations_applied", status.applied},
                        {"migrations_pending", status.pending},
                        {"migrations_edited", status.edited}};
                ready = status.current();
            });
        } catch (const pqxx::sql_error&) {
            // Any other failure of the schema query also means the database is not usable.
            lease.MarkBroken();
            throw pqxx::broken_connection("query failed");
        }
    } catch (const pqxx::broken_connection&) {
        metrics.SetDatabaseUp(false);
        body = {{"database", "unreachable"}};
    }
    return ReadyResponse(ready, std::move(body));
}

/// What the health monitor last saw: no database round trip, so it answers at once.
http::Response ReadyFromMonitor(const db::HealthMonitor& health, http::Metrics& metrics) {
    const db::HealthMonitor::State state = health.state();
    metrics.SetDatabaseUp(state.up);
    if (!state.up) return ReadyResponse(false, {{"database", "unreachable"}});
    return ReadyResponse(state.schema.current(), {{"database", "up"},
                                                  {"migrations_applied", state.schema.applied},
                                                  {"migrations_pending", state.schema.pending},
                                                  {"migrations_edited", state.schema.edited}});
}

}  // namespace

void RegisterOpsRoutes(http::Router& router, db::Pool& pool, http::Metrics& metrics,
                       const db::HealthMonitor* health) {
    const http::RouteOptions open{.public_route = true};
    const http::RouteOptions at_once{.public_route = true, .off_workers = true};
    router.Add("GET", "/healthz", at_once, [](http::Request&) {
        return http::JsonResponse(200, {{"status", "alive"}});
    });
    if (health) {
        router.Add("GET", "/readyz", at_once, [health, &metrics](http::Request&) {
            return ReadyFromMonitor(*health, metrics);
        });
    } else {
        router.Add("GET", "/readyz", open,
                   [&pool, &metrics](http::Request&) { return Ready(pool, metrics); });
    }
    router.Add("GET", "/metrics", at_once, [&metrics, health](http::Request&) {
        if (health) metrics.SetDatabaseUp(health->state().up);
        http::Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics.Render();
        return r;
    });
    router.Add("GET", "/api/v1/openapi.yaml", open, [](http::Request&) {
        http::Response r;
        r.content_type = "application/yaml; charset=utf-8";
        r.body = std::string(OpenApiYaml());
        return r;
    });
}

}  // namespace lantian::ops
