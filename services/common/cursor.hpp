#pragma once

#include <string>
#include <string_view>

namespace lantian {

/// List cursors are opaque to clients: base64url of a small internal position string.
/// Not signed: a forged cursor only moves the starting point of a list the caller may read
/// anyway, since scope filtering applies to every page.
std::string EncodeCursor(std::string_view position);

/// Throws Error(kInvalidArgument, "invalid_cursor") on anything not in the cursor format.
std::string DecodeCursor(std::string_view cursor);

}  // namespace lantian
