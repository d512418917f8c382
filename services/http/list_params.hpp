#pragma once

#include <optional>
#include <string>

#include "http/message.hpp"

namespace lantian::http {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;

struct ListParams {
    int limit = kDefaultPageSize;
    std::optional<std::string> cursor;  // decoded position
};

/// `?limit=` (1..200, default 50) and `?cursor=` (decoded); 400 naming the parameter.
ListParams ReadListParams(const Request& request);

/// The id of an `id:<n>` cursor position; 400 for anything else.
long long CursorId(const std::string& position);

/// A query parameter as a positive id; 400 naming it when malformed.
std::optional<long long> QueryId(const Request& request, const std::string& name);

}  // namespace lantian::http
