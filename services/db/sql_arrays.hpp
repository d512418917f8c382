#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantian::db {

/// PostgreSQL array literals for values that never need quoting (hex ids, integers), and
/// the reverse from `array_to_string(..., ',')`.
std::string ToArrayLiteral(const std::vector<std::string>& values);
std::string ToArrayLiteral(const std::vector<long long>& values);
std::vector<std::string> SplitStrings(std::string_view joined);
std::vector<long long> SplitIds(std::string_view joined);

}  // namespace lantian::db
