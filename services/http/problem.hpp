#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/message.hpp"

namespace lantian::http {

/// The HTTP status for an error code: the one exhaustive mapping in the code base.
int StatusFor(ErrorCode code);

/// An RFC 9457 application/problem+json response.
Response ProblemResponse(int status, std::string_view slug, std::string_view detail,
                         std::string_view request_id, const std::vector<FieldError>& fields = {});

Response ProblemResponse(const Error& error, std::string_view request_id);

}  // namespace lantian::http
