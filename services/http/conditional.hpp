#pragma once

#include <string>

#include "http/message.hpp"

namespace lantian::http {

/// The strong ETag of a resource version: `"v7"`.
std::string ETagFor(int version);

/// The version the client holds, from `If-Match`. Missing → 428; not one of our ETags
/// (or `*`) → 412, since it cannot match the current version.
int RequireIfMatch(const Request& request);

}  // namespace lantian::http
