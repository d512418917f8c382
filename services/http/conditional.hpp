#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/message.hpp"

namespace lantian::http {

/// The strong ETag of a resource version: `"v7"`.
std::string ETagFor(int version);

/// A versioned resource as JSON with its ETag; a 201 also gives its place,
/// `Location: <collection>/<id>`.
Response VersionedResponse(int status, const nlohmann::json& body, int version,
                           const std::string& collection, long long id);

/// The version the client holds, from `If-Match`. Missing → 428; not one of our ETags
/// (or `*`) → 412, since it cannot match the current version.
int RequireIfMatch(const Request& request);

}  // namespace lantian::http
