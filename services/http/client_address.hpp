#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lantian::http {

/// One trusted proxy: an address or a CIDR block, IPv4 or IPv6.
struct AddressBlock {
    bool v6 = false;
    std::array<unsigned char, 16> bytes{};
    int prefix = 0;  // bits that must match
};

/// The proxies whose X-Forwarded-For is believed, from a comma list of addresses and CIDR
/// blocks ("10.0.0.5, 10.1.0.0/16, ::1"); empty: none. Throws std::invalid_argument naming a
/// malformed entry.
std::vector<AddressBlock> ParseTrustedProxies(std::string_view list);

/// The client's address for throttling and logs: the peer's, unless the peer is a trusted
/// proxy; then the rightmost X-Forwarded-For entry that is not itself a trusted proxy (entries
/// left of it are the client's own claims, which anyone can forge). A malformed entry stops
/// the walk at the proxy that passed it on. Returned in canonical form.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<AddressBlock>& trusted);

}  // namespace lantian::http
