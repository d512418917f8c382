#pragma once

#include <string>
#include <vector>

#include "server/config.hpp"

namespace lantian::server {

/// Builds the service from its parts and serves until SIGTERM; returns the exit code.
int Serve(const Config& config);

/// "METHOD /pattern" for every registered route (the contract test compares it with
/// proto/openapi.yaml).
std::vector<std::string> RouteTable();

}  // namespace lantian::server
