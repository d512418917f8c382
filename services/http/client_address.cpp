#include "http/client_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

namespace lantian::http {

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<AddressBlock> ParseAddress(std::string_view text) {
    const std::string terminated(Trim(text));
    AddressBlock a;
    if (inet_pton(AF_INET, terminated.c_str(), a.bytes.data()) == 1) {
        a.prefix = 32;
        return a;
    }
    if (inet_pton(AF_INET6, terminated.c_str(), a.bytes.data()) == 1) {
        a.v6 = true;
        a.prefix = 128;
        return a;
    }
    return std::nullopt;
}

bool Contains(const AddressBlock& block, const AddressBlock& address) {
    if (block.v6 != address.v6) return false;
    for (int bit = 0; bit < block.prefix; ++bit) {
        const unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
        if ((block.bytes[bit / 8] & mask) != (address.bytes[bit / 8] & mask)) return false;
    }
    return true;
}

bool Trusted(const AddressBlock& address, const std::vector<AddressBlock>& trusted) {
    for (const auto& block : trusted) {
        if (Contains(block, address)) return true;
    }
    return false;
}

std::string Canonical(const AddressBlock& a) {
    char out[INET6_ADDRSTRLEN];
    inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), out, sizeof out);
    return out;
}

}  // namespace

std::vector<AddressBlock> ParseTrustedProxies(std::string_view list) {
    std::vector<AddressBlock> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view entry = Trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (entry.empty()) continue;
        const auto slash = entry.find('/');
        auto block = ParseAddress(entry.substr(0, slash));
        bool ok = block.has_value();
        if (ok && slash != std::string_view::npos) {
            const std::string_view bits = entry.substr(slash + 1);
            int prefix = -1;
            const auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
            ok = ec == std::errc() && ptr == bits.data() + bits.size() && prefix >= 0 &&
                 prefix <= block->prefix;
            if (ok) block->prefix = prefix;
        }
        if (!ok) {
            throw std::invalid_argument("trusted proxy \"" + std::string(entry) +
                                        "\" is not an IP address or CIDR block");
        }
        out.push_back(*block);
    }
    return out;
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<AddressBlock>& trusted) {
    auto hop = ParseAddress(peer);
    if (!hop) return std::string(peer);
    while (Trusted(*hop, trusted) && !forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        const std::string_view entry =
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        forwarded_for =
            comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        if (Trim(entry).empty()) continue;
        auto previous = ParseAddress(entry);
        if (!previous) break;  // garbage: believe no further than the proxy that passed it
        hop = previous;
    }
    return Canonical(*hop);
}

}  // namespace lantian::http
