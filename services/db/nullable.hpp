#pragma once

#include <optional>
#include <pqxx/strconv>
// libpqxx 6.4's <pqxx/field> uses pqxx::string_traits before it includes <pqxx/strconv>.
#include <pqxx/field>

#include "db/timestamp.hpp"

namespace lantian::db {

/// A nullable column as std::optional (libpqxx 6.4's field has no get<T>()).
template <typename T>
std::optional<T> Nullable(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<T>();
}

}  // namespace lantian::db
