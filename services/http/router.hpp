#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace lantian {
class BoundedExecutor;
}

namespace lantian::http {

using Handler = std::function<Response(Request&)>;

/// What a route accepts besides its path: the body size limit (checked before the body is
/// read) and the query parameters it knows (any other → 400).
struct RouteOptions {
    std::size_t max_body = 64 * 1024;
    std::set<std::string> query_params;
    /// Open to callers without a token (health, metrics, sign-in, the static dashboard).
    bool public_route = false;
    /// Run the auth step and the handler on this executor instead of the request worker (CPU-
    /// heavy routes: sign-in hashes a password). When its queue is full, or a request waited
    /// in it longer than `max_wait`, the answer is 503 `busy_code` with Retry-After.
    BoundedExecutor* executor = nullptr;
    std::string busy_code = "busy";
    std::chrono::milliseconds max_wait{5000};
    /// Answers at once from memory (no database, no file): served on the I/O thread, so it
    /// answers even while every worker waits on a database that stopped answering (/healthz).
    bool off_workers = false;
};

struct Route {
    std::string method;
    std::string pattern;  // /api/v1/sites/{id}
    RouteOptions options;
    Handler handler;
    std::vector<std::string> segments;  // pattern split at '/'
};

struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    /// Other methods registered for the path, for 405 + Allow when `route` is null.
    std::vector<std::string> allowed_methods;
};

/// Maps method + path to a handler. Literal segments beat `{param}` segments; a trailing
/// `{*param}` segment takes the rest of the path (static files).
class Router {
public:
    void Add(std::string method, std::string pattern, RouteOptions options, Handler handler);
    Match Find(const std::string& method, const std::string& path) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace lantian::http
