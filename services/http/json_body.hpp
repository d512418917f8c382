#pragma once

#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace lantian::http {

inline constexpr int kMaxJsonDepth = 32;

/// Parses a request body as JSON, refusing (400, stable codes) what would be lost or
/// misread downstream: invalid UTF-8, nesting deeper than kMaxJsonDepth, duplicate keys,
/// and `\u0000` anywhere (libpqxx 6.4 cuts text at NUL).
nlohmann::json ParseStrictJson(std::string_view body);

/// The request's body as a JSON object: checks the content type (415) and that the
/// top-level value is an object (400).
nlohmann::json JsonObjectBody(const Request& request);

/// Refuses (400 `unknown_field`, naming each) object members outside `allowed`: a client
/// cannot set server-owned fields such as id, version or created_at.
void RejectUnknownFields(const nlohmann::json& object,
                         std::initializer_list<std::string_view> allowed,
                         const std::string& prefix = "");

/// A JSON response with the given status.
Response JsonResponse(int status, const nlohmann::json& body);

}  // namespace lantian::http
