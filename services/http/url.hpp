#pragma once

#include <map>
#include <string>
#include <string_view>

namespace lantian::http {

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// Splits a request target into a decoded path and decoded query parameters.
/// Throws Error(kInvalidArgument) on bad percent-encoding, invalid UTF-8 or NUL.
void ParseTarget(std::string_view target, std::string& path,
                 std::multimap<std::string, std::string>& query);

}  // namespace lantian::http
