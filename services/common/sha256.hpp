#pragma once

#include <string>
#include <string_view>

namespace lantian {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits: photo names, token and request
/// fingerprints, migration checksums.
std::string Sha256Hex(std::string_view bytes);

}  // namespace lantian
