#pragma once

#include <string>
#include <string_view>

namespace lantian::auth {

struct NewToken {
    std::string token;  // given to the client once; never stored or logged
    std::string hash;   // what the database keeps: hex SHA-256
};

/// 32 random bytes, base64url without padding (43 characters).
NewToken MakeToken();

/// The stored form of a token presented by a client.
std::string HashToken(std::string_view token);

}  // namespace lantian::auth
