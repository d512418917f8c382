// Transfer-Encoding framing (server/request_framing): only a body framed exactly by `chunked`
// is read; any other coding list leaves its length unknowable and is refused (RFC 9112 §6.3).
#include "server/request_framing.hpp"

#include <gtest/gtest.h>

namespace lantian::server {
namespace {

TEST(OnlyChunked, AcceptsChunkedAloneInAnyCaseAndSpacing) {
    for (const char* te :
         {"chunked", "Chunked", "CHUNKED", " chunked ", "chunked,", ", chunked", "chunked,\t"}) {
        EXPECT_TRUE(OnlyChunked(te)) << te;
    }
}

TEST(OnlyChunked, RefusesEveryOtherCodingList) {
    for (const char* te :
         {"identity", "gzip", "xchunked", "chunkedx", "chunked, identity", "gzip, chunked",
          "chunked, chunked", "chunked,chunked,", "", " , ", "chunked;q=1", "\"chunked\""}) {
        EXPECT_FALSE(OnlyChunked(te)) << te;
    }
}

}  // namespace
}  // namespace lantian::server
