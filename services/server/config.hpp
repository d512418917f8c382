#pragma once

#include <CLI/App.hpp>

#include <string>

#include "server/http_server.hpp"

namespace lantian::server {

/// Everything the binary is configured with: flags, each with a LANTIAN_* variable.
struct Config {
    std::string database_url;
    std::string listen = "127.0.0.1:8080";
    int io_threads = 1;
    int workers = 8;
    std::size_t max_connections = 1024;
    int header_timeout_ms = 10'000;
    int body_timeout_ms = 30'000;
    int db_acquire_timeout_ms = 2'000;
    std::string time_zone = "Asia/Shanghai";
    std::string log_level = "info";

    /// Adds the database option (every subcommand needs it).
    void AddDatabaseOption(CLI::App& app);
    /// Adds the serving options.
    void AddServeOptions(CLI::App& app);
    /// Checks values the parser cannot (host:port form, ranges); throws std::invalid_argument.
    ServerOptions ToServerOptions() const;
};

/// The URL with any password replaced by "***", for logs.
std::string RedactUrl(const std::string& url);

}  // namespace lantian::server
