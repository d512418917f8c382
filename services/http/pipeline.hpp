#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>

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

    /// The largest body the route for this request line accepts (checked before reading it).
    std::size_t BodyLimit(const std::string& method, const std::string& target) const;

    /// True when the route for this request line is marked off_workers.
    bool OffWorkers(const std::string& method, const std::string& target) const;

    /// Never throws: every failure becomes a problem+json response.
    Response Handle(Request& request) const;

private:
    Response Dispatch(Request& request, std::string& route_label) const;
    Response Unhandled(const Request& request, const std::string& route_label,
                       const std::exception& e) const;

    const Router& router_;
    Metrics& metrics_;
    AuthStep auth_;
    std::shared_ptr<spdlog::logger> access_log_;
    std::shared_ptr<spdlog::logger> error_log_;
};

/// A fresh request id (16 random hex digits) or the client's, when it is well-formed.
std::string AcceptOrMakeRequestId(std::string_view from_client);

}  // namespace lantian::http
