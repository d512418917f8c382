// lantian: the pollution-source inspection ledger. One binary, several subcommands.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "server/commands.hpp"
#include "server/config.hpp"

int main(int argc, char** argv) {
    namespace cli = lantian::server::cli;
    namespace log = lantian::log;
    if (sodium_init() < 0) {
        std::cerr << "lantian: libsodium failed to initialise\n";
        return 1;
    }
    CLI::App app{"Lantian (蓝天): the pollution-source inspection ledger"};
    app.require_subcommand(1);
    lantian::server::Config config;
    cli::Commands commands;
    cli::AddServeCommand(app, config, commands);
    cli::AddMigrateCommand(app, config, commands);
    cli::AddSeedCommand(app, config, commands);
    cli::AddAdminCommands(app, config, commands);
    cli::AddAuditCommands(app, config, commands);
    cli::AddReportsCommands(app, config, commands);
    cli::AddDispatchCommand(app, config, commands);
    cli::AddRoutesCommand(app, commands);

    CLI11_PARSE(app, argc, argv);

    try {
        log::Init(config.log_level);
        lantian::SetDistrictTimeZone(config.time_zone);
        for (const auto& command : commands) {
            if (*command.app) return command.run();
        }
    } catch (const lantian::Error& e) {
        std::string detail = e.what();
        for (const auto& f : e.fields()) detail += "; " + f.field + ": " + f.message;
        log::Error(*log::Get("main"), log::Line("fatal").Str("error", detail));
        return 1;
    } catch (const std::exception& e) {
        log::Error(*log::Get("main"),
                   log::Line("fatal").Str("error", lantian::server::RedactUrl(e.what())));
        return 1;
    }
    return 0;
}
