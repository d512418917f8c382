#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "common/time.hpp"

namespace lantian::http {

/// An optional value as JSON: the value, or null.
template <typename T>
nlohmann::json OptionalValue(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// An optional time as the district's RFC 3339 text (FormatDistrictTime), or null.
inline nlohmann::json OptionalTime(const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(FormatDistrictTime(*t)) : nlohmann::json(nullptr);
}

}  // namespace lantian::http
