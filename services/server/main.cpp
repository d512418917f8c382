// lantian: the pollution-source inspection ledger. One binary, several subcommands.
#include <CLI/CLI.hpp>
#include <sodium.h>

#include <iostream>
#include <pqxx/connection>

#include "common/log.hpp"
#include "common/time.hpp"
#include "db/migrator.hpp"
#include "db/pool.hpp"
#include "seed/demo_seed.hpp"
#include "server/config.hpp"
#include "server/wiring.hpp"

namespace {

using lantian::server::Config;

int Migrate(const Config& config) {
    auto log = lantian::log::Get("migrate");
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto applied = lantian::db::Migrate(conn, lantian::db::EmbeddedMigrations());
    for (const auto& name : applied) lantian::log::Info(*log, lantian::log::Line("applied").Str("migration", name));
    lantian::log::Info(*log, lantian::log::Line("schema is current")
                                 .Int("applied_now", static_cast<std::int64_t>(applied.size()))
                                 .Int("known", static_cast<std::int64_t>(lantian::db::EmbeddedMigrations().size())));
    return 0;
}

int MigrateStatus(const Config& config) {
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto status = lantian::db::InspectSchema(conn, lantian::db::EmbeddedMigrations());
    std::cout << "applied " << status.applied << ", pending " << status.pending;
    for (const auto& name : status.edited) std::cout << ", edited after applying: " << name;
    std::cout << '\n';
    return status.current() ? 0 : 1;
}

int SeedDemo(const Config& config) {
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto counts = lantian::seed::SeedDemoDistrict(conn);
    lantian::log::Info(*lantian::log::Get("seed"), lantian::log::Line("demo district loaded")
                                                       .Int("units", counts.units)
                                                       .Int("sites", counts.sites));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (sodium_init() < 0) {
        std::cerr << "lantian: libsodium failed to initialise\n";
        return 1;
    }
    CLI::App app{"Lantian (蓝天): the pollution-source inspection ledger"};
    app.require_subcommand(1);
    Config config;

    auto* serve = app.add_subcommand("serve", "serve the HTTP API (never migrates by itself)");
    config.AddDatabaseOption(*serve);
    config.AddServeOptions(*serve);

    auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations");
    config.AddDatabaseOption(*migrate);
    bool status_only = false;
    migrate->add_flag("--status", status_only, "only report; exit 1 when the schema is behind");

    auto* seed = app.add_subcommand("seed-demo", "load the demo district (idempotent)");
    config.AddDatabaseOption(*seed);

    auto* routes = app.add_subcommand("routes", "print the registered routes, one per line");

    CLI11_PARSE(app, argc, argv);

    try {
        lantian::log::Init(config.log_level);
        lantian::SetDistrictTimeZone(config.time_zone);
        if (*routes) {
            for (const auto& line : lantian::server::RouteTable()) std::cout << line << '\n';
            return 0;
        }
        if (*serve) return lantian::server::Serve(config);
        if (*migrate) return status_only ? MigrateStatus(config) : Migrate(config);
        if (*seed) return SeedDemo(config);
    } catch (const std::exception& e) {
        lantian::log::Error(*lantian::log::Get("main"),
                            lantian::log::Line("fatal").Str("error", lantian::server::RedactUrl(e.what())));
        return 1;
    }
    return 0;
}
