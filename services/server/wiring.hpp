#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/config.hpp"

namespace lantian::http {
class Router;
class Pipeline;
}  // namespace lantian::http
namespace lantian::auth {
class UserService;
}
namespace lantian::db {
class Pool;
}
namespace lantian::dispatch {
class DispatchService;
}
namespace lantian::reports {
class ReportService;
}

namespace lantian::server {

/// The service: its Parts (server/parts.hpp) and the HTTP front on them. wiring.cpp is the one
/// place where wiring happens; the commands that do not serve build only the parts they need.
class Service {
public:
    explicit Service(const Config& config);
    ~Service();

    /// Serves until SIGTERM; returns the exit code.
    int Serve(const Config& config);
    /// Creates the configured administrator when none exists yet.
    bool BootstrapAdministrator(const Config& config);

    const http::Router& router() const;
    /// The request pipeline with the real auth step (tests drive it without sockets).
    const http::Pipeline& pipeline() const;
    auth::UserService& users();
    dispatch::DispatchService& dispatch();
    reports::ReportService& reports();
    db::Pool& pool();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// "METHOD /pattern" for every registered route (the contract test compares it with
/// proto/openapi.yaml).
std::vector<std::string> RouteTable();

}  // namespace lantian::server
