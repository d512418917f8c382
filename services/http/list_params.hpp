#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/cursor.hpp"
#include "common/error.hpp"
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

/// 400 `invalid_parameter` for a query parameter: "<name> <message>", and the message under
/// the parameter's name in the field errors.
Error BadParameter(const std::string& name, const std::string& message);

/// How many rows a list asks its repository for: one more than the page, which tells whether
/// another page exists.
inline int FetchLimit(const ListParams& page) {
    return page.limit + 1;
}

/// The position of a list ordered by id, as CursorId reads it back: `id:<n>`.
std::string IdPosition(long long id);

/// Cuts `rows` (fetched with FetchLimit) back to the page and returns the `next_cursor` of the
/// response: the encoded `position(last row kept)`, or null when this is the last page.
template <typename Row, typename Position>
nlohmann::json CutPage(std::vector<Row>& rows, const ListParams& page, Position&& position) {
    if (static_cast<int>(rows.size()) <= page.limit) return nullptr;
    rows.resize(static_cast<size_t>(page.limit));
    return EncodeCursor(position(rows.back()));
}

/// CutPage for a list ordered by id.
template <typename Row>
nlohmann::json CutPageById(std::vector<Row>& rows, const ListParams& page) {
    return CutPage(rows, page, [](const Row& row) { return IdPosition(row.id); });
}

/// A query parameter as a positive id; 400 naming it when malformed.
std::optional<long long> QueryId(const Request& request, const std::string& name);

}  // namespace lantian::http
