#pragma once

#include <string>
#include <string_view>

namespace lantian {

/// List cursors are opaque to clients: base64url of a small internal position string.
std::string EncodeCursor(std::string_view position);

/// Throws Error(kInvalidArgument, "invalid_cursor") on anything this server did not issue.
std::string DecodeCursor(std::string_view cursor);

}  // namespace lantian
