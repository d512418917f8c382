// lantian serve, lantian routes: the HTTP front.
#include <iostream>

#include "server/commands.hpp"
#include "server/wiring.hpp"

namespace lantian::server::cli {

void AddServeCommand(CLI::App& app, Config& config, Commands& out) {
    auto* serve = app.add_subcommand("serve", "serve the HTTP API (never migrates by itself)");
    config.AddDatabaseOption(*serve);
    config.AddServeOptions(*serve);
    config.AddAuthOptions(*serve);
    out.push_back({serve, [&config] {
                       config.ToServerOptions();  // validate before anything starts
                       if (config.db_statement_timeout_ms < 0) {
                           config.db_statement_timeout_ms = Config::kServeStatementTimeoutMs;
                       }
                       Service service(config);
                       service.BootstrapAdministrator(config);
                       return service.Serve(config);
                   }});
}

void AddRoutesCommand(CLI::App& app, Commands& out) {
    auto* routes = app.add_subcommand("routes", "print the registered routes, one per line");
    out.push_back({routes, [] {
                       for (const auto& line : RouteTable()) std::cout << line << '\n';
                       return 0;
                   }});
}

}  // namespace lantian::server::cli
