#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/actor.hpp"

namespace lantian::http {

/// A Beast-free request: what handlers and the pipeline see.
struct Request {
    std::string method;                             // upper case: GET, POST, ...
    std::string target;                             // raw request target, path + query
    std::string path;                               // percent-decoded path
    std::multimap<std::string, std::string> query;  // decoded
    std::map<std::string, std::string> headers;     // names lower-cased
    std::string body;
    std::string request_id;
    std::string route;  // the matched route template, e.g. /api/v1/sites/{id}
    std::map<std::string, std::string> path_params;
    std::string remote_address;  // the TCP peer
    /// The client behind any trusted proxies (X-Forwarded-For); set by the pipeline.
    std::string client_address;
    /// The signed-in caller; set by the auth step on every non-public route.
    std::optional<Actor> actor;

    /// The actor, or 401 when the route ran without one.
    const Actor& RequireActor() const;

    /// Header value or empty.
    std::string_view Header(std::string_view name) const;
    /// The single value of a query parameter; 400 if it is repeated.
    std::optional<std::string> QueryParam(const std::string& name) const;
    /// A path parameter as a positive integer id; 404 when it is not one (no such object).
    long long PathId(const std::string& name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close_connection = false;

    Response& Header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

}  // namespace lantian::http
