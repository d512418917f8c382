#include "common/cursor.hpp"

#include "common/error.hpp"

namespace lantian {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kPrefix = "c1|";  // a version, so the format can change later

Error Invalid() {
    return Error::InvalidArgument("invalid_cursor", "cursor is not one this server issued",
                                  {{"cursor", "is malformed or expired"}});
}

}  // namespace

std::string EncodeCursor(std::string_view position) {
    const std::string in = std::string(kPrefix) + std::string(position);
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
    return out;
}

std::string DecodeCursor(std::string_view cursor) {
    if (cursor.empty() || cursor.size() > 512) throw Invalid();
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : cursor) {
        const size_t v = kAlphabet.find(c);
        if (v == std::string_view::npos) throw Invalid();
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    if (out.rfind(kPrefix, 0) != 0) throw Invalid();
    return out.substr(kPrefix.size());
}

}  // namespace lantian
