#include "http/pipeline.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <pqxx/except>
#include <random>

#include "common/bounded_executor.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "http/problem.hpp"
#include "http/url.hpp"

namespace lantian::http {

namespace {

constexpr std::size_t kDefaultBodyLimit = 64 * 1024;
constexpr std::string_view kQueryCanceled = "57014";  // statement_timeout

bool WellFormedRequestId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (const char c : id) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

void CheckQueryParameters(const Request& request, const Route& route) {
    std::vector<FieldError> unknown;
    for (const auto& [name, value] : request.query) {
        if (!route.options.query_params.contains(name)) {
            unknown.push_back({name, "is not a parameter of this endpoint"});
        }
    }
    if (unknown.empty()) return;
    // Built before the throw: the vector is moved into the error below.
    const std::string message = "unknown query parameter \"" + unknown.front().field + '"';
    throw Error::InvalidArgument("unknown_parameter", message, std::move(unknown));
}

}  // namespace

std::string AcceptOrMakeRequestId(std::string_view from_client) {
    if (WellFormedRequestId(from_client)) return std::string(from_client);
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}

Pipeline::Pipeline(const Router& router, Metrics& metrics)
    : router_(router),
      metrics_(metrics),
      access_log_(log::Get("access")),
      error_log_(log::Get("http")) {}

std::size_t Pipeline::BodyLimit(const std::string& method, const std::string& target) const {
    std::string path;
    std::multimap<std::string, std::string> query;
    try {
        ParseTarget(target, path, query);
    } catch (const Error&) {
        return kDefaultBodyLimit;  // the pipeline refuses the target itself, after the body
    }
    const Match match = router_.Find(method, path);
    return match.route ? match.route->options.max_body : kDefaultBodyLimit;
}

bool Pipeline::OffWorkers(const std::string& method, const std::string& target) const {
    std::string path;
    std::multimap<std::string, std::string> query;
    try {
        ParseTarget(target, path, query);
    } catch (const Error&) {
        return false;
    }
    const Match match = router_.Find(method, path);
    return match.route && match.route->options.off_workers;
}

Response Pipeline::Dispatch(Request& request, std::string& route_label,
                            const Route*& offload) const {
    ParseTarget(request.target, request.path, request.query);
    const Match match = router_.Find(request.method, request.path);
    if (!match.route) {
        if (!match.allowed_methods.empty()) {
            std::string allow;
            for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
            Response r = ProblemResponse(405, "method_not_allowed",
                                         "method " + request.method + " is not allowed here",
                                         request.request_id);
            r.Header("Allow", allow);
            return r;
        }
        throw Error::NotFound("resource");
    }
    route_label = match.route->pattern;
    request.route = match.route->pattern;
    request.path_params = match.params;
    CheckQueryParameters(request, *match.route);
    if (match.route->options.executor) {
        offload = match.route;
        return {};
    }
    if (!match.route->options.public_route && auth_) auth_(request, *match.route);
    return match.route->handler(request);
}

Response Pipeline::Unhandled(const Request& request, const std::string& route_label,
                             const std::exception& e) const {
    log::Error(*error_log_, log::Line("unhandled exception")
                                .Str("request_id", request.request_id)
                                .Str("route", route_label)
                                .Str("error", e.what()));
    return ProblemResponse(500, "internal", "internal error; see the server log",
                           request.request_id);
}

Response Pipeline::Guarded(Request& request, const std::string& route_label,
                           const std::function<Response()>& step) const {
    try {
        return step();
    } catch (const Error& e) {
        return ProblemResponse(e, request.request_id);
    } catch (const pqxx::in_doubt_error&) {
        // The commit may or may not have happened: the client must retry with the same key.
        Response response = ProblemResponse(
            503, "commit_in_doubt", "the outcome of the write is unknown; retry the request",
            request.request_id);
        response.Header("Retry-After", "1");
        return response;
    } catch (const pqxx::broken_connection&) {
        Response response = ProblemResponse(503, "database_unavailable",
                                            "could not reach the database", request.request_id);
        response.Header("Retry-After", "1");
        return response;
    } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() == kQueryCanceled) {
            // statement_timeout (or an operator's cancel): the database is too slow right now.
            Response response = ProblemResponse(
                503, "database_timeout", "the database did not answer in time; retry the request",
                request.request_id);
            response.Header("Retry-After", "1");
            return response;
        }
        return Unhandled(request, route_label, e);
    } catch (const std::exception& e) {
        return Unhandled(request, route_label, e);
    }
}

Response Pipeline::Finish(Request& request, const std::string& route_label,
                          std::chrono::steady_clock::time_point started, Response response) const {
    response.Header("X-Request-Id", request.request_id);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.Observe(request.method, route_label, response.status, seconds);
    log::Info(*access_log_, log::Line("request")
                                .Str("request_id", request.request_id)
                                .Str("method", request.method)
                                .Str("route", route_label)
                                .Int("status", response.status)
                                .Num("duration_ms", seconds * 1000.0)
                                .Int("bytes", static_cast<std::int64_t>(response.body.size())));
    return response;
}

void Pipeline::Offload(Request& request, const Route& route, std::string route_label,
                       std::chrono::steady_clock::time_point started, Done done) const {
    auto busy = [&request, &route] {
        Response r = ProblemResponse(503, route.options.busy_code,
                                     "too many requests of this kind at once; retry shortly",
                                     request.request_id);
        r.Header("Retry-After", "1");
        return r;
    };
    // `done` is needed again below when the executor refuses the task (and drops it).
    auto shared_done = std::make_shared<Done>(std::move(done));
    const bool queued = route.options.executor->TryPost(
        [this, &request, &route, route_label, started, shared_done, busy] {
            Response response;
            if (std::chrono::steady_clock::now() - started > route.options.max_wait) {
                response = busy();  // waited too long in the queue: the caller may be gone
            } else {
                response = Guarded(request, route_label, [&] {
                    if (!route.options.public_route && auth_) auth_(request, route);
                    return route.handler(request);
                });
            }
            (*shared_done)(Finish(request, route_label, started, std::move(response)));
        });
    if (!queued) (*shared_done)(Finish(request, route_label, started, busy()));
}

void Pipeline::Handle(Request& request, Done done) const {
    const auto started = std::chrono::steady_clock::now();
    request.request_id = AcceptOrMakeRequestId(request.Header("x-request-id"));
    request.client_address =
        ClientAddress(request.remote_address, request.Header("x-forwarded-for"), trusted_);
    std::string route_label = "unmatched";
    const Route* offload = nullptr;
    Response response =
        Guarded(request, route_label, [&] { return Dispatch(request, route_label, offload); });
    if (offload) {
        Offload(request, *offload, std::move(route_label), started, std::move(done));
        return;
    }
    done(Finish(request, route_label, started, std::move(response)));
}

Response Pipeline::Handle(Request& request) const {
    std::promise<Response> promise;
    auto future = promise.get_future();
    Handle(request, [&promise](Response r) { promise.set_value(std::move(r)); });
    return future.get();
}

}  // namespace lantian::http
