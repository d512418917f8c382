// lantian migrate [--status]: the schema.
#include <iostream>
#include <memory>
#include <pqxx/connection>

#include "common/log.hpp"
#include "db/migrator.hpp"
#include "db/pool.hpp"
#include "server/commands.hpp"
#include "server/parts.hpp"

namespace lantian::server::cli {

namespace {

int Migrate(const Config& config) {
    auto logger = log::Get("migrate");
    {
        pqxx::connection conn(db::WithConnectDefaults(config.database_url));
        const auto applied = db::Migrate(conn, db::EmbeddedMigrations());
        for (const auto& name : applied)
            log::Info(*logger, log::Line("applied").Str("migration", name));
        log::Info(*logger,
                  log::Line("schema is current")
                      .Int("applied_now", static_cast<std::int64_t>(applied.size()))
                      .Int("known", static_cast<std::int64_t>(db::EmbeddedMigrations().size())));
    }
    Parts(config).BootstrapAdministrator(config);
    return 0;
}

int MigrateStatus(const Config& config) {
    pqxx::connection conn(db::WithConnectDefaults(config.database_url));
    const auto status = db::InspectSchema(conn, db::EmbeddedMigrations());
    std::cout << "applied " << status.applied << ", pending " << status.pending;
    for (const auto& name : status.edited) std::cout << ", edited after applying: " << name;
    std::cout << '\n';
    return status.current() ? 0 : 1;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, Config& config, Commands& out) {
    auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations");
    config.AddDatabaseOption(*migrate);
    config.AddAuthOptions(*migrate);
    auto status_only = std::make_shared<bool>(false);
    migrate->add_flag("--status", *status_only, "only report; exit 1 when the schema is behind");
    out.push_back({migrate, [&config, status_only] {
                       return *status_only ? MigrateStatus(config) : Migrate(config);
                   }});
}

}  // namespace lantian::server::cli
