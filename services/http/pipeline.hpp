#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/client_address.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace spdlog {
class logger;
}

namespace lantian::http {

/// Runs before every handler that is not public: authenticates the caller and checks the
/// route's scope, filling `request.principal`; throws Error to refuse.
using AuthStep = std::function<void(Request&, const Route&)>;

/// Everything between the socket and a handler: target parsing, request id, routing
/// (404/405), query-parameter whitelist, the auth step, the handler, and the one place where
/// exceptions become problem+json. Beast-free, so it is unit-tested without sockets.
class Pipeline {
public:
    Pipeline(const Router& router, Metrics& metrics);

    void SetAuthStep(AuthStep step) { auth_ = std::move(step); }
    /// Peers whose X-Forwarded-For names the client (Request::client_address); default none.
    void SetTrustedProxies(std::vector<AddressBlock> proxies) { trusted_ = std::move(proxies); }

    /// The largest body the route for this request line accepts (checked before reading it).
    std::size_t BodyLimit(const std::string& method, const std::string& target) const;

    using Done = std::function<void(Response)>;

    /// Handles the request and gives the response to `done`, exactly once. For most routes
    /// that happens before this returns, on the calling thread. A route with its own executor
    /// (RouteOptions::executor) is only queued there: this returns at once, so the calling
    /// request worker is free for other requests, and `done` is called later from the
    /// executor's thread (`request` must stay alive until then). Never throws: every failure
    /// becomes a problem+json response.
    void Handle(Request& request, Done done) const;
    /// The same, waiting for the response (tests, and callers without an event loop).
    Response Handle(Request& request) const;

    /// True when the route for this request line is marked off_workers.
    bool OffWorkers(const std::string& method, const std::string& target) const;

private:
    /// Routing, parameters, the auth step and the handler; stops short of the auth step and
    /// the handler and sets `offload` when the route runs on its own executor.
    Response Dispatch(Request& request, std::string& route_label, const Route*& offload) const;
    Response Unhandled(const Request& request, const std::string& route_label,
                       const std::exception& e) const;
    /// Runs `step`, turning what it throws into problem+json.
    Response Guarded(Request& request, const std::string& route_label,
                     const std::function<Response()>& step) const;
    /// Request id header, metrics and the access line.
    Response Finish(Request& request, const std::string& route_label,
                    std::chrono::steady_clock::time_point started, Response response) const;
    /// Queues the auth step and handler of `route` on its executor.
    void Offload(Request& request, const Route& route, std::string route_label,
                 std::chrono::steady_clock::time_point started, Done done) const;

    const Router& router_;
    Metrics& metrics_;
    AuthStep auth_;
    std::vector<AddressBlock> trusted_;
    std::shared_ptr<spdlog::logger> access_log_;
    std::shared_ptr<spdlog::logger> error_log_;
};

/// A fresh request id (16 random hex digits) or the client's, when it is well-formed.
std::string AcceptOrMakeRequestId(std::string_view from_client);

}  // namespace lantian::http
