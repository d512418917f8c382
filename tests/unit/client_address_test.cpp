#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace lantian::http {
namespace {

TEST(ClientAddressTest, WithoutTrustedProxiesXForwardedForIsIgnored) {
    EXPECT_EQ(ClientAddress("10.0.0.5", "203.0.113.9", {}), "10.0.0.5");
}

TEST(ClientAddressTest, AnUntrustedPeerCannotClaimAnotherAddress) {
    const auto trusted = ParseTrustedProxies("10.0.0.0/8");
    EXPECT_EQ(ClientAddress("198.51.100.4", "203.0.113.9", trusted), "198.51.100.4");
}

TEST(ClientAddressTest, BehindTrustedProxiesTheRightmostUntrustedEntryIsTheClient) {
    const auto trusted = ParseTrustedProxies(" 10.0.0.0/8 , 192.0.2.1");
    // The client forged the first entry; the edge proxy appended what it saw.
    EXPECT_EQ(ClientAddress("10.0.0.5", "1.2.3.4, 203.0.113.9, 192.0.2.1", trusted), "203.0.113.9");
    EXPECT_EQ(ClientAddress("10.0.0.5", "203.0.113.9", trusted), "203.0.113.9");
    EXPECT_EQ(ClientAddress("10.0.0.5", "", trusted), "10.0.0.5");
    EXPECT_EQ(ClientAddress("10.0.0.5", "garbage, 10.0.0.7", trusted), "10.0.0.7")
        << "a malformed entry is believed no further than the proxy that passed it";
}

TEST(ClientAddressTest, Ipv6BlocksMatchAndAddressesComeBackCanonical) {
    const auto trusted = ParseTrustedProxies("::1,fd00::/8");
    EXPECT_EQ(ClientAddress("::1", "2001:DB8:0:0::7", trusted), "2001:db8::7");
    EXPECT_EQ(ClientAddress("fd12::1", "198.51.100.4", trusted), "198.51.100.4");
}

TEST(ClientAddressTest, AMalformedTrustedProxyIsRefusedNamingIt) {
    EXPECT_THROW(ParseTrustedProxies("10.0.0.0/33"), std::invalid_argument);
    EXPECT_THROW(ParseTrustedProxies("proxy.local"), std::invalid_argument);
    EXPECT_TRUE(ParseTrustedProxies("").empty());
}

}  // namespace
}  // namespace lantian::http
