#pragma once

#include <string_view>

namespace lantian::evidence {

/// The image type the bytes themselves show (magic numbers), whatever the client claims:
/// "image/jpeg", "image/png", "image/webp", or empty for anything else.
std::string_view SniffImageType(std::string_view bytes);

}  // namespace lantian::evidence
