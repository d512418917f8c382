#include "auth/token.hpp"

#include <sodium.h>

#include "common/sha256.hpp"

namespace lantian::auth {

NewToken MakeToken() {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char encoded[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    NewToken out;
    out.token = encoded;
    out.hash = HashToken(out.token);
    return out;
}

std::string HashToken(std::string_view token) {
    return Sha256Hex(token);
}

}  // namespace lantian::auth
