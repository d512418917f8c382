#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <vector>

#include "server/config.hpp"

// The binary's subcommands, a file per group (commands_*.cpp). Each command builds what it
// needs from the one wiring (server/parts.hpp, server/wiring.hpp), never parts of its own.
namespace lantian::server::cli {

/// A subcommand and what running it does, once its options are parsed; returns the exit code.
struct Command {
    const CLI::App* app;
    std::function<int()> run;
};
using Commands = std::vector<Command>;

// Each adds its subcommands to `app`, their options bound to `config` (which must outlive
// them) or to state of the command's own, and what they run to `out`.
void AddServeCommand(CLI::App& app, Config& config, Commands& out);
void AddMigrateCommand(CLI::App& app, Config& config, Commands& out);
void AddSeedCommand(CLI::App& app, Config& config, Commands& out);
void AddAdminCommands(CLI::App& app, Config& config, Commands& out);
void AddAuditCommands(CLI::App& app, Config& config, Commands& out);
void AddReportsCommands(CLI::App& app, Config& config, Commands& out);
void AddDispatchCommand(CLI::App& app, Config& config, Commands& out);
void AddRoutesCommand(CLI::App& app, Commands& out);

}  // namespace lantian::server::cli
