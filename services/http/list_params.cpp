#include "http/list_params.hpp"

#include <charconv>

#include "common/cursor.hpp"
#include "common/error.hpp"

namespace lantian::http {

namespace {

std::optional<long long> ParsePositive(std::string_view s) {
    long long v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

}  // namespace

ListParams ReadListParams(const Request& request) {
    ListParams params;
    if (const auto limit = request.QueryParam("limit")) {
        const auto v = ParsePositive(*limit);
        if (!v || *v > kMaxPageSize) {
            throw Error::InvalidArgument("invalid_parameter", "limit must be between 1 and 200",
                                         {{"limit", "must be an integer from 1 to 200"}});
        }
        params.limit = static_cast<int>(*v);
    }
    if (const auto cursor = request.QueryParam("cursor")) params.cursor = DecodeCursor(*cursor);
    return params;
}

Error BadParameter(const std::string& name, const std::string& message) {
    return Error::InvalidArgument("invalid_parameter", name + " " + message, {{name, message}});
}

std::string IdPosition(long long id) {
    return "id:" + std::to_string(id);
}

long long CursorId(const std::string& position) {
    if (position.rfind("id:", 0) == 0) {
        if (const auto v = ParsePositive(std::string_view(position).substr(3))) return *v;
    }
    throw Error::InvalidArgument("invalid_cursor", "cursor is not one this server issued",
                                 {{"cursor", "is malformed or belongs to another list"}});
}

std::optional<long long> QueryId(const Request& request, const std::string& name) {
    const auto value = request.QueryParam(name);
    if (!value) return std::nullopt;
    const auto v = ParsePositive(*value);
    if (!v) {
        throw Error::InvalidArgument("invalid_parameter", name + " must be a positive integer id",
                                     {{name, "must be a positive integer id"}});
    }
    return v;
}

}  // namespace lantian::http
